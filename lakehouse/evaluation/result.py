"""What ``lh.evaluate`` returns and takes: results, artifacts, metric values, extra metrics.

The names and shapes are MLflow's (``mlflow.models.EvaluationResult``,
``EvaluationArtifact``, ``mlflow.metrics.MetricValue``, ``make_metric``), so code that
reads ``result.metrics["accuracy_score"]`` or ``result.artifacts["confusion_matrix"].uri``
runs unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "EvaluationArtifact",
    "EvaluationMetric",
    "EvaluationResult",
    "MetricValue",
    "make_metric",
    "standard_aggregations",
]


def standard_aggregations(scores: list[float]) -> dict[str, float]:
    """MLflow's aggregates of per-row scores: mean, variance and 90th percentile."""
    return {
        "mean": float(np.mean(scores)),
        "variance": float(np.var(scores)),
        "p90": float(np.percentile(scores, 90)),
    }


@dataclass
class MetricValue:
    """A metric's value: per-row ``scores`` and/or ``aggregate_results`` (name -> value).

    As MLflow's: numeric ``scores`` with no ``aggregate_results`` get the
    :func:`standard_aggregations` (``<name>/mean``, ``<name>/variance``, ``<name>/p90``).
    """

    scores: list[Any] | None = None
    justifications: list[str] | None = None
    aggregate_results: dict[str, float] | None = None

    def __post_init__(self) -> None:
        if (
            self.aggregate_results is None
            and isinstance(self.scores, list | tuple)
            and self.scores
            and all(isinstance(s, int | float | np.number) for s in self.scores)
        ):
            self.aggregate_results = standard_aggregations(list(self.scores))


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluationMetric:
    """An extra metric for ``lh.evaluate(extra_metrics=[...])``; made by :func:`make_metric`."""

    eval_fn: Callable[..., Any]
    name: str
    greater_is_better: bool
    long_name: str | None = None
    version: str | None = None
    metric_details: str | None = None
    metric_metadata: dict[str, Any] | None = None


def make_metric(
    *,
    eval_fn: Callable[..., Any],
    greater_is_better: bool,
    name: str | None = None,
    long_name: str | None = None,
    version: str | None = None,
    metric_details: str | None = None,
    metric_metadata: dict[str, Any] | None = None,
) -> EvaluationMetric:
    """An :class:`EvaluationMetric` from a function, as ``mlflow.models.make_metric``.

    ``eval_fn``'s parameters are bound by name: ``predictions`` and ``targets`` (pandas
    Series), ``metrics`` (the built-in metrics, name -> :class:`MetricValue`), a feature
    column of the data, or an ``evaluator_config`` key. It returns a number or a
    :class:`MetricValue`. Example::

        def big_errors(predictions, targets, metrics):
            return float(((predictions - targets).abs() > 1).mean())

        lh.evaluate(model, df, targets="y", model_type="regressor",
                    extra_metrics=[make_metric(eval_fn=big_errors, greater_is_better=False)])
    """
    metric_name = name or getattr(eval_fn, "__name__", None)
    if not metric_name or metric_name == "<lambda>":
        raise InvalidArgumentError(
            "make_metric needs name= for a lambda or a callable without __name__, e.g. "
            "make_metric(eval_fn=f, greater_is_better=True, name='my_metric')"
        )
    return EvaluationMetric(
        eval_fn=eval_fn,
        name=metric_name,
        greater_is_better=greater_is_better,
        long_name=long_name or metric_name,
        version=version,
        metric_details=metric_details,
        metric_metadata=metric_metadata,
    )


@dataclass(frozen=True, slots=True)
class EvaluationArtifact:
    """A file ``lh.evaluate`` logged: its ``uri`` in the run and its ``content``.

    ``content`` is a PIL image for ``.png``, a pandas DataFrame for ``.csv`` and the parsed
    object for ``.json``, read from the file before it was logged.
    """

    uri: str
    content: Any = field(repr=False, compare=False)


def read_content(local_path: Path) -> Any:
    """An artifact file's content: a PIL image, a pandas DataFrame or parsed JSON."""
    if local_path.suffix == ".png":
        from PIL import Image

        with Image.open(local_path) as image:
            image.load()
            return image.copy()
    if local_path.suffix == ".csv":
        import pandas as pd

        return pd.read_csv(local_path)
    return json.loads(local_path.read_text())


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """``lh.evaluate``'s answer: ``metrics`` (name -> value), ``artifacts`` and ``run_id``."""

    metrics: dict[str, Any]
    artifacts: dict[str, EvaluationArtifact]
    run_id: str
