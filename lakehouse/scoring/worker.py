"""What runs in the Python workers: the per-worker model cache and the batch loop.

Everything here is importable by reference on an executor (``lakehouse`` is
installed there), so the UDF's closure carries only a small :class:`WorkerSpec`
and the model itself is loaded once per Python worker process and kept in
``_MODELS`` for every later batch and task of that worker (Spark reuses Python
workers), as ``pyspark.ml.functions.predict_batch_udf`` does.

The batch loop works on Arrow arrays (``arrow_udf``, no pandas) for scikit-learn
estimators: the input columns are copied once into one numpy matrix (row-major
float32 for trees, column-major for linear models, where each column is one
contiguous copy) and handed to the estimator's ``predict_fn``; sklearn's
per-call finiteness scan is replaced by one sum when that shows it is moot.
Models that need named columns (pipelines with column selectors, custom pyfunc
models) get a pandas DataFrame built straight from the Arrow batch.
"""

from __future__ import annotations

import os
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from lakehouse.errors import InvalidArgumentError, SchemaMismatchError

__all__ = ["WorkerSpec", "loads_in_this_process", "predict_batches"]

_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()
# How many times this process loaded a model (tests read it through the UDF).
_LOAD_COUNT: dict[str, int] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSpec:
    """What a worker needs to load and call the model: small and picklable.

    ``kinds`` holds, per bound input, the signature's type name (``"double"``...)
    or ``None`` when the signature does not constrain it. ``result`` is the Spark
    result type's JSON (``DataType.json()``).
    """

    key: str
    location: str
    shipped: str | None
    flavor: str
    predict_fn: str
    names: tuple[str, ...]
    kinds: tuple[str | None, ...]
    result: str
    params: Mapping[str, Any] | None = None
    batch_rows: int = 10_000


def loads_in_this_process(key: str) -> int:
    """How many times this process loaded the model ``key`` (1 once warm)."""
    return _LOAD_COUNT.get(key, 0)


# -- loading ---------------------------------------------------------------------------


def _unpack(name: str) -> str:
    """The shipped archive ``name`` (``SparkContext.addFile``) unpacked into a temp folder."""
    from pyspark import SparkFiles  # available in every Python worker

    target = tempfile.mkdtemp(prefix="lakehouse-model-")
    with zipfile.ZipFile(SparkFiles.get(name)) as archive:
        archive.extractall(target)
    return target


def _folder(spec: WorkerSpec) -> str:
    if spec.shipped:
        return _unpack(spec.shipped)
    from lakehouse.models.pyfunc_model import local_folder

    return local_folder(spec.location)


def _load(spec: WorkerSpec) -> Any:
    folder = _folder(spec)
    if spec.flavor == "sklearn":
        from lakehouse.models.flavors.sklearn import load_model

        return load_model(folder)
    from lakehouse.models.pyfunc_model import load_pyfunc

    return load_pyfunc(folder)


def model_for(spec: WorkerSpec) -> Any:
    """The loaded model of ``spec``: loaded at the first call in this process, then cached."""
    model = _MODELS.get(spec.key)
    if model is not None:
        return model
    with _LOCK:
        if spec.key not in _MODELS:
            # Fitted on DataFrames, fed numpy: the names were checked on the driver.
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            _MODELS[spec.key] = _load(spec)
            _LOAD_COUNT[spec.key] = _LOAD_COUNT.get(spec.key, 0) + 1
        return _MODELS[spec.key]


# -- inputs ----------------------------------------------------------------------------

# Arrow types of the input columns each signature type accepts (safe widenings only,
# as lakehouse.models.enforcement applies them); shared with the driver-side check.
ACCEPTED_ARROW_TYPES = {
    "double": ("double", "float", "int8", "int16", "int32", "uint8", "uint16"),
    "float": ("float",),
    "long": ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"),
    "integer": ("int8", "int16", "int32", "uint8", "uint16"),
    "boolean": ("bool",),
    "string": ("string", "large_string"),
    "binary": ("binary", "large_binary"),
    "datetime": ("date32[day]", "timestamp[us, tz=UTC]", "timestamp[us]"),
}


def check_arrow_types(names: tuple[str, ...], kinds: tuple[str | None, ...], arrays: list) -> None:
    """The cheap per-worker check: each Arrow input has a type its signature type accepts."""
    for name, kind, array in zip(names, kinds, arrays, strict=False):
        allowed = ACCEPTED_ARROW_TYPES.get(kind or "")
        if allowed is not None and str(array.type) not in allowed:
            raise SchemaMismatchError(
                f"column {name!r}: expected type {kind}, got {array.type}. Cast the column "
                "to the signature's type before scoring."
            )


def _columns(batch: Any, spec: WorkerSpec) -> list[pa.Array]:
    arrays = list(batch) if isinstance(batch, tuple | list) else [batch]
    if len(arrays) == 1 and pa.types.is_struct(arrays[0].type) and spec.names:
        struct = arrays[0]
        # flatten(), not field(): a null struct row gives null fields, not its children's.
        by_name = {struct.type.field(i).name: child for i, child in enumerate(struct.flatten())}
        missing = [n for n in spec.names if n not in by_name]
        if missing:
            raise SchemaMismatchError(
                f"the struct passed to the UDF lacks field(s) {missing}; the model expects "
                f"{list(spec.names)}, got {sorted(by_name)}"
            )
        return [by_name[n] for n in spec.names]
    return arrays


@dataclass(frozen=True, slots=True)
class Layout:
    """The estimator's input matrix: element type and memory order (``"C"`` or ``"F"``)."""

    dtype: np.dtype[Any]
    order: Literal["C", "F"]


def _frame(arrays: list[pa.Array], names: tuple[str, ...]) -> pd.DataFrame:
    if len(names) < len(arrays):  # no signature: columns are named by position, as MLflow
        names = tuple(str(i) for i in range(len(arrays)))
    return pa.Table.from_arrays(arrays, names=list(names[: len(arrays)])).to_pandas()


def _needs_names(model: Any) -> bool:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline

    return isinstance(model, Pipeline | ColumnTransformer | FeatureUnion)


def layout_for(model: Any, kinds: tuple[str | None, ...]) -> Layout | None:
    """The matrix for the numpy path, or ``None`` when the model needs a DataFrame."""
    if _needs_names(model) or any(k not in ("double", "float", "long", "integer") for k in kinds):
        return None
    from sklearn.ensemble._forest import BaseForest
    from sklearn.linear_model._base import LinearClassifierMixin, LinearModel
    from sklearn.tree import BaseDecisionTree

    # Trees predict on float32 (a float64 matrix would be copied once more) and walk
    # one row at a time, so a row's features sit together.
    if isinstance(model, BaseForest | BaseDecisionTree):
        return Layout(np.dtype(np.float32), "C")
    dtype = np.dtype(np.float32 if all(k == "float" for k in kinds) else np.float64)
    # A linear model is one matrix product, which reads either order: column-major
    # fills each column with one contiguous copy of its Arrow buffer.
    if isinstance(model, LinearModel | LinearClassifierMixin):
        return Layout(dtype, "F")
    return Layout(dtype, "C")


def finite_fast_path(method: Any) -> Any:
    """``method`` without sklearn's per-call finiteness scan when one sum shows it is moot.

    On a batch of a fast model (a linear one) sklearn's input validation costs as much
    as the prediction. A single sum is finite exactly when no value is NaN or infinite
    (or the sum overflows: then the estimator's own check runs, as it does for any
    batch with a NaN, which it rejects or handles as missing as it always would).
    """
    from sklearn import config_context

    def predict(matrix: np.ndarray) -> Any:
        if np.isfinite(np.add.reduce(matrix, axis=None)):
            with config_context(assume_finite=True):
                return method(matrix)
        return method(matrix)

    return predict


# -- outputs ---------------------------------------------------------------------------


def _numeric_columns(frame: pd.DataFrame, kinds: tuple[str, ...]) -> pd.DataFrame:
    picked = frame.select_dtypes(include=list(kinds))
    if picked.shape[1] == 0:
        raise InvalidArgumentError(
            f"the model returned columns {list(frame.columns)} of types "
            f"{[str(t) for t in frame.dtypes]}, none of which fits the result type; ask "
            "for result_type='string' or an array/struct type that matches the output"
        )
    return picked


def _as_frame(result: Any) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        return result
    if isinstance(result, pd.Series):
        return result.to_frame()
    values = np.asarray(result)
    return pd.DataFrame(values.reshape(len(values), -1) if values.ndim != 2 else values)


def _scalar(result: Any, arrow_type: pa.DataType) -> pa.Array:
    if isinstance(result, np.ndarray) and result.ndim == 2:
        result = result[:, 0]  # MLflow's rule: the first column that fits the type
    if isinstance(result, np.ndarray) and result.ndim == 1:
        values = result
    else:
        frame = _as_frame(result)
        if pa.types.is_string(arrow_type):
            values = frame.iloc[:, 0].to_numpy()
        else:
            include = "bool" if pa.types.is_boolean(arrow_type) else "number"
            values = _numeric_columns(frame, (include,)).iloc[:, 0].to_numpy()
    if pa.types.is_string(arrow_type):
        return pa.array([str(v) for v in values], type=arrow_type)
    if pa.types.is_boolean(arrow_type) and values.dtype != np.bool_:
        raise InvalidArgumentError(
            f"the model returned {values.dtype} values, not booleans; ask for another result_type"
        )
    return pa.array(values.astype(arrow_type.to_pandas_dtype(), copy=False), type=arrow_type)


def _array(result: Any, arrow_type: pa.ListType) -> pa.Array:
    element = arrow_type.value_type
    values = result if isinstance(result, np.ndarray) else _as_frame(result).to_numpy()
    values = values.reshape(len(values), -1)
    width = values.shape[1]
    offsets = pa.array(np.arange(0, (len(values) + 1) * width, width, dtype=np.int32))
    flat = values.reshape(-1)
    if pa.types.is_string(element):
        items = pa.array([str(v) for v in flat], type=element)
    else:
        items = pa.array(flat.astype(element.to_pandas_dtype(), copy=False), type=element)
    return pa.ListArray.from_arrays(offsets, items)


def _struct(result: Any, arrow_type: pa.StructType) -> pa.Array:
    frame = _as_frame(result)
    names = [arrow_type.field(i).name for i in range(arrow_type.num_fields)]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InvalidArgumentError(
            f"the model's output has no column(s) {missing} for the struct result type; it "
            f"returned {list(frame.columns)}. Name the struct's fields after the output columns."
        )
    fields = [pa.array(frame[f.name].to_numpy(), type=f.type, from_pandas=True) for f in arrow_type]
    return pa.StructArray.from_arrays(fields, fields=list(arrow_type))


def to_arrow(result: Any, arrow_type: pa.DataType) -> pa.Array:
    """The model's output as an Arrow array of the requested result type."""
    if pa.types.is_struct(arrow_type):
        return _struct(result, arrow_type)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return _array(result, arrow_type)
    return _scalar(result, arrow_type)


# -- the batch loop --------------------------------------------------------------------


def _arrow_type(result_json: str) -> pa.DataType:
    from pyspark.sql.pandas.types import to_arrow_type
    from pyspark.sql.types import _parse_datatype_json_string

    return to_arrow_type(_parse_datatype_json_string(result_json))


def _predictor(spec: WorkerSpec, model: Any, n: int) -> tuple[Any, Layout | None]:
    if spec.flavor == "sklearn":
        kinds = spec.kinds[:n] if len(spec.kinds) >= n else (None,)
        method = getattr(model, spec.predict_fn)
        layout = layout_for(model, kinds)
        return (finite_fast_path(method) if layout else method), layout
    params = dict(spec.params) if spec.params else None
    return (lambda frame: model.predict(frame, params=params)), None


def _chunks(spec: WorkerSpec, batches: Iterator[Any]) -> Iterator[tuple[list[list[pa.Array]], int]]:
    """Input batches grouped until they hold ``spec.batch_rows`` rows (one predict call each).

    Spark hands an Arrow UDF its input as the reader's batches (4,096 rows from
    Parquet), whatever ``maxRecordsPerBatch`` says; an estimator called per batch
    pays its fixed per-call cost (input checks, one pass per tree of a forest) that
    often. Memory stays bounded by ``batch_rows`` plus one input batch.
    """
    group: list[list[pa.Array]] = []
    rows = 0
    for batch in batches:
        arrays = _columns(batch, spec)
        group.append(arrays)
        rows += len(arrays[0])
        if rows >= spec.batch_rows:
            yield group, rows
            group, rows = [], 0
    if group:
        yield group, rows


def _matrix(group: list[list[pa.Array]], rows: int, layout: Layout) -> np.ndarray:
    """One matrix from several batches' columns (each value copied once)."""
    out = np.empty((rows, len(group[0])), dtype=layout.dtype, order=layout.order)
    start = 0
    for arrays in group:
        end = start + len(arrays[0])
        for i, array in enumerate(arrays):
            out[start:end, i] = array.to_numpy(zero_copy_only=False)
        start = end
    return out


def predict_batches(spec: WorkerSpec, batches: Iterator[Any]) -> Iterator[pa.Array]:
    """Score the Arrow batches with the worker's cached model (the body of the UDF).

    Batches are scored in groups of about ``spec.batch_rows`` rows; one output array
    is yielded per input batch (zero-copy slices of the group's result).
    """
    model = model_for(spec)
    arrow_type = _arrow_type(spec.result)
    predict: Any = None
    layout: Layout | None = None
    for group, rows in _chunks(spec, batches):
        if predict is None:
            check_arrow_types(spec.names, spec.kinds, group[0])
            predict, layout = _predictor(spec, model, len(group[0]))
        if rows == 0:
            for _ in group:
                yield pa.array([], type=arrow_type)
            continue
        if layout is not None:
            data = _matrix(group, rows, layout)
        else:
            columns = [
                pa.concat_arrays([arrays[i] for arrays in group]) for i in range(len(group[0]))
            ]
            data = _frame(columns, spec.names)
        result = to_arrow(predict(data), arrow_type)
        start = 0
        for arrays in group:
            yield result.slice(start, len(arrays[0]))
            start += len(arrays[0])


def worker_pid() -> int:
    """This process's id (tests map loads to worker processes)."""
    return os.getpid()
