"""DeltaStore additions: conditional insert, key replacement, compact_once, metadata."""

from __future__ import annotations

import itertools
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse import paths
from lakehouse.errors import CommitConflictError
from lakehouse.store.delta import (
    DeltaStore,
    TableSpec,
    table_metadata,
    table_version,
    with_retry,
)

SPEC = TableSpec(
    schema=pa.schema([("name", pa.string()), ("n", pa.int64()), ("note", pa.string())]),
    keys=("name", "n"),
    description="test table",
)


@pytest.fixture
def table(tmp_path: Path) -> DeltaStore:
    return DeltaStore(paths.to_uri(tmp_path / "t"), SPEC)


def test_insert_new_tries_the_next_key_until_one_row_lands(table: DeltaStore) -> None:
    table.append([{"name": "a", "n": 1, "note": "taken"}, {"name": "a", "n": 2, "note": "x"}])
    tries = itertools.count(1)
    row = table.insert_new(lambda: {"name": "a", "n": next(tries), "note": "mine"}, what="t")
    assert row["n"] == 3
    assert sorted(r["n"] for r in table.read([("name", "=", "a")]).to_pylist()) == [1, 2, 3]


def test_insert_new_writes_nothing_when_make_row_refuses(table: DeltaStore) -> None:
    def refuse() -> dict[str, object]:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        table.insert_new(refuse, what="t")
    assert table.read().num_rows == 0


def test_insert_new_gives_up_with_a_clear_error(table: DeltaStore) -> None:
    table.append([{"name": "a", "n": 1, "note": None}])
    with pytest.raises(CommitConflictError, match="allocating a: .* after 3 attempts"):
        table.insert_new(
            lambda: {"name": "a", "n": 1, "note": None}, what="allocating a", attempts=3
        )


def test_insert_new_with_a_predicate_a_marker_blocks(table: DeltaStore) -> None:
    table.append([{"name": "a", "n": 0, "note": "marker"}])
    match = "t.`name` = s.`name` AND (t.`n` = s.`n` OR t.`n` = 0)"
    with pytest.raises(CommitConflictError):
        table.insert_new(
            lambda: {"name": "a", "n": 5, "note": None}, what="t", predicate=match, attempts=2
        )
    assert table.insert_new(lambda: {"name": "b", "n": 5, "note": None}, what="t", predicate=match)


def test_replace_keys_deletes_and_inserts_in_one_commit(table: DeltaStore) -> None:
    table.append([{"name": "a", "n": i, "note": str(i)} for i in (1, 2)])
    before = table.version()

    def read() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        rows = table.read([("name", "=", "a")]).to_pylist()
        return rows, [{**r, "name": "b"} for r in rows]

    table.replace_keys(read, what="rename a")
    assert table.version() == before + 1
    assert table.read([("name", "=", "a")]).num_rows == 0
    assert sorted(r["note"] for r in table.read([("name", "=", "b")]).to_pylist()) == ["1", "2"]


def test_string_filters_work_after_merges(table: DeltaStore) -> None:
    # delta-rs MERGEs write strings as string_view: filters must still compare them.
    table.insert_if_absent([{"name": "a", "n": 1, "note": "x"}])
    table.upsert([{"name": "a", "n": 1, "note": "y"}, {"name": "b", "n": 1, "note": "z"}])
    assert table.read([("name", "=", "a")]).column("note").to_pylist() == ["y"]
    assert table.read([("name", "in", ["a", "b"]), ("n", ">", 0)]).num_rows == 2


def test_compact_once_version_and_metadata(table: DeltaStore, tmp_path: Path) -> None:
    assert table.version() == -1 and table_version(table.uri) is None
    assert table.compact_once() is False  # no table yet
    for i in range(3):
        table.append([{"name": "a", "n": i, "note": None}])
    assert table.compact_once() is True
    assert len(table.files()) == 1
    meta = table_metadata(table.uri)
    assert meta.version == table.version() == table_version(table.uri)
    assert meta.description == "test table"
    assert [f["name"] for f in meta.fields] == ["name", "n", "note"]
    assert meta.updated_ms is not None and meta.created_ms is not None


def test_with_retry_passes_other_errors_through_at_once() -> None:
    calls = []

    def boom() -> None:
        calls.append(1)
        raise KeyError("x")

    with pytest.raises(KeyError):
        with_retry(boom, what="t")
    assert calls == [1]
