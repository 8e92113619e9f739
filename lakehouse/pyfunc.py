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

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError
from lakehouse.models.flavors import pyfunc as _flavor
from lakehouse.models.flavors.pyfunc import PythonModel, PythonModelContext
from lakehouse.models.mlmodel import MLModel
from lakehouse.models.package import package_origin
from lakehouse.models.pyfunc_model import PyFuncModel, load_pyfunc
from lakehouse.models.signature import ModelSignature
from lakehouse.registry.fluent import register_model
from lakehouse.registry.uris import resolve_model_uri
from lakehouse.tracking import fluent
from lakehouse.tracking.client import TrackingClient

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
]

FLAVOR_NAME = _flavor.FLAVOR_NAME
# log_model lives here (and lh.sklearn / lh.spark_ml call it) as mlflow.sklearn calls
# into mlflow.pyfunc: the composition of models/ with tracking and the registry.
HISTORY_TAG = "mlflow.log-model.history"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelInfo:
    """What ``log_model`` returns (MLflow's ``ModelInfo`` fields)."""

    model_uri: str
    run_id: str
    artifact_path: str
    flavors: dict[str, Any] = field(default_factory=dict)
    signature: ModelSignature | None = None
    model_uuid: str = ""
    utc_time_created: str = ""
    saved_input_example_info: dict[str, Any] | None = None
    registered_model_version: int | None = None


def _artifact_path_of(name: str | None, artifact_path: str | None) -> str:
    """MLflow 3 calls it ``name``, MLflow 2 ``artifact_path``: accept either, not both."""
    if name and artifact_path and name != artifact_path:
        raise InvalidArgumentError(
            f"pass the model's path in the run once: name={name!r} or "
            f"artifact_path={artifact_path!r}, not both"
        )
    chosen = (name or artifact_path or "model").strip("/")
    if not chosen or ".." in chosen.split("/"):
        raise InvalidArgumentError(
            f"invalid model path {chosen!r} in the run; use a relative path such as 'model'"
        )
    return chosen


def _append_history(run_id: str, meta: MLModel) -> None:
    client = TrackingClient()
    data = getattr(client.get_run(run_id), "data", None)
    tags = dict(getattr(data, "tags", None) or {})
    try:
        history = json.loads(tags.get(HISTORY_TAG, "[]"))
    except ValueError:
        history = []
    history.append(
        {
            "run_id": run_id,
            "artifact_path": meta.artifact_path,
            "utc_time_created": meta.utc_time_created,
            "model_uuid": meta.model_uuid,
            "flavors": meta.flavors,
        }
    )
    client.set_tag(run_id, HISTORY_TAG, json.dumps(history))


def _log_with(
    save: Callable[[str], MLModel],
    artifact_path: str,
    *,
    registered_model_name: str | None = None,
) -> ModelInfo:
    """Run ``save(location)`` for the active run's ``artifact_path``; record and register it."""
    run = fluent.active_run() or fluent.start_run()
    run_id = run.info.run_id
    location = paths.join(run.info.artifact_uri, artifact_path)
    with package_origin(run_id, artifact_path):
        meta = save(location)
    _append_history(run_id, meta)
    model_uri = f"runs:/{run_id}/{artifact_path}"
    version = None
    if registered_model_name:
        version = int(register_model(model_uri, registered_model_name).version)
    return ModelInfo(
        model_uri=model_uri,
        run_id=run_id,
        artifact_path=artifact_path,
        flavors=meta.flavors,
        signature=meta.signature,
        model_uuid=meta.model_uuid,
        utc_time_created=meta.utc_time_created,
        saved_input_example_info=meta.saved_input_example_info,
        registered_model_version=version,
    )


def save_model(path: str | Path, python_model: Any = None, **kwargs: Any) -> MLModel:
    """Save a custom model with its ``artifacts`` and ``code_paths`` as a package at ``path``."""
    return _flavor.save_model(path, python_model, **kwargs)


def log_model(
    name: str | None = None,
    python_model: Any = None,
    *,
    artifact_path: str | None = None,
    registered_model_name: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log a custom model into the active run (started if none) under ``name``."""
    path = _artifact_path_of(name, artifact_path)
    return _log_with(
        lambda location: _flavor.save_model(location, python_model, **kwargs),
        path,
        registered_model_name=registered_model_name,
    )


def load_model(model_uri: str | Path) -> PyFuncModel:
    """Load any package as a generic model with ``predict(data, params=None)``.

    ``model_uri`` is ``runs:/<run_id>/<path>``, ``models:/<name>/<version>``,
    ``models:/<name>@<alias>``, a local path or a storage URI. Loads of run and
    registry packages are cached per process (they never change); aliases are
    resolved at every call.
    """
    resolved = resolve_model_uri(model_uri)
    return load_pyfunc(resolved.location, cache=resolved.immutable)
