"""``lh.pyfunc``: custom Python models, and loading any package as a generic model.

Example::

    class Churn(lh.pyfunc.PythonModel):
        def load_context(self, context):
            self.model = joblib.load(context.artifacts["model"])
        def predict(self, context, model_input, params=None):
            return pd.DataFrame({"churn_probability": self.model.predict_proba(model_input)[:, 1]})

    info = lh.pyfunc.log_model(name="model", python_model=Churn(),
                               artifacts={"model": "model.joblib"}, input_example=X.head())
    model = lh.pyfunc.load_model(info.model_uri)   # also models:/main.ml.churn@champion
    model.predict(X)                               # signature enforced first
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lakehouse.models.flavors import pyfunc as _flavor
from lakehouse.models.flavors.pyfunc import PythonModel, PythonModelContext
from lakehouse.models.mlmodel import MLModel
from lakehouse.models.pyfunc_model import PyFuncModel
from lakehouse.registry import model_logging
from lakehouse.registry.model_logging import HISTORY_TAG, ModelInfo
from lakehouse.registry.uris import resolve_model_uri
from lakehouse.scoring import udf as _scoring

__all__ = [
    "FLAVOR_NAME",
    "HISTORY_TAG",
    "ModelInfo",
    "PyFuncModel",
    "PythonModel",
    "PythonModelContext",
    "load_model",
    "log_model",
    "save_model",
    "spark_udf",
]

FLAVOR_NAME = _flavor.FLAVOR_NAME


def save_model(path: str | Path, python_model: Any = None, **kwargs: Any) -> MLModel:
    """Save a custom model with its ``artifacts`` and ``code_paths`` as a package at ``path``.

    ``artifacts`` values may be local paths, storage URIs, ``runs:/`` or ``models:/`` URIs.
    """
    return _flavor.save_model(path, python_model, **_resolved(kwargs))


def _resolved(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``artifacts`` with ``runs:/`` and ``models:/`` URIs turned into storage URIs."""
    artifacts = kwargs.get("artifacts")
    if not artifacts:
        return kwargs
    resolved = {
        name: resolve_model_uri(str(uri)).location
        if str(uri).startswith(("runs:", "models:"))
        else uri
        for name, uri in artifacts.items()
    }
    return {**kwargs, "artifacts": resolved}


def log_model(
    name: str | None = None,
    python_model: Any = None,
    *,
    artifact_path: str | None = None,
    registered_model_name: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log a custom model into the active run (started if none) under ``name``.

    MLflow 3's ``params``, ``tags``, ``model_type`` and ``step`` go to the logged model
    (``ModelInfo.model_id``, ``models:/m-<id>``).
    """
    logged = model_logging.LoggedModelOptions.pop_from(kwargs)
    return model_logging.log_model(
        lambda location: _flavor.save_model(location, python_model, **_resolved(kwargs)),
        name,
        artifact_path=artifact_path,
        registered_model_name=registered_model_name,
        logged=logged,
    )


def load_model(model_uri: str | Path) -> PyFuncModel:
    """Load any package as a generic model with ``predict(data, params=None)``.

    ``model_uri`` is ``runs:/<run_id>/<path>``, ``models:/<name>/<version>``,
    ``models:/<name>@<alias>``, a local path or a storage URI. Loads of run and
    registry packages are cached per process (they never change); aliases are
    resolved at every call.
    """
    return model_logging.load_pyfunc_model(model_uri)


def spark_udf(
    spark: Any,
    model_uri: str | Path,
    result_type: Any = "double",
    env_manager: str = "local",
    params: dict[str, Any] | None = None,
) -> _scoring.ModelUdf:
    """A Spark column function scoring with the model, pinned to the version resolved now.

    See :func:`lakehouse.scoring.spark_udf`. Example::

        predict = lh.pyfunc.spark_udf(spark, "models:/main.ml.churn@champion")
        df.withColumn("churn_probability", predict())
    """
    return _scoring.spark_udf(spark, model_uri, result_type, env_manager, params)
