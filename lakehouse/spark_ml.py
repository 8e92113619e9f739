"""``lh.spark_ml``: save, log and load ``pyspark.ml`` models (``mlflow.spark``'s calls).

Named ``spark_ml`` because ``lh.spark`` is the session function. Example::

    info = lh.spark_ml.log_model(pipeline_model, name="model", input_example=train.limit(5))
    lh.spark_ml.load_model(info.model_uri).transform(spark_df)   # native, distributed
    lh.pyfunc.load_model(info.model_uri).predict(pandas_df)       # small inputs
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lakehouse.autologging.spark_ml import autolog
from lakehouse.models.flavors import spark as _flavor
from lakehouse.models.mlmodel import MLModel
from lakehouse.registry import model_logging
from lakehouse.registry.model_logging import ModelInfo

__all__ = ["FLAVOR_NAME", "autolog", "load_model", "log_model", "save_model"]

FLAVOR_NAME = _flavor.FLAVOR_NAME


def save_model(spark_model: Any, path: str | Path, **kwargs: Any) -> MLModel:
    """Save a fitted Spark ML model as a package at ``path``."""
    return _flavor.save_model(spark_model, path, **kwargs)


def log_model(
    spark_model: Any,
    name: str | None = None,
    *,
    artifact_path: str | None = None,
    registered_model_name: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log a fitted Spark ML model into the active run (started if none).

    MLflow 3's ``params``, ``tags``, ``model_type`` and ``step`` go to the logged model
    (``ModelInfo.model_id``, ``models:/m-<id>``).
    """
    logged = model_logging.LoggedModelOptions.pop_from(kwargs)
    return model_logging.log_model(
        lambda location: _flavor.save_model(spark_model, location, **kwargs),
        name,
        artifact_path=artifact_path,
        registered_model_name=registered_model_name,
        logged=logged,
    )


def load_model(model_uri: str | Path) -> Any:
    """The ``PipelineModel`` of a package (``runs:/``, ``models:/``, a path or a URI)."""
    return _flavor.load_model(model_logging.model_folder(model_uri))
