"""Small helpers for the Spark SQL tests (rows as sorted tuples, reads with delta-rs)."""

from __future__ import annotations

from typing import Any

from deltalake import DeltaTable

from lakehouse.catalog.namespace import table_location


def rows(df: Any) -> list[tuple]:
    """A Spark DataFrame's rows as sorted tuples."""
    return sorted(tuple(r) for r in df.collect())


def delta_rows(name: str, columns: list[str]) -> list[tuple]:
    """A namespace table's rows read with delta-rs (the other engine), as sorted tuples."""
    data = DeltaTable(table_location(name)).to_pyarrow_table(columns=columns).to_pylist()
    return sorted(tuple(r[c] for c in columns) for r in data)


def delta_version(name: str) -> int:
    """The table's Delta version, read with delta-rs."""
    return DeltaTable(table_location(name)).version()
