"""What ``lh.evaluate`` evaluates: the data as pandas, and the model as predict functions.

Everything here only reads and checks; it logs nothing, so a bad argument fails before
a run is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lakehouse.errors import InvalidArgumentError
from lakehouse.models.pyfunc_model import PyFuncModel
from lakehouse.registry.model_logging import load_pyfunc_model
from lakehouse.registry.uris import logged_model_id

__all__ = [
    "MAX_COLLECTED_ROWS",
    "EvalData",
    "Predictor",
    "output_column",
    "read_data",
    "resolve_model",
]

# A Spark DataFrame is collected to the driver (the metrics are scikit-learn's): above this
# many rows the call is refused rather than risk the driver's memory.
MAX_COLLECTED_ROWS = 1_000_000

# Flavors whose native model MLflow calls directly (predict_proba, score), bypassing pyfunc
_RAW_LOADERS = ("mlflow.sklearn", "mlflow.xgboost", "mlflow.catboost")


@dataclass(frozen=True, slots=True)
class EvalData:
    """The evaluation data: features, targets, given predictions, the dataset if any."""

    features: pd.DataFrame
    targets: np.ndarray
    targets_name: str
    predictions: np.ndarray | None
    dataset: Any  # an lh.data dataset (logged as the run's input), or None


@dataclass(frozen=True, slots=True)
class Predictor:
    """How to get predictions (and class probabilities, and sklearn's score) from a model."""

    predict: Callable[[pd.DataFrame], Any]
    predict_proba: Callable[[pd.DataFrame], Any] | None
    sklearn_model: Any  # the estimator of an sklearn-flavor model (MLflow logs its score)
    model_id: str | None


def _is_spark(data: Any) -> bool:
    return type(data).__module__.startswith("pyspark.") and hasattr(data, "toPandas")


def _collect(df: Any) -> pd.DataFrame:
    rows = df.limit(MAX_COLLECTED_ROWS + 1).toPandas()
    if len(rows) > MAX_COLLECTED_ROWS:
        raise InvalidArgumentError(
            f"evaluate collects a Spark DataFrame to the driver and allows at most "
            f"{MAX_COLLECTED_ROWS:,} rows; this one has more: evaluate a sample "
            "(df.sample(fraction=...)) or a filtered part of it"
        )
    return rows


def _as_pandas(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if _is_spark(data):
        return _collect(data)
    raise InvalidArgumentError(
        "data must be a pandas DataFrame, a Spark DataFrame or an lh.data dataset "
        f"(from_pandas, from_spark, load_delta), got {type(data).__name__}"
    )


def _dataset_columns(
    data: Any, targets: str | None, predictions: str | None, has_model: bool
) -> tuple[str | None, str | None]:
    """(targets, predictions) of an lh.data dataset, which names them itself (MLflow's rule)."""
    if targets is not None:
        raise InvalidArgumentError(
            f"targets={targets!r} cannot be passed with a dataset: name the column in the "
            f"dataset (lh.data.from_pandas(df, targets={targets!r})) and pass targets=None"
        )
    if predictions is not None and not has_model:
        raise InvalidArgumentError(
            f"predictions={predictions!r} cannot be passed with a dataset: name the column in "
            f"the dataset (lh.data.from_pandas(df, predictions={predictions!r}))"
        )
    if has_model and data.predictions is not None:
        raise InvalidArgumentError(
            f"the dataset names a predictions column ({data.predictions!r}) and a model is "
            "given: pass one of them (model=None to evaluate the column)"
        )
    return data.targets, data.predictions if not has_model else predictions


def _column(df: pd.DataFrame, name: str, what: str) -> np.ndarray:
    if name not in df.columns:
        raise InvalidArgumentError(
            f"{what} column {name!r} is not in the data; its columns are {list(df.columns)}"
        )
    return df[name].to_numpy()


def read_data(
    data: Any,
    *,
    targets: str | None,
    predictions: str | None,
    feature_names: Sequence[str] | None,
    has_model: bool,
) -> EvalData:
    """Check and read ``data`` (pandas, Spark or an lh.data dataset) into :class:`EvalData`."""
    if data is None:
        raise InvalidArgumentError("data is required: a pandas or Spark DataFrame, or a dataset")
    dataset = None
    if hasattr(data, "digest") and hasattr(data, "df") and hasattr(data, "targets"):
        dataset = data
        targets, predictions = _dataset_columns(data, targets, predictions, has_model)
        data = data.df
    frame = _as_pandas(data)
    if targets is None:
        raise InvalidArgumentError(
            "targets= is required for classifier and regressor evaluation: the name of the "
            f"label column (the data's columns are {list(frame.columns)})"
        )
    y_true = _column(frame, targets, "targets")
    given = None
    if not has_model:
        if predictions is None:
            raise InvalidArgumentError(
                "evaluate needs a model or predictions=<column of data> holding its outputs"
            )
        given = _column(frame, predictions, "predictions")
    elif predictions is not None and predictions in frame.columns:
        raise InvalidArgumentError(
            f"a model and predictions={predictions!r}, a column of the data, were both given: "
            "pass model=None to evaluate the column, or drop predictions= to run the model"
        )
    drop = [c for c in (targets, None if has_model else predictions) if c is not None]
    if feature_names is not None:
        missing = [c for c in feature_names if c not in frame.columns]
        if missing:
            raise InvalidArgumentError(
                f"feature_names {missing} are not in the data; its columns are "
                f"{list(frame.columns)}"
            )
        features = frame[list(feature_names)]
    else:
        features = frame.drop(columns=drop)
    return EvalData(features.copy(), y_true, targets, given, dataset)


def _raw_predict(raw: Any) -> Callable[[pd.DataFrame], Any]:
    """The native model's predict; an XGBoost Booster's takes a DMatrix, built here (as MLflow)."""
    if type(raw).__module__.startswith("xgboost") and type(raw).__name__ == "Booster":
        import xgboost

        return lambda df: raw.predict(xgboost.DMatrix(df))
    return raw.predict


def resolve_model(model: Any, *, model_config: Any) -> Predictor | None:
    """A model URI, a loaded :class:`PyFuncModel` or a function as a :class:`Predictor`."""
    if model is None:
        return None
    model_id = None
    if isinstance(model, str | Path):
        if model_config:
            raise InvalidArgumentError(
                "model_config= is not supported: lakehouse models take no load-time "
                "configuration; pass model_config=None"
            )
        model_id = logged_model_id(str(model))
        model = load_pyfunc_model(model)
    elif model_config:
        raise InvalidArgumentError(
            "model_config= goes with a model URI only (as MLflow): pass model_config=None"
        )
    if isinstance(model, PyFuncModel):
        if model.loader_module in _RAW_LOADERS:
            raw = model.get_raw_model()
            sklearn_model = raw if model.loader_module == "mlflow.sklearn" else None
            proba = getattr(raw, "predict_proba", None)
            return Predictor(_raw_predict(raw), proba, sklearn_model, model_id)
        return Predictor(model.predict, None, None, model_id)
    if callable(model):
        return Predictor(model, None, None, None)
    raise InvalidArgumentError(
        "model must be a model URI (runs:/, models:/ or a path), a model loaded with "
        f"lh.pyfunc.load_model, a function, or None; got {type(model).__name__}"
    )


def output_column(output: Any, name: str | None) -> np.ndarray:
    """The one column of predictions in a model's output (``name`` picks among several)."""
    if isinstance(output, dict):
        output = pd.DataFrame(output)
    if isinstance(output, pd.DataFrame):
        if name is not None and name in output.columns:
            return output[name].to_numpy()
        if len(output.columns) == 1:
            return output.iloc[:, 0].to_numpy()
        raise InvalidArgumentError(
            f"the model returned columns {list(output.columns)}: pass predictions=<one of "
            "them> to say which holds the predictions"
        )
    array = np.asarray(output)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise InvalidArgumentError(
            f"the model returned an array of shape {array.shape}; evaluate needs one "
            "prediction per row"
        )
    return array
