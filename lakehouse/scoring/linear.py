"""Linear sklearn models scored in the JVM: ``predict`` as one Spark SQL expression.

A linear model's ``predict`` is a dot product (and, for a classifier, a threshold or
an argmax), which Spark evaluates in generated code with no Python worker and no
Arrow transfer: several times faster than any Python UDF (the Arrow round trip
alone bounds those). ``spark_udf`` uses it for an exact ``LogisticRegression``,
``LinearRegression``, ``Ridge``, ``Lasso``, ``ElasticNet``, ``RidgeClassifier`` or
``SGDClassifier`` whose features are numeric columns and whose ``predict`` gives
numbers; anything else (pipelines, string classes, probabilities, ``params``)
scores in the Python worker as before.

The same arithmetic in another order: scores agree with sklearn's to about 1e-15
relative, so a class can differ only for a row within that of the decision boundary.
A null input gives a null prediction (sklearn refuses a NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["LinearScorer", "linear_scorer"]

# The pickle of a linear model is a few kilobytes; a bigger one is not worth loading
# on the driver to find out (a forest can take seconds).
_MAX_PICKLE_BYTES = 1 << 20
_NUMERIC = ("double", "float", "long", "integer")


@dataclass(frozen=True, slots=True)
class LinearScorer:
    """The coefficients of a linear model: ``scores = X @ coef.T + intercept``."""

    coef: np.ndarray  # (outputs, features)
    intercept: np.ndarray  # (outputs,)
    classes: np.ndarray | None  # None for a regressor

    def column(self, columns: list[Any]) -> Any:
        """The prediction as a Spark Column over ``columns`` (one per feature, in order)."""
        from pyspark.sql import functions as F

        inputs = [F.col(c) if isinstance(c, str) else c for c in columns]
        inputs = [c.cast("double") for c in inputs]
        scores = []
        for weights, bias in zip(self.coef, self.intercept, strict=True):
            total = F.lit(float(bias))
            for column, weight in zip(inputs, weights, strict=True):
                if weight != 0.0:
                    total = total + column * F.lit(float(weight))
            scores.append(total)
        any_null = (
            F.greatest(*[c.isNull() for c in inputs]) if len(inputs) > 1 else inputs[0].isNull()
        )
        if self.classes is None:
            return scores[0]
        classes = [_plain(c) for c in self.classes]
        if len(scores) == 1:  # binary: sklearn's predict is classes[score > 0]
            label = F.when(scores[0] > 0, F.lit(classes[1])).otherwise(F.lit(classes[0]))
        else:  # sklearn's argmax keeps the first of equal scores
            best = F.greatest(*scores)
            label = F.lit(classes[-1])
            for cls, score in reversed(list(zip(classes[:-1], scores[:-1], strict=True))):
                label = F.when(score == best, F.lit(cls)).otherwise(label)
        return F.when(any_null, F.lit(None)).otherwise(label)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def linear_scorer(
    folder: str,
    sklearn_conf: dict[str, Any],
    *,
    predict_fn: str,
    kinds: tuple[str | None, ...],
    names: tuple[str, ...],
) -> LinearScorer | None:
    """The model's coefficients when its ``predict`` can run as an expression, else None."""
    if predict_fn != "predict" or not names or any(k not in _NUMERIC for k in kinds):
        return None
    pickled = Path(folder) / str(sklearn_conf.get("pickled_model", "model.pkl"))
    if not pickled.is_file() or pickled.stat().st_size > _MAX_PICKLE_BYTES:
        return None
    from lakehouse.models.flavors.sklearn import load_model

    return _coefficients(load_model(folder), names)


def _coefficients(model: Any, names: tuple[str, ...]) -> LinearScorer | None:
    from sklearn.linear_model import (
        ElasticNet,
        Lasso,
        LinearRegression,
        LogisticRegression,
        Ridge,
        RidgeClassifier,
        SGDClassifier,
    )

    kind = type(model)
    if kind not in (LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression,
                    RidgeClassifier, SGDClassifier):  # fmt: skip
        return None  # exact classes only: a subclass may predict otherwise
    fitted = getattr(model, "feature_names_in_", None)
    if fitted is not None and list(fitted) != list(names):
        return None  # sklearn would reorder or refuse: let it
    coef = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
    if coef.shape[1] != len(names) or intercept.shape[0] != coef.shape[0]:
        return None
    if not np.all(np.isfinite(coef)) or not np.all(np.isfinite(intercept)):
        return None
    classes = getattr(model, "classes_", None)
    if classes is not None:
        if classes.dtype.kind not in "iub" and classes.dtype.kind != "f":
            return None  # string classes: the worker returns them as sklearn does
        if len(classes) > 2 and coef.shape[0] != len(classes):
            return None
    elif coef.shape[0] != 1:
        return None  # a multi-output regressor
    return LinearScorer(coef=coef, intercept=intercept, classes=classes)
