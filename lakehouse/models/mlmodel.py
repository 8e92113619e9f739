"""The ``MLmodel`` file: what a model package holds and how to load it (MLflow's format).

A package is a folder::

    MLmodel                      YAML: flavors, signature, input example info, uuid, time
    model.pkl | python_model.pkl | sparkml/     the serialized model (per flavor)
    requirements.txt  python_env.yaml  conda.yaml
    input_example.json  serving_input_example.json   (when an example was given)
    code/  artifacts/            (pyfunc: code_paths and artifacts)

:class:`MLModel` reads and writes the YAML with MLflow's keys, so MLflow reads our
packages and we read theirs. Unknown keys are kept and written back.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from lakehouse.errors import InvalidArgumentError, InvalidModelError
from lakehouse.models.environment import installed_version
from lakehouse.models.signature import DataType, ModelSignature

__all__ = [
    "MLMODEL",
    "PYFUNC",
    "MLModel",
    "example_frame",
    "load_input_example",
    "save_input_example",
    "serving_body",
    "with_signature_types",
]

MLMODEL = "MLmodel"
PYFUNC = "python_function"
_EXAMPLE = "input_example.json"
_SERVING_EXAMPLE = "serving_input_example.json"
_KNOWN = {
    "artifact_path",
    "flavors",
    "model_uuid",
    "run_id",
    "saved_input_example_info",
    "signature",
    "utc_time_created",
}


def _lakehouse_version() -> str:
    return installed_version("lakehouse") or "0+unknown"  # "": running from a source tree


@dataclass(slots=True, kw_only=True)
class MLModel:
    """The content of an ``MLmodel`` file."""

    flavors: dict[str, dict[str, Any]] = field(default_factory=dict)
    signature: ModelSignature | None = None
    saved_input_example_info: dict[str, Any] | None = None
    model_uuid: str = field(default_factory=lambda: uuid.uuid4().hex)
    utc_time_created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    )
    run_id: str | None = None
    artifact_path: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def add_flavor(self, name: str, **conf: Any) -> None:
        """Add (or replace) a flavor's configuration block."""
        self.flavors[name] = conf

    def to_dict(self) -> dict[str, Any]:
        """The YAML mapping, with MLflow's keys."""
        out: dict[str, Any] = {"flavors": self.flavors}
        if self.artifact_path is not None:
            out["artifact_path"] = self.artifact_path
        if self.run_id is not None:
            out["run_id"] = self.run_id
        if self.signature is not None:
            out["signature"] = self.signature.to_dict()
        if self.saved_input_example_info is not None:
            out["saved_input_example_info"] = self.saved_input_example_info
        out["model_uuid"] = self.model_uuid
        out["utc_time_created"] = self.utc_time_created
        out.setdefault("lakehouse_version", _lakehouse_version())
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    def save(self, folder: str | Path) -> None:
        """Write ``<folder>/MLmodel``."""
        text = yaml.safe_dump(self.to_dict(), default_flow_style=False, sort_keys=True)
        (Path(folder) / MLMODEL).write_text(text)

    @classmethod
    def load(cls, folder: str | Path) -> MLModel:
        """Read ``<folder>/MLmodel``; :class:`InvalidModelError` if missing or corrupt."""
        path = Path(folder) / MLMODEL
        if not path.is_file():
            raise InvalidModelError(
                f"no {MLMODEL} file at {path}: {folder} is not a model package. Expected a "
                "folder written by save_model/log_model (lakehouse or MLflow); check the path."
            )
        try:
            data = yaml.safe_load(path.read_text())
            if not isinstance(data, dict) or not isinstance(data.get("flavors"), dict):
                raise ValueError("it has no 'flavors' mapping")
            signature = (
                ModelSignature.from_dict(data["signature"]) if data.get("signature") else None
            )
        except (yaml.YAMLError, ValueError, KeyError, TypeError) as exc:
            raise InvalidModelError(
                f"the {MLMODEL} file at {path} is corrupt ({exc}). Re-save the model with "
                "save_model/log_model."
            ) from None
        return cls(
            flavors=data["flavors"],
            signature=signature,
            saved_input_example_info=data.get("saved_input_example_info"),
            model_uuid=str(data.get("model_uuid") or uuid.uuid4().hex),
            utc_time_created=str(data.get("utc_time_created", "")),
            run_id=data.get("run_id"),
            artifact_path=data.get("artifact_path"),
            extra={k: v for k, v in data.items() if k not in _KNOWN},
        )


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"cannot write {type(value).__name__} into input_example.json")


def _jsonable(frame: pd.DataFrame) -> dict[str, Any]:
    rows = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    # Round-trip through json so numpy scalars become plain numbers (full precision).
    return {
        "columns": [str(c) for c in frame.columns],
        "data": json.loads(json.dumps(rows, default=_json_default)),
    }


def example_frame(example: Any) -> pd.DataFrame | np.ndarray:
    """An input example as pandas (or numpy for tensors), whatever it was given as."""
    if isinstance(example, pd.DataFrame | np.ndarray):
        return example
    if isinstance(example, pd.Series):
        return example.to_frame()
    if isinstance(example, dict):
        return pd.DataFrame({k: np.atleast_1d(v) for k, v in example.items()})
    if isinstance(example, list):
        return pd.DataFrame(example)
    if type(example).__module__.startswith("pyspark."):
        return example.limit(10).toPandas()
    raise InvalidArgumentError(
        f"input_example of type {type(example).__name__} is not supported; pass a pandas "
        "DataFrame, a dict of columns, a numpy array or a Spark DataFrame"
    )


def save_input_example(folder: str | Path, example: pd.DataFrame | np.ndarray) -> dict[str, Any]:
    """Write ``input_example.json`` and ``serving_input_example.json``; returns the info."""
    folder = Path(folder)
    serving = serving_body(example)
    if isinstance(example, np.ndarray):
        body: dict[str, Any] = serving
        info: dict[str, Any] = {"type": "ndarray", "format": "tf-serving"}
    else:
        body = serving["dataframe_split"]
        info = {"type": "dataframe", "pandas_orient": "split"}
    (folder / _EXAMPLE).write_text(json.dumps(body))
    (folder / _SERVING_EXAMPLE).write_text(json.dumps(serving, indent=2))
    return {"artifact_path": _EXAMPLE, "serving_input_path": _SERVING_EXAMPLE, **info}


def load_input_example(folder: str | Path, meta: MLModel) -> pd.DataFrame | np.ndarray | None:
    """The package's input example, as a DataFrame or array (``None`` if it has none)."""
    info = meta.saved_input_example_info
    if not info:
        return None
    data = json.loads((Path(folder) / info["artifact_path"]).read_text())
    if info.get("type") == "ndarray":
        return np.asarray(data["inputs"])
    return with_signature_types(pd.DataFrame(data["data"], columns=data["columns"]), meta)


def with_signature_types(frame: pd.DataFrame, meta: MLModel) -> pd.DataFrame:
    """``frame`` read from JSON, its columns given the signature's types.

    JSON has no int32 or float32: a column the signature declares so comes back as
    int64/float64 and would fail the signature check.
    """
    schema = meta.signature.inputs if meta.signature is not None else None
    if schema is not None and not schema.is_tensor_spec():
        for spec in schema:
            if spec.name in frame.columns and isinstance(spec.type, DataType):
                frame[spec.name] = frame[spec.name].astype(spec.type.to_numpy())
    return frame


def serving_body(example: pd.DataFrame | np.ndarray) -> dict[str, Any]:
    """The scoring server's request body for ``example`` (MLflow's serving input layout)."""
    if isinstance(example, np.ndarray):
        return {"inputs": example.tolist()}
    return {"dataframe_split": _jsonable(example)}
