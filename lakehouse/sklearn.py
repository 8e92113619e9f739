"""``lh.sklearn``: save, log and load scikit-learn models (``mlflow.sklearn``'s calls).

Example::

    import lakehouse as lh
    info = lh.sklearn.log_model(pipeline, name="model", input_example=X.head(5),
                                registered_model_name="main.ml.churn")
    model = lh.sklearn.load_model(info.model_uri)      # the estimator
    lh.pyfunc.load_model(info.model_uri).predict(X)    # through the signature

Packages are written with cloudpickle by default (see
:mod:`lakehouse.models.flavors.sklearn` for why); ``serialization_format="skops"``
or ``"pickle"`` on request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lakehouse.autologging.sklearn import autolog
from lakehouse.models.flavors import sklearn as _flavor
from lakehouse.models.mlmodel import MLModel
from lakehouse.registry import model_logging
from lakehouse.registry.model_logging import ModelInfo

__all__ = [
    "FLAVOR_NAME",
    "SERIALIZATION_FORMATS",
    "autolog",
    "load_model",
    "log_model",
    "save_model",
]

FLAVOR_NAME = _flavor.FLAVOR_NAME
SERIALIZATION_FORMATS = _flavor.SERIALIZATION_FORMATS


def save_model(sk_model: Any, path: str | Path, **kwargs: Any) -> MLModel:
    """Save an estimator as a package at ``path`` (see :func:`lakehouse.models.flavors.sklearn.save_model`)."""  # noqa: E501
    return _flavor.save_model(sk_model, path, **kwargs)


def log_model(
    sk_model: Any,
    name: str | None = None,
    *,
    artifact_path: str | None = None,
    registered_model_name: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log an estimator into the active run (started if none) under ``name`` (default ``model``).

    Takes ``save_model``'s keywords (``signature``, ``input_example``,
    ``serialization_format``, ``pyfunc_predict_fn``, ``pip_requirements``...);
    registers it as the next version of ``registered_model_name`` when given.
    MLflow 3's ``params``, ``tags``, ``model_type`` and ``step`` go to the logged model
    (``ModelInfo.model_id``, ``models:/m-<id>``).
    """
    logged = model_logging.LoggedModelOptions.pop_from(kwargs)
    return model_logging.log_model(
        lambda location: _flavor.save_model(sk_model, location, **kwargs),
        name,
        artifact_path=artifact_path,
        registered_model_name=registered_model_name,
        logged=logged,
    )


def load_model(model_uri: str | Path) -> Any:
    """The estimator of a package: ``runs:/``, ``models:/``, a local path or a URI."""
    return _flavor.load_model(model_logging.model_folder(model_uri))
