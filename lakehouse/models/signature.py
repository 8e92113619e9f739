"""Model signatures, as MLflow writes them: column specs, tensor specs, parameters.

A :class:`ModelSignature` says what a model takes (``inputs``), what it returns
(``outputs``) and which inference parameters it accepts (``params``). It is stored
in the ``MLmodel`` file as JSON strings, in MLflow's exact format, so MLflow reads
ours and we read theirs. :func:`infer_signature` builds one from sample data::

    sig = infer_signature(X_train, model.predict(X_train), params={"threshold": 0.5})
    sig.inputs.input_names()   # ['plan', 'tenure_days', ...]

Enforcement of a signature at ``predict`` lives in :mod:`lakehouse.models.enforcement`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "ColSpec",
    "DataType",
    "ModelSignature",
    "ParamSchema",
    "ParamSpec",
    "Schema",
    "TensorSpec",
    "infer_signature",
]


class DataType(enum.Enum):
    """Column types of MLflow's signatures (the names MLflow writes)."""

    boolean = "boolean"
    integer = "integer"
    long = "long"
    float = "float"
    double = "double"
    string = "string"
    binary = "binary"
    datetime = "datetime"

    def to_numpy(self) -> np.dtype[Any]:
        """The numpy dtype a column of this type has in pandas."""
        return np.dtype(_NUMPY[self])


_NUMPY = {
    DataType.boolean: "bool",
    DataType.integer: "int32",
    DataType.long: "int64",
    DataType.float: "float32",
    DataType.double: "float64",
    DataType.string: "object",
    DataType.binary: "object",
    DataType.datetime: "datetime64[ns]",
}


@dataclass(frozen=True, slots=True)
class ColSpec:
    """One column: its type, optional name, and whether ``predict`` requires it.

    ``type`` is a :class:`DataType`, or the raw JSON of a type this package does not
    enforce (MLflow's array, object, map and Any types), kept so that it is written back.
    """

    type: DataType | dict[str, Any]
    name: str | None = None
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        """MLflow's JSON form of the column."""
        out: dict[str, Any] = (
            {"type": self.type.value} if isinstance(self.type, DataType) else dict(self.type)
        )
        if self.name is not None:
            out["name"] = self.name
        out["required"] = self.required
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColSpec:
        """Parse MLflow's JSON form of a column."""
        raw = {k: v for k, v in data.items() if k not in ("name", "required")}
        kind = raw.get("type")
        col_type: DataType | dict[str, Any]
        col_type = DataType(kind) if kind in DataType.__members__ else raw
        return cls(col_type, data.get("name"), bool(data.get("required", True)))


@dataclass(frozen=True, slots=True)
class TensorSpec:
    """A tensor input or output: a numpy dtype and a shape (``-1`` = any size)."""

    dtype: np.dtype[Any]
    shape: tuple[int, ...]
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's JSON form of the tensor."""
        out: dict[str, Any] = {
            "type": "tensor",
            "tensor-spec": {"dtype": str(self.dtype), "shape": list(self.shape)},
        }
        if self.name is not None:
            out["name"] = self.name
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TensorSpec:
        """Parse MLflow's JSON form of a tensor."""
        spec = data["tensor-spec"]
        return cls(np.dtype(spec["dtype"]), tuple(spec["shape"]), data.get("name"))


Spec = ColSpec | TensorSpec


@dataclass(frozen=True, slots=True)
class Schema:
    """An ordered list of column specs, or of tensor specs (never both)."""

    inputs: tuple[Spec, ...]

    def __init__(self, inputs: Sequence[Spec]) -> None:
        specs = tuple(inputs)
        if not specs:
            raise InvalidArgumentError("a Schema needs at least one ColSpec or TensorSpec")
        if len({type(s) for s in specs}) > 1:
            raise InvalidArgumentError(
                "a Schema holds either ColSpecs or TensorSpecs, not both: "
                f"got {[type(s).__name__ for s in specs]}"
            )
        names = [s.name for s in specs]
        if any(n is None for n in names) and any(n is not None for n in names):
            raise InvalidArgumentError(
                f"a Schema's specs are either all named or all unnamed; got names {names}"
            )
        object.__setattr__(self, "inputs", specs)

    def __iter__(self):  # noqa: ANN204
        return iter(self.inputs)

    def __len__(self) -> int:
        return len(self.inputs)

    def is_tensor_spec(self) -> bool:
        """True when the schema describes tensors rather than columns."""
        return isinstance(self.inputs[0], TensorSpec)

    def has_input_names(self) -> bool:
        """True when every spec has a name."""
        return self.inputs[0].name is not None

    def input_names(self) -> list[str]:
        """Names of the specs (in order); empty if unnamed."""
        return [s.name for s in self.inputs if s.name is not None]

    def required_input_names(self) -> list[str]:
        """Names of the columns ``predict`` refuses to run without."""
        return [
            s.name
            for s in self.inputs
            if s.name is not None and (isinstance(s, TensorSpec) or s.required)
        ]

    def to_json(self) -> str:
        """MLflow's JSON string form."""
        return json.dumps([s.to_dict() for s in self.inputs])

    @classmethod
    def from_json(cls, text: str) -> Schema:
        """Parse MLflow's JSON string form."""
        items = json.loads(text)
        return cls(
            [
                TensorSpec.from_dict(i) if i.get("type") == "tensor" else ColSpec.from_dict(i)
                for i in items
            ]
        )


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One inference parameter: name, type, default and shape (``None`` or ``(-1,)``)."""

    name: str
    type: DataType
    default: Any
    shape: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's JSON form."""
        default = self.default
        if isinstance(default, dt.datetime | dt.date):
            default = default.isoformat()
        return {
            "name": self.name,
            "default": default,
            "shape": list(self.shape) if self.shape is not None else None,
            "type": self.type.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ParamSpec:
        """Parse MLflow's JSON form."""
        shape = data.get("shape")
        return cls(
            data["name"],
            DataType(data["type"]),
            data.get("default"),
            tuple(shape) if shape is not None else None,
        )


@dataclass(frozen=True, slots=True)
class ParamSchema:
    """The inference parameters a model accepts (``predict(data, params=...)``)."""

    params: tuple[ParamSpec, ...]

    def __init__(self, params: Sequence[ParamSpec]) -> None:
        object.__setattr__(self, "params", tuple(params))

    def __iter__(self):  # noqa: ANN204
        return iter(self.params)

    def to_json(self) -> str:
        """MLflow's JSON string form."""
        return json.dumps([p.to_dict() for p in self.params])

    @classmethod
    def from_json(cls, text: str) -> ParamSchema:
        """Parse MLflow's JSON string form."""
        return cls([ParamSpec.from_dict(p) for p in json.loads(text)])


@dataclass(frozen=True, slots=True)
class ModelSignature:
    """What a model takes, returns, and which parameters it accepts."""

    inputs: Schema | None = None
    outputs: Schema | None = None
    params: ParamSchema | None = field(default=None)

    def to_dict(self) -> dict[str, str | None]:
        """The ``signature:`` block of an ``MLmodel`` file (JSON strings, as MLflow)."""
        return {
            "inputs": self.inputs.to_json() if self.inputs else None,
            "outputs": self.outputs.to_json() if self.outputs else None,
            "params": self.params.to_json() if self.params else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelSignature:
        """Parse the ``signature:`` block of an ``MLmodel`` file."""
        return cls(
            Schema.from_json(data["inputs"]) if data.get("inputs") else None,
            Schema.from_json(data["outputs"]) if data.get("outputs") else None,
            ParamSchema.from_json(data["params"]) if data.get("params") else None,
        )


# -- inference -----------------------------------------------------------------------


def _object_type(name: str, values: pd.Series) -> DataType:
    present = values.dropna()
    if present.empty:
        raise InvalidArgumentError(
            f"cannot infer the type of column {name!r}: it holds only missing values. "
            "Pass a sample with values, or build the signature with ColSpec."
        )
    for kind, py in (
        (DataType.string, str),
        (DataType.binary, bytes),
        (DataType.boolean, bool),
        (DataType.datetime, dt.date),
    ):
        if all(isinstance(v, py) for v in present):
            return kind
    found = sorted({type(v).__name__ for v in present})
    raise InvalidArgumentError(
        f"cannot infer the type of column {name!r}: its values are of types {found}; "
        "expected one of str, bytes, bool, datetime. Convert the column first."
    )


def _pandas_type(name: str, values: pd.Series) -> DataType:
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype):
        return DataType.string
    if isinstance(dtype, pd.DatetimeTZDtype) or dtype.kind == "M":
        return DataType.datetime
    if dtype == np.dtype("O"):
        return _object_type(name, values)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        dtype = np.dtype(getattr(dtype, "numpy_dtype", object))
    return _numpy_type(name, np.dtype(dtype))


def _numpy_type(name: str, dtype: np.dtype[Any]) -> DataType:
    kind, size = dtype.kind, dtype.itemsize
    if kind == "b":
        return DataType.boolean
    if kind in "iu":
        bits = size * 8 if kind == "i" else size * 8 + 1
        if bits <= 32:
            return DataType.integer
        if bits <= 64:
            return DataType.long
    if kind == "f":
        return DataType.float if size <= 4 else DataType.double
    if kind in "US":
        return DataType.string if kind == "U" else DataType.binary
    if kind == "M":
        return DataType.datetime
    raise InvalidArgumentError(
        f"column {name!r} has dtype {dtype}, which a signature cannot describe; expected "
        "bool, (u)int up to 32 bits, int64, float32/64, str, bytes or datetime64"
    )


_SPARK_TYPES = {
    "BooleanType": DataType.boolean,
    "ByteType": DataType.integer,
    "ShortType": DataType.integer,
    "IntegerType": DataType.integer,
    "LongType": DataType.long,
    "FloatType": DataType.float,
    "DoubleType": DataType.double,
    "DecimalType": DataType.double,
    "StringType": DataType.string,
    "BinaryType": DataType.binary,
    "DateType": DataType.datetime,
    "TimestampType": DataType.datetime,
    "TimestampNTZType": DataType.datetime,
}


def _is_spark_frame(data: Any) -> bool:
    return type(data).__module__.startswith("pyspark.") and hasattr(data, "schema")


def _spark_schema(df: Any) -> Schema:
    specs = []
    for f in df.schema.fields:
        kind = _SPARK_TYPES.get(type(f.dataType).__name__)
        if kind is None:
            raise InvalidArgumentError(
                f"column {f.name!r} has Spark type {f.dataType.simpleString()}, which a "
                f"signature cannot describe; expected one of {sorted(_SPARK_TYPES)}"
            )
        specs.append(ColSpec(kind, f.name))
    return Schema(specs)


def _schema_of(data: Any, what: str) -> Schema:
    if isinstance(data, pd.DataFrame):
        return Schema([ColSpec(_pandas_type(str(c), data[c]), str(c)) for c in data.columns])
    if isinstance(data, pd.Series):
        name = None if data.name is None else str(data.name)
        return Schema([ColSpec(_pandas_type(name or what, data), name)])
    if isinstance(data, np.ndarray):
        _numpy_type(what, data.dtype)  # refuses dtypes MLflow cannot describe
        return Schema([TensorSpec(data.dtype, (-1, *data.shape[1:]))])
    if _is_spark_frame(data):
        return _spark_schema(data)
    if isinstance(data, Mapping):
        return _schema_of(pd.DataFrame({k: np.atleast_1d(v) for k, v in data.items()}), what)
    if isinstance(data, list):
        return _schema_of(pd.Series(data), what)
    raise InvalidArgumentError(
        f"cannot infer a signature from {what} of type {type(data).__name__}; expected a "
        "pandas DataFrame or Series, a numpy array, a Spark DataFrame, a dict or a list"
    )


_PARAM_TYPES: tuple[tuple[type, DataType], ...] = (
    (bool, DataType.boolean),
    (int, DataType.long),
    (float, DataType.double),
    (str, DataType.string),
    (bytes, DataType.binary),
    (dt.date, DataType.datetime),
)


def _param_type(name: str, value: Any) -> DataType:
    for py, kind in _PARAM_TYPES:
        if isinstance(value, py | np.generic) and isinstance(
            value.item() if isinstance(value, np.generic) else value, py
        ):
            return kind
    raise InvalidArgumentError(
        f"parameter {name!r} has a value of type {type(value).__name__}; expected bool, "
        "int, float, str, bytes, datetime, or a list of one of these"
    )


def _param_spec(name: str, value: Any) -> ParamSpec:
    if isinstance(value, list | tuple | np.ndarray):
        items = list(value)
        if not items:
            raise InvalidArgumentError(f"parameter {name!r} is an empty list; give one value")
        kinds = {_param_type(name, v) for v in items}
        if len(kinds) > 1:
            raise InvalidArgumentError(
                f"parameter {name!r} mixes types {sorted(k.value for k in kinds)}; "
                "a list parameter holds one type"
            )
        return ParamSpec(name, kinds.pop(), items, (-1,))
    return ParamSpec(name, _param_type(name, value), value)


def infer_signature(
    model_input: Any = None,
    model_output: Any = None,
    params: Mapping[str, Any] | None = None,
) -> ModelSignature:
    """Infer a signature from sample inputs, outputs and parameter defaults.

    Inputs and outputs may be pandas DataFrames or Series, numpy arrays, Spark
    DataFrames, dicts of columns or lists. DataFrame columns become :class:`ColSpec`
    (pandas ``int64`` -> ``long``, ``int32`` -> ``integer``, ``float64`` ->
    ``double``, ``object`` of str -> ``string``...); arrays become :class:`TensorSpec`
    with a variable first dimension. Example::

        sig = infer_signature(X, model.predict(X), params={"threshold": 0.5})
    """
    return ModelSignature(
        _schema_of(model_input, "input") if model_input is not None else None,
        _schema_of(model_output, "output") if model_output is not None else None,
        ParamSchema([_param_spec(k, v) for k, v in params.items()]) if params else None,
    )
