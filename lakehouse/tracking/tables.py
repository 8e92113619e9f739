"""The ``system.tracking.*`` Delta tables: their shapes and how their rows resolve.

Every table but ``experiments`` is append-only (blind appends never conflict, so
any number of processes log at once). A row carries the id of the process that
wrote it (``writer_id``) and that process's sequence number (``seq``); the pair
is unique. Mutable things (a run's status, a tag) are new rows: the current
value is the latest row of its key, chosen by :func:`latest`.

=====================  ========================================================
``experiments``        one row per experiment (MERGE-written, rare)
``runs``               run states; current = latest ``updated_at`` per ``run_id``
``params``             one row per (run_id, key) (a repeat of the same value is
                       not written)
``metrics``            full metric history: one row per point
``latest_metrics``     per flush, the newest point per (run_id, key); current =
                       max (step, timestamp, value) as MLflow defines "latest"
``tags``               tag sets and deletes; current = latest row per key
``inputs``             table versions a run read (lineage)
=====================  ========================================================
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.config import Config
from lakehouse.store import layout
from lakehouse.store.delta import DeltaStore, TableSpec

__all__ = ["SPECS", "TABLES", "latest", "store_for"]

_TS = pa.timestamp("us", tz="UTC")
_ID = [pa.field("writer_id", pa.string()), pa.field("seq", pa.int64())]

SPECS: dict[str, TableSpec] = {
    "experiments": TableSpec(
        schema=pa.schema(
            [
                pa.field("experiment_id", pa.string(), nullable=False),
                pa.field("name", pa.string(), nullable=False),
                pa.field("artifact_location", pa.string()),
                pa.field("lifecycle_stage", pa.string()),
                pa.field("creation_time", _TS),
                pa.field("last_update_time", _TS),
                pa.field("tags_json", pa.string()),
            ]
        ),
        keys=("experiment_id",),
        description="Experiments (names live in the catalog.schema.name namespace).",
    ),
    "runs": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("experiment_id", pa.string()),
                pa.field("run_name", pa.string()),
                pa.field("status", pa.string()),
                pa.field("start_time", _TS),
                pa.field("end_time", _TS),
                pa.field("user_id", pa.string()),
                pa.field("artifact_uri", pa.string()),
                pa.field("lifecycle_stage", pa.string()),
                pa.field("updated_at", _TS),
                *_ID,
            ]
        ),
        description="Run states, append-only: a run's current state is its latest updated_at.",
    ),
    "params": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.string()),
                pa.field("logged_at", _TS),
                *_ID,
            ]
        ),
        description="Run parameters.",
    ),
    "metrics": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.float64()),
                pa.field("timestamp", pa.int64()),
                pa.field("step", pa.int64()),
                *_ID,
            ]
        ),
        description="Metric history, one row per point (timestamp: epoch milliseconds).",
    ),
    "latest_metrics": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.float64()),
                pa.field("timestamp", pa.int64()),
                pa.field("step", pa.int64()),
                *_ID,
            ]
        ),
        description="Newest metric point per run and key per flush; current = max(step, ts).",
    ),
    "tags": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.string()),
                pa.field("deleted", pa.bool_()),
                pa.field("updated_at", _TS),
                *_ID,
            ]
        ),
        description="Run tags, append-only: current = latest updated_at per key, unless deleted.",
    ),
    "inputs": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("table_name", pa.string(), nullable=False),
                pa.field("table_version", pa.int64()),
                pa.field("logged_at", _TS),
                *_ID,
            ]
        ),
        description="Table versions each run read (lineage).",
    ),
}

TABLES = tuple(SPECS)
JOURNALED = ("runs", "params", "metrics", "tags", "inputs")

# How each append-only table resolves to current rows: (key columns, order columns).
RESOLUTION: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "runs": (("run_id",), ("updated_at", "writer_id", "seq")),
    "tags": (("run_id", "key"), ("updated_at", "writer_id", "seq")),
    "latest_metrics": (("run_id", "key"), ("step", "timestamp", "value")),
    "params": (("run_id", "key"), ("writer_id", "seq")),
}


_stores: dict[str, DeltaStore] = {}


def store_for(name: str, cfg: Config | None = None) -> DeltaStore:
    """The Delta table ``system.tracking.<name>`` (cached: reads refresh it incrementally)."""
    uri = layout.system_table_uri("tracking", name, cfg=cfg)
    store = _stores.get(uri)
    if store is None:
        store = _stores[uri] = DeltaStore(uri, SPECS[name])
    return store


def latest(
    table: pa.Table, keys: Sequence[str], order: Sequence[str], *, check_unique: bool = True
) -> pa.Table:
    """The last row per ``keys`` when rows are ordered by ``order`` (vectorized)."""
    if table.num_rows <= 1:
        return table
    if (
        check_unique
        and len(keys) == 1
        and pc.count_distinct(table[keys[0]]).as_py() == table.num_rows
    ):
        return table
    sort = [(k, "ascending") for k in (*keys, *order)]
    ordered = table.sort_by(sort)
    others = [c for c in ordered.column_names if c not in keys]
    keep_nulls = pc.ScalarAggregateOptions(skip_nulls=False)
    grouped = ordered.group_by(list(keys), use_threads=False).aggregate(
        [(c, "last", keep_nulls) for c in others]
    )
    names = {f"{c}_last": c for c in others}
    grouped = grouped.rename_columns([names.get(c, c) for c in grouped.column_names])
    return grouped.select(table.column_names)
