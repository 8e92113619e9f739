"""``lh.lightgbm``: save, log, load and autolog lightgbm models (``mlflow.lightgbm``'s calls).

Packages hold the library's native model files in MLflow's ``lightgbm`` layout, so
``mlflow.lightgbm.load_model`` loads them and ``lh.lightgbm.load_model`` loads MLflow's.
Example::

    info = lh.lightgbm.log_model(LGBMClassifier().fit(X, y), name="model", input_example=X.head(5))
    lh.lightgbm.load_model(info.model_uri).predict(X)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lakehouse.autologging.lightgbm import autolog
from lakehouse.models.flavors import lightgbm as _flavor
from lakehouse.models.mlmodel import MLModel
from lakehouse.registry import model_logging
from lakehouse.registry.model_logging import ModelInfo

__all__ = ["FLAVOR_NAME", "autolog", "load_model", "log_model", "save_model"]

FLAVOR_NAME = _flavor.FLAVOR_NAME


def save_model(lgb_model: Any, path: str | Path, **kwargs: Any) -> MLModel:
    """Save a fitted model as a package at ``path`` (sklearn-API models: cloudpickle)."""
    return _flavor.save_model(lgb_model, path, **kwargs)


def log_model(
    lgb_model: Any,
    name: str | None = None,
    *,
    artifact_path: str | None = None,
    registered_model_name: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log a fitted model into the active run (started if none) under ``name`` (``model``)."""
    return model_logging.log_model(
        lambda location: _flavor.save_model(lgb_model, location, **kwargs),
        name,
        artifact_path=artifact_path,
        registered_model_name=registered_model_name,
    )


def load_model(model_uri: str | Path) -> Any:
    """The model of a package (``runs:/``, ``models:/``, a local path or a URI)."""
    return _flavor.load_model(model_logging.model_folder(model_uri))
