"""``lh.xgboost``: save, log, load and autolog xgboost models (``mlflow.xgboost``'s calls).

Packages hold the library's native model files in MLflow's ``xgboost`` layout, so
``mlflow.xgboost.load_model`` loads them and ``lh.xgboost.load_model`` loads MLflow's.
Example::

    info = lh.xgboost.log_model(XGBClassifier().fit(X, y), name="model", input_example=X.head(5))
    lh.xgboost.load_model(info.model_uri).predict(X)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lakehouse.autologging.xgboost import autolog
from lakehouse.models.flavors import xgboost as _flavor
from lakehouse.models.mlmodel import MLModel
from lakehouse.registry import model_logging
from lakehouse.registry.model_logging import ModelInfo

__all__ = ["FLAVOR_NAME", "autolog", "load_model", "log_model", "save_model"]

FLAVOR_NAME = _flavor.FLAVOR_NAME


def save_model(xgb_model: Any, path: str | Path, **kwargs: Any) -> MLModel:
    """Save a fitted model as a package at ``path`` (``model_format``: ubj, json or xgb)."""
    return _flavor.save_model(xgb_model, path, **kwargs)


def log_model(
    xgb_model: Any,
    name: str | None = None,
    *,
    artifact_path: str | None = None,
    registered_model_name: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log a fitted model into the active run (started if none) under ``name`` (``model``)."""
    return model_logging.log_model(
        lambda location: _flavor.save_model(xgb_model, location, **kwargs),
        name,
        artifact_path=artifact_path,
        registered_model_name=registered_model_name,
    )


def load_model(model_uri: str | Path) -> Any:
    """The model of a package (``runs:/``, ``models:/``, a local path or a URI)."""
    return _flavor.load_model(model_logging.model_folder(model_uri))
