"""A Delta table's commit history and column bounds, read from its log (no JVM).

For readers that show a table rather than write it (the web UI's catalog pages):
each commit's version, time, operation and parameters as delta-rs reports them,
whichever engine made the commit, and the newest value of a column from the
file statistics both engines write.

Example::

    for commit in table_history(location, limit=5):
        print(commit.version, commit.operation, commit.parameters)
    column_max(location, "feature_date")   # datetime.date(2026, 11, 28)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from lakehouse.errors import InvalidArgumentError

__all__ = ["TableCommit", "column_max", "table_history"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TableCommit:
    """One commit of a Delta table, as its log records it."""

    version: int
    timestamp_ms: int | None
    operation: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    """``operationParameters`` as text (``mode``, ``partitionBy``, ``predicate``...)."""
    metrics: Mapping[str, str] = field(default_factory=dict)
    user_metadata: str | None = None
    engine: str | None = None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def table_history(
    uri: str, limit: int | None = None, storage_options: dict[str, str] | None = None
) -> list[TableCommit]:
    """The commits of the Delta table at ``uri``, newest first (at most ``limit``)."""
    if limit is not None and limit < 1:
        raise InvalidArgumentError(f"table_history limit must be 1 or more, got {limit}")
    table = DeltaTable(uri, storage_options=storage_options)
    newest = int(table.version())
    out = []
    for index, entry in enumerate(table.history(limit)):
        version = entry.get("version")
        out.append(
            TableCommit(
                version=int(version) if version is not None else newest - index,
                timestamp_ms=int(entry["timestamp"]) if entry.get("timestamp") else None,
                operation=str(entry.get("operation") or ""),
                parameters={
                    str(k): _text(v) for k, v in (entry.get("operationParameters") or {}).items()
                },
                metrics={
                    str(k): _text(v) for k, v in (entry.get("operationMetrics") or {}).items()
                },
                user_metadata=entry.get("userMetadata"),
                engine=entry.get("engineInfo") or entry.get("clientVersion"),
            )
        )
    return sorted(out, key=lambda c: c.version, reverse=True)


def column_max(uri: str, column: str, storage_options: dict[str, str] | None = None) -> Any:
    """The largest value of ``column`` in the table's current version (None: no rows).

    Read from the partition values or the per-file statistics in the log; only when a
    file has no statistics for the column is the column itself scanned.
    """
    table = DeltaTable(uri, storage_options=storage_options)
    names = [f.name for f in table.schema().fields]
    if column not in names:
        raise InvalidArgumentError(
            f"column {column!r} is not in the Delta table at {uri}; columns present: {names}"
        )
    actions = pa.table(table.get_add_actions(flatten=True))
    if actions.num_rows == 0:
        return None
    stats = next(
        (c for c in (f"partition.{column}", f"max.{column}") if c in actions.column_names), None
    )
    if stats is not None and actions[stats].null_count == 0:
        return pc.max(actions[stats]).as_py()  # delta-rs types them as the column
    scanned = table.to_pyarrow_dataset().to_table(columns=[column])[column]
    return pc.max(scanned).as_py()
