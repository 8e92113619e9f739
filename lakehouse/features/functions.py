"""On-demand feature functions: Python functions registered under ``catalog.schema.name``.

A function is stored, cloudpickled, in the Delta table ``system.features.functions``
(one row per function, keyed by its full name, with its parameter names, Spark return
type and the Python version that pickled it), so it is governed state like every other
piece of the lakehouse and readable with SQL. Training sets and ``score_batch``
apply it per row with an Arrow-backed Python UDF, binding parameters to columns by
name through ``FeatureFunction.input_bindings``.

Example::

    create_function(name="main.ml.amount_per_order",
                    func=lambda amount, orders: amount / orders if orders else 0.0,
                    return_type="double")
"""

from __future__ import annotations

import datetime as dt
import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cloudpickle
import pyarrow as pa

from lakehouse.catalog import namespace
from lakehouse.catalog.names import check_writable, parse_name
from lakehouse.config import username
from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.features.entities import FunctionSpec
from lakehouse.store import layout
from lakehouse.store.delta import DeltaStore, TableSpec

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = [
    "FUNCTIONS_SPEC",
    "RegisteredFunction",
    "apply_functions",
    "create_function",
    "get_function",
]

FUNCTIONS_SPEC = TableSpec(
    schema=pa.schema(
        [
            pa.field("function_name", pa.string(), nullable=False),
            pa.field("payload", pa.binary()),
            pa.field("parameters", pa.list_(pa.string())),
            pa.field("return_type", pa.string()),
            pa.field("python_version", pa.string()),
            pa.field("description", pa.string()),
            pa.field("owner", pa.string()),
            pa.field("created_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    keys=("function_name",),
    description="On-demand feature functions (cloudpickled Python), by catalog.schema.name.",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisteredFunction:
    """A function of the namespace, loaded."""

    name: str
    func: Callable[..., Any]
    parameters: tuple[str, ...]
    return_type: str
    description: str | None = None


def _table() -> DeltaStore:
    return DeltaStore(layout.system_table_uri("features", "functions"), FUNCTIONS_SPEC)


def create_function(
    *,
    name: str,
    func: Callable[..., Any],
    return_type: str = "double",
    description: str | None = None,
) -> RegisteredFunction:
    """Register (or replace) ``func`` as ``catalog.schema.name``; the schema must exist.

    ``return_type`` is a Spark SQL type (``"double"``, ``"string"``, ``"array<double>"``).
    """
    full = parse_name(name)
    check_writable(full.catalog, f"create function {full}")
    if not callable(func):
        raise InvalidArgumentError(f"create_function({name!r}): func must be callable")
    namespace.list_tables(full.schema_name)  # NotFoundError naming a missing schema
    from pyspark.sql.types import _parse_datatype_string

    try:
        _parse_datatype_string(return_type)
    except Exception as exc:
        raise InvalidArgumentError(
            f"create_function({name!r}): return_type {return_type!r} is not a Spark SQL type "
            f"such as 'double' or 'array<double>' ({exc})"
        ) from None
    params = tuple(inspect.signature(func).parameters)
    store = _table()
    store.ensure()
    store.upsert(
        [
            {
                "function_name": str(full),
                "payload": cloudpickle.dumps(func),
                "parameters": list(params),
                "return_type": return_type,
                "python_version": f"{sys.version_info[0]}.{sys.version_info[1]}",
                "description": description,
                "owner": username(),
                "created_at": dt.datetime.now(dt.UTC),
            }
        ]
    )
    return get_function(str(full))


def get_function(name: str) -> RegisteredFunction:
    """Load a registered function by ``catalog.schema.name``."""
    full = str(parse_name(name))
    store = _table()
    rows = store.read([("function_name", "=", full)]).to_pylist() if store.exists() else []
    if not rows:
        raise NotFoundError(
            f"function {full} is not registered; register it with "
            f"create_function(name={full!r}, func=...)"
        )
    row = rows[0]
    return RegisteredFunction(
        name=full,
        func=cloudpickle.loads(row["payload"]),
        parameters=tuple(row["parameters"] or ()),
        return_type=row["return_type"],
        description=row["description"],
    )


def check_bindings(spec: FunctionSpec, available: Sequence[str]) -> RegisteredFunction:
    """The function, once its bindings name every parameter and existing columns."""
    fn = get_function(spec.udf_name)
    unbound = [p for p in fn.parameters if p not in spec.input_bindings]
    unknown = [p for p in spec.input_bindings if p not in fn.parameters]
    if unbound or unknown:
        raise InvalidArgumentError(
            f"FeatureFunction({spec.udf_name!r}): input_bindings must bind exactly the "
            f"parameters {list(fn.parameters)}; unbound {unbound}, unknown {unknown}"
        )
    missing = [c for c in spec.input_bindings.values() if c not in available]
    if missing:
        raise InvalidArgumentError(
            f"FeatureFunction({spec.udf_name!r}): bound column(s) {missing} are neither in "
            f"the DataFrame nor looked up; columns available: {list(available)}"
        )
    return fn


def apply_functions(df: DataFrame, specs: Sequence[FunctionSpec]) -> DataFrame:
    """``df`` with one column per on-demand function (applied in order, per row)."""
    from pyspark.sql import functions as F

    for spec in specs:
        fn = check_bindings(spec, df.columns)
        udf = F.udf(fn.func, fn.return_type, useArrow=True)
        args = [F.col(f"`{spec.input_bindings[p]}`") for p in fn.parameters]
        df = df.withColumn(spec.output_name, udf(*args))
    return df
