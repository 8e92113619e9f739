"""``lh.evaluate``: MLflow's default evaluator for classifiers and regressors.

The whole evaluation (predictions, metrics, images) is computed first; only then is the
active run (or a new one, as MLflow) written: metrics at step 0 with one batch, the
images and ``eval_metrics.json`` as artifacts. A bad argument, a missing column or a
failing model therefore leaves no run and no metric behind.
"""

from __future__ import annotations

import inspect
import json
import logging
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lakehouse.errors import InvalidArgumentError
from lakehouse.evaluation import metrics as builtin
from lakehouse.evaluation import plots
from lakehouse.evaluation.inputs import EvalData, Predictor, output_column, read_data, resolve_model
from lakehouse.evaluation.result import (
    EvaluationArtifact,
    EvaluationMetric,
    EvaluationResult,
    MetricValue,
    read_content,
)
from lakehouse.tracking import fluent

__all__ = ["MODEL_TYPES", "evaluate"]

MODEL_TYPES = ("classifier", "regressor")
_CONFIG_KEYS = frozenset(
    {
        "label_list",
        "pos_label",
        "average",
        "sample_weights",
        "metric_prefix",
        "max_classes_for_multiclass_roc_pr",
        "col_mapping",
        "calibration_n_bins",
        "calibration_classifier_name",
    }
)
# MLflow's keys for SHAP explanations, which lakehouse does not draw: accepted, so configs
# written for MLflow run, and ignored.
_IGNORED_PREFIXES = ("log_model_explainability", "explainability_", "log_explainer")
METRICS_FILE = "eval_metrics.json"
_logger = logging.getLogger(__name__)


def _check_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    config = dict(config or {})
    unknown = [k for k in config if k not in _CONFIG_KEYS and not k.startswith(_IGNORED_PREFIXES)]
    if unknown:
        raise InvalidArgumentError(
            f"evaluator_config has unknown keys {unknown}; the default evaluator reads "
            f"{sorted(_CONFIG_KEYS)}"
        )
    return config


def _check_arguments(
    model_type: Any, evaluators: Any, env_manager: str, extra_metrics: Any, other: dict[str, Any]
) -> None:
    if model_type not in MODEL_TYPES:
        raise InvalidArgumentError(
            f"model_type must be one of {list(MODEL_TYPES)}, got {model_type!r} (lakehouse "
            "evaluates classic ML models; MLflow's LLM model types are not supported)"
        )
    names = [evaluators] if isinstance(evaluators, str) else list(evaluators or ["default"])
    if any(n not in ("default", model_type) for n in names):
        raise InvalidArgumentError(
            f"evaluators={evaluators!r}: only the default evaluator ('default' or "
            f"{model_type!r}) is available"
        )
    if env_manager != "local":
        raise InvalidArgumentError(
            f"env_manager={env_manager!r}: evaluate runs the model in this process only "
            "(env_manager='local')"
        )
    for name, value in other.items():
        if value is not None:
            raise InvalidArgumentError(f"{name}= is not supported by lh.evaluate; pass None")
    wrong = [m for m in extra_metrics or [] if not isinstance(m, EvaluationMetric)]
    if wrong:
        raise InvalidArgumentError(
            f"extra_metrics must be made with make_metric(...); got {wrong!r}"
        )


def _weights(config: Mapping[str, Any], n: int) -> np.ndarray | None:
    weights = config.get("sample_weights")
    if weights is None:
        return None
    array = np.asarray(weights, dtype=float)
    if array.shape != (n,):
        raise InvalidArgumentError(
            f"evaluator_config['sample_weights'] needs one weight per row ({n}), got shape "
            f"{array.shape}"
        )
    return array


def _predictions(
    predictor: Predictor | None, data: EvalData, name: str | None
) -> tuple[np.ndarray, np.ndarray | None]:
    if predictor is None:
        assert data.predictions is not None
        return data.predictions, None
    y_pred = output_column(predictor.predict(data.features.copy()), name)
    if len(y_pred) != len(data.targets):
        raise InvalidArgumentError(
            f"the model returned {len(y_pred)} predictions for {len(data.targets)} rows"
        )
    proba = None
    if predictor.predict_proba is not None:
        proba = np.asarray(predictor.predict_proba(data.features.copy()))
    return y_pred, proba


def _score(predictor: Predictor | None, data: EvalData, weights: Any) -> dict[str, Any]:
    """sklearn's ``model.score`` of an sklearn-flavor model (MLflow's ``score``)."""
    if predictor is None or predictor.sklearn_model is None:
        return {}
    try:
        value = predictor.sklearn_model.score(
            data.features.copy(), data.targets, sample_weight=weights
        )
    except Exception:  # noqa: BLE001 - as MLflow: a model without a usable score gets none
        return {}
    return {"score": value}


def _classifier(
    data: EvalData,
    y_pred: np.ndarray,
    proba: np.ndarray | None,
    config: Mapping[str, Any],
    weights: np.ndarray | None,
    folder: Path,
) -> tuple[dict[str, Any], dict[str, Path]]:
    labels = builtin.resolve_labels(
        data.targets, y_pred, config.get("label_list"), config.get("pos_label")
    )
    average = config.get("average", "weighted")
    values = builtin.classifier_metrics(
        data.targets, y_pred, proba, labels, average=average, weights=weights
    )
    return values, _classifier_files(data, y_pred, proba, labels, config, weights, folder)


def _draw(files: dict[str, Path], name: str, draw: Any, *args: Any) -> None:
    """Add an image to ``files``; as MLflow, one that cannot be drawn is skipped, with a
    warning, rather than failing the evaluation."""
    try:
        result = draw(*args)
    except Exception as err:  # noqa: BLE001 - any plotting failure: skip the image
        _logger.warning("lh.evaluate could not draw %s: %r", name, err)
        return
    files.update(result if isinstance(result, dict) else {name: result})


def _classifier_files(
    data: EvalData,
    y_pred: np.ndarray,
    proba: np.ndarray | None,
    labels: builtin.Labels,
    config: Mapping[str, Any],
    weights: np.ndarray | None,
    folder: Path,
) -> dict[str, Path]:
    """The classifier's images (and per-class table) in ``folder``, by MLflow's names."""
    prefix = str(config.get("metric_prefix") or "")
    files: dict[str, Path] = {}
    args: tuple[Any, ...]
    max_classes = int(config.get("max_classes_for_multiclass_roc_pr", 10))
    curves = proba is not None and (labels.binary or len(labels.values) <= max_classes)
    pos = (labels.pos_label, labels.pos_index)
    sorted_labels = np.sort(labels.values)
    if proba is not None:
        if curves:
            args = (folder, prefix, data.targets, proba, labels.values, pos)
            _draw(files, "curves", plots.curve_pngs, *args)
        if labels.binary:
            path = folder / f"{prefix}lift_curve_plot.png"
            _draw(files, "lift_curve_plot", plots.lift_png, path, data.targets, proba, pos[0])
        calibration = {k: v for k, v in config.items() if k.startswith("calibration_")}
        path = folder / f"{prefix}calibration_curve_plot.png"
        args = (path, data.targets, proba, sorted_labels, pos, calibration)
        _draw(files, "calibration_curve_plot", plots.calibration_png, *args)
    if not labels.binary:
        rows = builtin.per_class_metrics(
            data.targets, y_pred, proba if curves else None, labels.values, weights
        )
        files["per_class_metrics"] = folder / f"{prefix}per_class_metrics.csv"
        pd.DataFrame(rows).to_csv(files["per_class_metrics"], index=False)
    path = folder / f"{prefix}confusion_matrix.png"
    args = (path, data.targets, y_pred, labels.values, weights)
    _draw(files, "confusion_matrix", plots.confusion_matrix_png, *args)
    return files


def _bind(
    metric: EvaluationMetric,
    eval_df: pd.DataFrame,
    data: EvalData,
    values: dict[str, MetricValue],
    config: Mapping[str, Any],
) -> list[Any]:
    """The arguments of an extra metric's function, by parameter name (MLflow's rules)."""
    params = inspect.signature(metric.eval_fn).parameters
    names = list(params)
    if len(names) == 2 and names[0] != "predictions" and names[1] != "targets":
        aggregates = {k: v for m in values.values() for k, v in (m.aggregate_results or {}).items()}
        return [eval_df.copy(), aggregates]
    mapping = config.get("col_mapping", {})
    args = []
    for name, param in params.items():
        column = mapping.get(name, name)
        if not isinstance(column, str):
            args.append(column)
        elif column == "predictions":
            args.append(eval_df["prediction"].copy())
        elif column in ("targets", data.targets_name):
            args.append(eval_df["target"].copy())
        elif column == "metrics":
            args.append(dict(values))
        elif column in data.features.columns:
            args.append(data.features[column].copy())
        elif column in config:
            args.append(config[column])
        elif column in values:
            args.append(values[column])
        elif param.default is not inspect.Parameter.empty:
            args.append(param.default)
        else:
            raise InvalidArgumentError(
                f"extra metric {metric.name!r}: parameter {name!r} is not predictions, "
                f"targets, metrics, a feature column ({list(data.features.columns)}), an "
                f"evaluator_config key or a metric computed before it ({sorted(values)})"
            )
    return args


def _extra_metrics(
    extra: Sequence[EvaluationMetric],
    data: EvalData,
    y_pred: np.ndarray,
    values: dict[str, MetricValue],
    config: Mapping[str, Any],
) -> None:
    eval_df = pd.DataFrame({"prediction": y_pred, "target": data.targets})
    for metric in extra:
        result = metric.eval_fn(*_bind(metric, eval_df, data, values, config))
        if isinstance(result, int | float | np.number) and not isinstance(result, bool):
            result = MetricValue(aggregate_results={metric.name: float(result)})
        if not isinstance(result, MetricValue):
            raise InvalidArgumentError(
                f"extra metric {metric.name!r} returned {type(result).__name__}; it must "
                "return a number or a MetricValue"
            )
        key = f"{metric.name}/{metric.version}" if metric.version else metric.name
        values[key] = result


def _flatten(values: Mapping[str, MetricValue], prefix: str) -> dict[str, Any]:
    """Metric name -> value: an aggregate named like its metric keeps the metric's name."""
    flat: dict[str, Any] = {}
    for name, value in values.items():
        for agg, number in (value.aggregate_results or {}).items():
            if number is None:
                continue
            key = name if agg == name.split("/")[0] else f"{name}/{agg}"
            flat[prefix + key] = number.item() if isinstance(number, np.generic) else number
    return flat


def _log(
    metrics: dict[str, Any], files: dict[str, Path], dataset: Any, model_id: str | None
) -> EvaluationResult:
    active = fluent.active_run()
    if active is None:
        with fluent.start_run():
            return _log(metrics, files, dataset, model_id)
    fluent.log_metrics(
        {k: float(v) for k, v in metrics.items()}, step=0, model_id=model_id, dataset=dataset
    )
    artifacts = {}
    for name, path in files.items():
        fluent.log_artifact(path)
        uri = fluent.get_artifact_uri(path.name)
        artifacts[name] = EvaluationArtifact(uri=uri, content=read_content(path))
    return EvaluationResult(metrics=metrics, artifacts=artifacts, run_id=active.info.run_id)


def evaluate(  # noqa: PLR0913 - MLflow's signature, so MLflow code runs unchanged
    model: Any = None,
    data: Any = None,
    *,
    model_type: str,
    targets: str | None = None,
    predictions: str | None = None,
    dataset_path: str | None = None,
    feature_names: Sequence[str] | None = None,
    evaluators: str | Sequence[str] | None = None,
    evaluator_config: Mapping[str, Any] | None = None,
    extra_metrics: Sequence[EvaluationMetric] | None = None,
    custom_artifacts: Any = None,
    env_manager: str = "local",
    model_config: Mapping[str, Any] | None = None,
    inference_params: Mapping[str, Any] | None = None,
    model_id: str | None = None,
) -> EvaluationResult:
    """Evaluate a classifier or regressor on labelled data and log the results to the run.

    As ``mlflow.evaluate`` (MLflow's default evaluator, same metric names and values):
    ``model`` is a model URI (``runs:/``, ``models:/``, a path), a loaded model, a
    function of a pandas DataFrame, or None with ``predictions=`` naming a column of
    ``data`` that holds the outputs. ``data`` is a pandas or Spark DataFrame (collected;
    at most a million rows) or an ``lh.data`` dataset. The metrics go to the active run
    (a new one when none is active) and come back in ``result.metrics``; images (the
    confusion matrix, ROC and precision-recall curves) and ``eval_metrics.json`` are the
    run's artifacts, in ``result.artifacts``. ``dataset_path`` is accepted and unused.
    Example::

        result = lh.evaluate(model_info.model_uri, test_df, targets="label",
                             model_type="classifier")
        result.metrics["f1_score"], result.artifacts["confusion_matrix"].uri
    """
    _check_arguments(
        model_type,
        evaluators,
        env_manager,
        extra_metrics,
        {"custom_artifacts": custom_artifacts, "inference_params": inference_params},
    )
    config = _check_config(evaluator_config)
    if model_id is not None:
        fluent.get_logged_model(model_id)  # NotFoundError before anything is logged
    eval_data = read_data(
        data,
        targets=targets,
        predictions=predictions,
        feature_names=feature_names,
        has_model=model is not None,
    )
    predictor = resolve_model(model, model_config=model_config)
    model_id = model_id or (predictor.model_id if predictor else None)
    with tempfile.TemporaryDirectory(prefix="lh-evaluate-") as tmp:
        metrics, y_pred, files = _compute(
            model_type, eval_data, predictor, predictions, config, tmp
        )
        values = {k: MetricValue(aggregate_results={k: v}) for k, v in metrics.items()}
        _extra_metrics(extra_metrics or [], eval_data, y_pred, values, config)
        flat = _flatten(values, str(config.get("metric_prefix") or ""))
        files["eval_metrics"] = Path(tmp) / f"{config.get('metric_prefix') or ''}{METRICS_FILE}"
        files["eval_metrics"].write_text(json.dumps(flat, indent=2, sort_keys=True))
        return _log(flat, files, eval_data.dataset, model_id)


def _compute(
    model_type: str,
    data: EvalData,
    predictor: Predictor | None,
    predictions: str | None,
    config: Mapping[str, Any],
    tmp: str,
) -> tuple[dict[str, Any], np.ndarray, dict[str, Path]]:
    """The built-in metrics, the predictions and the files to log."""
    y_pred, proba = _predictions(predictor, data, predictions)
    weights = _weights(config, len(data.targets))
    metrics = _score(predictor, data, weights)
    if model_type == "classifier":
        values, files = _classifier(data, y_pred, proba, config, weights, Path(tmp))
    else:
        values, files = builtin.regressor_metrics(data.targets, y_pred, weights), {}
    return {**metrics, **values}, y_pred, files
