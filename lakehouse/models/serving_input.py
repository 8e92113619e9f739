"""MLflow's serving-input helpers: the scoring server's request body, checked offline.

MLflow writes ``serving_input_example.json`` beside a logged model and offers three
helpers around it, here under the same names (``lakehouse.models``):

* :func:`convert_input_example_to_serving_input`: an input example as the JSON body a
  scoring server takes (``{"dataframe_split": ...}`` or ``{"inputs": ...}``);
* :func:`validate_serving_input`: load the model, parse a body as a scoring server
  does, predict, and return the predictions (a bad body gets a clear error first);
* :func:`set_signature`: replace the signature in a logged package's ``MLmodel``
  (never a registered version's: those are immutable).

Request bodies hold exactly one of ``dataframe_split``, ``dataframe_records``,
``instances`` or ``inputs``, and optionally ``params``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError
from lakehouse.models.mlmodel import (
    MLMODEL,
    MLModel,
    example_frame,
    serving_body,
    with_signature_types,
)
from lakehouse.models.pyfunc_model import forget, load_pyfunc, local_folder
from lakehouse.models.signature import ModelSignature
from lakehouse.models.uris import package_location
from lakehouse.store import files

__all__ = [
    "INPUT_KEYS",
    "convert_input_example_to_serving_input",
    "parse_serving_input",
    "set_signature",
    "validate_serving_input",
]

INPUT_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")


def convert_input_example_to_serving_input(input_example: Any) -> str | None:
    """``input_example`` as a scoring server's JSON request body (``None`` for ``None``)."""
    if input_example is None:
        return None
    return json.dumps(serving_body(example_frame(input_example)), indent=2)


def _body(serving_input: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    body = serving_input
    if isinstance(serving_input, str | bytes):
        try:
            body = json.loads(serving_input)
        except json.JSONDecodeError as exc:
            raise InvalidArgumentError(f"serving input is not valid JSON: {exc}") from exc
    if not isinstance(body, Mapping):
        raise InvalidArgumentError(
            f"serving input must be a JSON object holding one of {', '.join(INPUT_KEYS)}; "
            f"got {type(body).__name__}"
        )
    given = [k for k in INPUT_KEYS if k in body]
    unknown = sorted(set(body) - {*INPUT_KEYS, "params"})
    if len(given) != 1 or unknown:
        raise InvalidArgumentError(
            f"serving input must hold exactly one of {', '.join(INPUT_KEYS)} (and optionally "
            f"params); got keys {sorted(body)}"
        )
    if "params" in body and not isinstance(body["params"], Mapping):
        raise InvalidArgumentError(
            f"serving input 'params' must be an object of name: value, got {body['params']!r}"
        )
    return body


def _split_frame(value: Any) -> pd.DataFrame:
    if not isinstance(value, Mapping) or "data" not in value:
        raise InvalidArgumentError(
            "serving input 'dataframe_split' must be an object with 'data' (and 'columns'), "
            f"got {value!r:.200}"
        )
    return pd.DataFrame(value["data"], columns=value.get("columns"), index=value.get("index"))


def _tensor_input(value: Any, meta: MLModel) -> Any:
    """``instances``/``inputs``: columns for a column signature, arrays otherwise."""
    schema = meta.signature.inputs if meta.signature is not None else None
    columns = schema is not None and not schema.is_tensor_spec()
    if isinstance(value, Mapping):
        if columns:
            return pd.DataFrame({k: np.atleast_1d(v) for k, v in value.items()})
        return {k: np.asarray(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return pd.DataFrame.from_records(value)
    return np.asarray(value)


def parse_serving_input(
    serving_input: str | bytes | Mapping[str, Any], meta: MLModel
) -> tuple[Any, dict[str, Any] | None]:
    """A request body as the model's input and params, as a scoring server parses it."""
    body = _body(serving_input)
    if "dataframe_split" in body:
        data: Any = _split_frame(body["dataframe_split"])
    elif "dataframe_records" in body:
        records = body["dataframe_records"]
        if not isinstance(records, list):
            raise InvalidArgumentError(
                f"serving input 'dataframe_records' must be a list of rows, got {records!r:.200}"
            )
        data = pd.DataFrame.from_records(records)
    else:
        data = _tensor_input(body.get("instances", body.get("inputs")), meta)
    if isinstance(data, pd.DataFrame):
        data = with_signature_types(data, meta)
    params = body.get("params")
    return data, dict(params) if params is not None else None


def validate_serving_input(
    model_uri: str | Path, serving_input: str | bytes | Mapping[str, Any]
) -> Any:
    """Load the model, parse ``serving_input`` as a scoring server would, and predict.

    Returns the predictions; a body of the wrong shape or a column that does not fit
    the signature raises an error that names it.
    """
    found = package_location(model_uri)
    model = load_pyfunc(found.location, cache=found.immutable)
    data, params = parse_serving_input(serving_input, model.metadata)
    return model.predict(data, params=params)


def set_signature(model_uri: str | Path, signature: ModelSignature) -> None:
    """Replace the signature of the package at ``model_uri`` (a run's package or a path).

    A registered version (``models:/<name>/<version>``) is immutable: set the
    signature on the run's package and register it again.
    """
    if not isinstance(signature, ModelSignature):
        raise InvalidArgumentError(
            f"signature must be a ModelSignature (see infer_signature), got {signature!r:.100}"
        )
    found = package_location(model_uri)
    if found.registered is not None:
        raise InvalidArgumentError(
            f"cannot set the signature of {model_uri!r}: registered model version "
            f"{found.registered} is immutable; set it on the run's package (runs:/...) and "
            "register that again"
        )
    folder = local_folder(found.location)  # a copy when the package is on object storage
    meta = MLModel.load(folder)
    meta.signature = signature
    meta.save(folder)
    if not paths.is_local(found.location):
        files.write_bytes(
            paths.join(found.location, MLMODEL), (Path(folder) / MLMODEL).read_bytes()
        )
    forget(found.location)  # a cached load of this package has the old signature
