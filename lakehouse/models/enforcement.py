"""Signature enforcement at ``predict``, with MLflow's rules.

For a column-based input schema:

- a missing required column is an error that names it and lists the columns present;
- extra columns are dropped with a warning; columns are put in the schema's order;
- each column must have the declared type or one that widens safely to it:
  ``int8/16/32 -> integer``, any int up to 64 bits ``-> long``, ``float32 -> double``,
  ``int8/16/32 -> double`` (exact), ``uint8/16 -> integer``, ``uint8/16/32 -> long``,
  ``datetime64[any unit] -> datetime``, ``object`` of str ``-> string``;
- every other mismatch is refused with an error naming the column, the expected and
  the actual type. ``int64 -> double`` is refused (a double cannot hold every int64
  exactly). MLflow accepts it when every value is 0 or 1; lakehouse does not, so a
  batch never passes or fails by the values it happens to hold. ``double -> float``,
  ``float -> integer`` and ``long -> integer`` are refused (they lose values).

For a tensor schema the dtype must match exactly and each fixed dimension of the
shape must match. Parameters: unknown ones are dropped with a warning, missing ones
take their default, ints widen to double, other mismatches are refused.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lakehouse.errors import SchemaMismatchError
from lakehouse.models.signature import (
    ColSpec,
    DataType,
    ParamSchema,
    ParamSpec,
    Schema,
    TensorSpec,
)

__all__ = ["enforce_params", "enforce_schema"]


def _mismatch(name: str, expected: str, actual: str, extra: str = "") -> SchemaMismatchError:
    return SchemaMismatchError(
        f"column {name!r}: expected type {expected}, got {actual}.{extra} Convert the column "
        "to the signature's type before predict (only safe widenings are applied for you)."
    )


def _widens(actual: np.dtype[Any], expected: DataType) -> bool:
    kind, size = actual.kind, actual.itemsize
    if expected is DataType.integer:
        return (kind == "i" and size <= 4) or (kind == "u" and size <= 2)
    if expected is DataType.long:
        return (kind == "i" and size <= 8) or (kind == "u" and size <= 4)
    if expected is DataType.float:
        return kind == "f" and size <= 4
    if expected is DataType.double:
        return (kind == "f" and size <= 8) or (kind in "iu" and size <= 4)
    return False


def _check_objects(name: str, values: pd.Series, expected: DataType) -> pd.Series:
    py = {DataType.string: str, DataType.binary: bytes, DataType.boolean: bool}.get(expected)
    present = values.dropna()
    if py is not None:
        bad = [v for v in present if not isinstance(v, py)]
        if bad:
            raise _mismatch(name, expected.value, f"object values of type {type(bad[0]).__name__}")
        return values
    if expected is DataType.datetime and all(isinstance(v, dt.date) for v in present):
        return values.astype("datetime64[ns]")
    inferred = values.infer_objects()
    if inferred.dtype != object:
        return _enforce_column(name, inferred, expected)
    types = sorted({type(v).__name__ for v in present})
    raise _mismatch(name, expected.value, f"object values of types {types}")


def _enforce_column(name: str, values: pd.Series, expected: DataType) -> pd.Series:
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype):
        if expected in (DataType.string, DataType.binary):
            return values
        raise _mismatch(name, expected.value, "string")
    if dtype == np.dtype("O"):
        return _check_objects(name, values, expected)
    if isinstance(dtype, pd.DatetimeTZDtype):
        if expected is DataType.datetime:
            return values
        raise _mismatch(name, expected.value, str(dtype))
    np_dtype = np.dtype(getattr(dtype, "numpy_dtype", dtype))
    if expected is DataType.datetime and np_dtype.kind == "M":
        return values.astype("datetime64[ns]")
    if np_dtype == expected.to_numpy():
        return values
    if _widens(np_dtype, expected):
        return values.astype(expected.to_numpy())
    hint = ""
    if np_dtype.kind == "f" and expected in (DataType.integer, DataType.long) and values.hasnans:
        hint = (
            " The column holds missing values, which pandas stores as floats: declare the "
            "column as double in the signature, or fill the missing values."
        )
    return _raise(name, expected, str(np_dtype), hint)


def _raise(name: str, expected: DataType, actual: str, hint: str) -> pd.Series:
    raise _mismatch(name, expected.value, actual, hint)


def _as_frame(data: Any, schema: Schema) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    if isinstance(data, Mapping):
        return pd.DataFrame({k: np.atleast_1d(v) for k, v in data.items()})
    if isinstance(data, np.ndarray) and data.ndim <= 2:
        arr = data.reshape(-1, 1) if data.ndim == 1 else data
        if arr.shape[1] == len(schema):
            return pd.DataFrame(arr, columns=schema.input_names() or None)
    if isinstance(data, list):
        return pd.DataFrame(data)
    raise SchemaMismatchError(
        f"input of type {type(data).__name__} does not fit the model's column signature "
        f"{schema.input_names() or [str(s.type) for s in schema]}; pass a pandas DataFrame"
    )


def _enforce_columns(data: Any, schema: Schema) -> pd.DataFrame:
    frame = _as_frame(data, schema)
    specs = [s for s in schema if isinstance(s, ColSpec)]
    if not schema.has_input_names():
        if frame.shape[1] != len(specs):
            raise SchemaMismatchError(
                f"the model expects {len(specs)} unnamed column(s), got {frame.shape[1]} "
                f"({list(frame.columns)})"
            )
        frame = frame.copy()
        for i, spec in enumerate(specs):
            if isinstance(spec.type, DataType):
                frame.iloc[:, i] = _enforce_column(f"#{i}", frame.iloc[:, i], spec.type)
        return frame
    present = [str(c) for c in frame.columns]
    missing = [s.name for s in specs if s.required and s.name not in present]
    if missing:
        raise SchemaMismatchError(
            f"input is missing required column(s) {missing}; the model expects "
            f"{schema.input_names()}, got {present}. Add the missing columns."
        )
    names = [s.name for s in specs if s.name in present]
    extra = [c for c in present if c not in names]
    if extra:
        warnings.warn(
            f"dropping column(s) {extra} that the model's signature does not name",
            UserWarning,
            stacklevel=4,
        )
    frame = frame.rename(columns=str)
    out = {}
    for spec in specs:
        if spec.name not in present:
            continue
        assert spec.name is not None
        column = frame[spec.name]
        out[spec.name] = (
            _enforce_column(spec.name, column, spec.type)
            if isinstance(spec.type, DataType)
            else column
        )
    return pd.DataFrame(out, index=frame.index)


def _enforce_tensor(name: str, arr: np.ndarray, spec: TensorSpec) -> np.ndarray:
    if arr.dtype != spec.dtype:
        raise SchemaMismatchError(
            f"tensor {name!r}: expected dtype {spec.dtype}, got {arr.dtype}. Cast the array "
            f"with .astype('{spec.dtype}') before predict."
        )
    ok = len(arr.shape) == len(spec.shape) and all(
        want in (-1, got) for want, got in zip(spec.shape, arr.shape, strict=True)
    )
    if not ok:
        raise SchemaMismatchError(
            f"tensor {name!r}: expected shape {spec.shape} (-1 = any size), got {arr.shape}"
        )
    return arr


def _enforce_tensors(data: Any, schema: Schema) -> Any:
    specs = [s for s in schema if isinstance(s, TensorSpec)]
    if schema.has_input_names():
        if not isinstance(data, Mapping | pd.DataFrame):
            raise SchemaMismatchError(
                f"the model expects named tensors {schema.input_names()}; pass a dict of arrays"
            )
        missing = [s.name for s in specs if s.name not in data]
        if missing:
            raise SchemaMismatchError(
                f"input is missing tensor(s) {missing}; expected {schema.input_names()}"
            )
        return {s.name: _enforce_tensor(str(s.name), np.asarray(data[s.name]), s) for s in specs}
    arr = data.to_numpy() if isinstance(data, pd.DataFrame | pd.Series) else np.asarray(data)
    return _enforce_tensor("input", arr, specs[0])


def enforce_schema(data: Any, schema: Schema) -> Any:
    """Check ``data`` against ``schema`` and return it with safe widenings applied."""
    if schema.is_tensor_spec():
        return _enforce_tensors(data, schema)
    return _enforce_columns(data, schema)


def _enforce_param(spec: ParamSpec, value: Any) -> Any:
    values = value if spec.shape is not None else [value]
    if spec.shape is not None and not isinstance(value, list | tuple | np.ndarray):
        raise SchemaMismatchError(
            f"parameter {spec.name!r}: expected a list of {spec.type.value}, got "
            f"{type(value).__name__}"
        )
    out = []
    for v in values:
        item = v.item() if isinstance(v, np.generic) else v
        if spec.type is DataType.double and isinstance(item, int) and not isinstance(item, bool):
            item = float(item)
        ok = {
            DataType.boolean: isinstance(item, bool),
            DataType.integer: isinstance(item, int) and not isinstance(item, bool),
            DataType.long: isinstance(item, int) and not isinstance(item, bool),
            DataType.float: isinstance(item, float),
            DataType.double: isinstance(item, float),
            DataType.string: isinstance(item, str),
            DataType.binary: isinstance(item, bytes),
            DataType.datetime: isinstance(item, dt.date | str),
        }[spec.type]
        if not ok:
            raise SchemaMismatchError(
                f"parameter {spec.name!r}: expected type {spec.type.value}, got "
                f"{type(item).__name__} ({item!r})"
            )
        out.append(item)
    return out if spec.shape is not None else out[0]


def enforce_params(params: Mapping[str, Any] | None, schema: ParamSchema | None) -> dict[str, Any]:
    """Check ``params`` against ``schema``; fill defaults; drop unknown names with a warning."""
    params = dict(params or {})
    if schema is None:
        if params:
            warnings.warn(
                f"ignoring params {sorted(params)}: the model's signature declares no params",
                UserWarning,
                stacklevel=3,
            )
        return {}
    known = {p.name: p for p in schema}
    unknown = sorted(set(params) - set(known))
    if unknown:
        warnings.warn(
            f"ignoring unknown params {unknown}; the model accepts {sorted(known)}",
            UserWarning,
            stacklevel=3,
        )
    return {
        name: _enforce_param(spec, params[name]) if name in params else spec.default
        for name, spec in known.items()
    }
