"""table_history and column_max read a Delta table's log (written here by delta-rs)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakehouse.errors import InvalidArgumentError
from lakehouse.store.history import column_max, table_history


def _rows(n: list[int], days: list[int]) -> pa.Table:
    return pa.table({"n": pa.array(n, pa.int64()), "day": [dt.date(2026, 11, d) for d in days]})


def test_history_lists_each_commit_newest_first(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    write_deltalake(uri, _rows([1], [27]), partition_by=["day"])
    write_deltalake(uri, _rows([2], [28]), mode="append")
    write_deltalake(uri, _rows([3], [28]), mode="overwrite", predicate="day = '2026-11-28'")
    history = table_history(uri)
    assert [c.version for c in history] == [2, 1, 0]
    assert [c.operation for c in history][1:] == ["WRITE", "WRITE"]
    assert history[2].parameters["mode"] == "ErrorIfExists"
    assert history[1].parameters["mode"] == "Append"
    assert all(c.timestamp_ms and c.timestamp_ms > 0 for c in history)
    assert [c.version for c in table_history(uri, limit=2)] == [2, 1]
    with pytest.raises(InvalidArgumentError, match="limit must be 1 or more, got 0"):
        table_history(uri, limit=0)


def test_column_max_reads_partition_values_and_file_statistics(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    write_deltalake(uri, _rows([4, 9], [27, 27]), partition_by=["day"])
    write_deltalake(uri, _rows([7], [28]), mode="append")
    assert column_max(uri, "day") == dt.date(2026, 11, 28)
    assert column_max(uri, "n") == 9
    with pytest.raises(InvalidArgumentError, match="column 'nope' is not in .* columns present"):
        column_max(uri, "nope")


def test_column_max_of_an_empty_table_is_none(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    write_deltalake(uri, _rows([], []))
    assert column_max(uri, "n") is None
