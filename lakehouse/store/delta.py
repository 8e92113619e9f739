"""Control-plane Delta tables through delta-rs: the one place they are read and committed.

Small, frequent commits (catalog metadata, runs, metrics, registry) go through
``deltalake``: no JVM, tens of milliseconds a commit, and commits published with
put-if-absent. Appends are blind; anything that allocates or checks is a MERGE
keyed on the row's identity, retried on conflict by :func:`with_retry`.
Predicates are built from column names only; values always travel as data.

Example::

    spec = TableSpec(schema=pa.schema([("name", pa.string())]), keys=("name",))
    table = DeltaStore(uri, spec)
    table.insert_if_absent(pa.table({"name": ["main"]}))  # 1, then 0 on a rerun
"""

from __future__ import annotations

import contextlib
import json
import operator
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import (
    CommitProperties,
    DeltaTable,
    Transaction,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, DeltaError
from deltalake.transaction import AddAction, RemoveAction

from lakehouse import paths
from lakehouse.errors import CommitConflictError

__all__ = [
    "DataFile",
    "DeltaStore",
    "TableMetadata",
    "TableSpec",
    "is_conflict",
    "table_metadata",
    "table_version",
    "with_retry",
]

T = TypeVar("T")

_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

DEFAULT_PROPERTIES = {
    # Keep reads fast after thousands of small commits (NOTES: log growth).
    "delta.checkpointInterval": "20",
}


class _KeyTaken(Exception):
    """A conditional insert added no row: its key was taken meanwhile (read again, retry)."""


def is_conflict(exc: BaseException) -> bool:
    """True for a commit that lost a race (delta-rs or delta-spark) and may be retried."""
    if isinstance(exc, CommitFailedError | _KeyTaken):
        return True
    name = type(exc).__name__
    text = str(exc)
    # delta-spark's conflict classes share no base (STYLE.md #5): list them by name.
    spark_conflicts = (
        "ConcurrentAppendException",
        "ConcurrentDeleteReadException",
        "ConcurrentDeleteDeleteException",
        "ConcurrentTransactionException",
        "MetadataChangedException",
        "ProtocolChangedException",
        "ConcurrentWriteException",
    )
    if any(c in name or c in text for c in spark_conflicts):
        return True
    return isinstance(exc, DeltaError) and (
        "already exists" in text.lower() and "version" in text.lower()
    )


def with_retry(fn: Callable[[], T], *, what: str, attempts: int = 60, max_delay: float = 0.5) -> T:
    """Run a Delta commit, retrying with jittered backoff while it conflicts.

    The one retry loop of the project: ``fn`` runs again (reading the newest
    state) after each commit conflict, up to ``attempts`` times; then
    :class:`CommitConflictError` names ``what``. Other errors pass through at once.
    """
    delay = 0.005
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:
            if not is_conflict(exc):
                raise
            if attempt == attempts:
                raise CommitConflictError(
                    f"{what}: the Delta commit still conflicted with concurrent writers after "
                    f"{attempts} attempts; try again ({exc})"
                ) from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 1.6, max_delay)
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True, kw_only=True)
class TableSpec:
    """Shape of one control-plane table."""

    schema: pa.Schema
    keys: tuple[str, ...] = ()
    partition_by: tuple[str, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None


@dataclass(frozen=True, slots=True)
class DataFile:
    """One data file of a table version: its path (relative to the table), bytes, rows."""

    path: str
    size: int
    rows: int | None


def _stats(rows: pa.Table) -> str:
    """Delta file statistics: the row count only.

    Column bounds are left out on purpose: delta-rs turns a column without bounds
    into a pyarrow guarantee (``col >= null``) that excludes the file from any
    filter on that column, so bounds would be needed for every column or none.
    Without column statistics readers simply scan the file.
    """
    return json.dumps({"numRecords": rows.num_rows})


class DeltaStore:
    """One control-plane Delta table, written by delta-rs only."""

    def __init__(self, uri: str, spec: TableSpec, storage_options: dict[str, str] | None = None):
        self.uri = uri
        self.spec = spec
        self._options = storage_options
        self._table: DeltaTable | None = None
        self._pins = 0  # > 0: reads stay on the loaded version (see _pinned)

    # -- creation -------------------------------------------------------------------
    def exists(self) -> bool:
        return DeltaTable.is_deltatable(self.uri, storage_options=self._options)

    def ensure(self) -> None:
        """Create the table if absent; safe when many processes race to create it."""
        if self._table is not None or self.exists():
            return

        def create() -> None:
            if self.exists():
                return
            try:
                DeltaTable.create(
                    self.uri,
                    self.spec.schema,
                    mode="error",
                    partition_by=list(self.spec.partition_by) or None,
                    description=self.spec.description,
                    configuration={**DEFAULT_PROPERTIES, **self.spec.properties},
                    storage_options=self._options,
                )
            except DeltaError as exc:
                if not self.exists():
                    if "exists" in str(exc).lower():
                        raise CommitFailedError(str(exc)) from exc
                    raise

        with_retry(create, what=f"create {self.uri}")

    def table(self, refresh: bool = True) -> DeltaTable:
        self.ensure()
        if self._table is None:
            self._table = DeltaTable(self.uri, storage_options=self._options)
        elif refresh and not self._pins:
            self._table.update_incremental()
        return self._table

    @contextlib.contextmanager
    def _pinned(self) -> Iterator[DeltaTable]:
        """Refresh once, then hold that version until the block ends.

        A conditional commit computes its source from reads of this table and
        then MERGEs: both must see one snapshot. delta-rs checks a commit for
        conflicts only against commits made after the version the MERGE ran on;
        a refresh between the read and the MERGE would move that version past a
        concurrent commit the source never saw, and nothing would conflict.
        """
        table = self.table()
        self._pins += 1
        try:
            yield table
        finally:
            self._pins -= 1

    # -- writes -------------------------------------------------------------------
    def _coerce(self, rows: pa.Table | Sequence[Mapping[str, Any]]) -> pa.Table:
        if isinstance(rows, pa.Table):
            return rows.select(self.spec.schema.names).cast(self.spec.schema)
        return pa.Table.from_pylist(list(rows), schema=self.spec.schema)

    def append(
        self,
        rows: pa.Table | Sequence[Mapping[str, Any]],
        *,
        txn: tuple[str, int] | None = None,
    ) -> None:
        """Blind append (never conflicts with other appends).

        ``txn=(app_id, version)`` records an application transaction in the same
        commit, so a writer can later ask :meth:`transaction_version` what it has
        already committed (exactly-once replay of a journal).
        """
        data = self._coerce(rows)
        if data.num_rows == 0:
            return
        self.ensure()
        props = None
        if txn is not None:
            props = CommitProperties(app_transactions=[Transaction(txn[0], txn[1])])
        with_retry(
            lambda: write_deltalake(
                self.uri,
                data,
                mode="append",
                storage_options=self._options,
                commit_properties=props,
            ),
            what=f"append to {self.uri}",
        )

    def transaction_version(self, app_id: str) -> int | None:
        """The last version an application recorded with ``append(txn=...)``, or None."""
        if not self.exists():
            return None
        version = self.table().transaction_version(app_id)
        return None if version is None else int(version)

    def _key_predicate(self, keys: Sequence[str]) -> str:
        if not keys:
            raise ValueError(f"{self.uri}: a keyed write needs key columns")
        return " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)

    def insert_if_absent(
        self,
        rows: pa.Table | Sequence[Mapping[str, Any]],
        keys: Sequence[str] | None = None,
        *,
        retry: bool = True,
    ) -> int:
        """MERGE-insert rows whose key is absent; returns how many were inserted.

        ``retry=False`` returns 0 on a commit conflict instead of merging again:
        for allocators that re-read and pick a new key anyway (a second MERGE of
        the same key would only find it taken).
        """
        data = self._coerce(rows)
        if data.num_rows == 0:
            return 0
        predicate = self._key_predicate(keys or self.spec.keys)

        def merge() -> int:
            metrics = (
                self.table()
                .merge(data, predicate, source_alias="s", target_alias="t")
                .when_not_matched_insert_all()
                .execute()
            )
            return int(metrics.get("num_target_rows_inserted", 0))

        if not retry:
            try:
                return merge()
            except Exception as exc:
                if is_conflict(exc):
                    return 0
                raise
        return with_retry(merge, what=f"insert into {self.uri}")

    def insert_new(
        self,
        make_row: Callable[[], Mapping[str, Any]],
        *,
        what: str,
        predicate: str | None = None,
        attempts: int = 500,
    ) -> dict[str, Any]:
        """Conditional insert of one row: a MERGE-insert that must add exactly one row.

        ``make_row`` builds the row from the newest state (e.g. ``max + 1``) and
        runs again on every attempt; it may raise to stop (nothing is written).
        When a concurrent commit conflicts, or the row's key was taken meanwhile
        (0 rows inserted), :func:`with_retry` reads again and retries. Returns
        the row inserted. This is how version numbers and alias moves are
        allocated: no lost update, no duplicate (NOTES, "Commits and concurrency").

        ``predicate`` replaces the key match (SQL over ``t.``/``s.`` columns, built
        from constants by the caller): any target row it matches blocks the insert.
        """
        match = predicate or self._key_predicate(self.spec.keys)

        def attempt() -> dict[str, Any]:
            with self._pinned() as table:  # make_row's reads and the MERGE: one snapshot
                row = dict(make_row())
                metrics = (
                    table.merge(self._coerce([row]), match, source_alias="s", target_alias="t")
                    .when_not_matched_insert_all()
                    .execute()
                )
            if int(metrics.get("num_target_rows_inserted", 0)) != 1:
                raise _KeyTaken(f"{what}: the key was taken by a concurrent writer")
            return row

        return with_retry(attempt, what=what, attempts=attempts, max_delay=0.2)

    def replace_keys(
        self,
        read: Callable[[], tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]],
        *,
        what: str,
        predicate: str | None = None,
    ) -> None:
        """One commit that deletes rows and inserts others: ``read() -> (old, new)``.

        A MERGE whose source holds both: ``old`` keys match (deleted), ``new``
        keys must not (inserted). ``read`` runs on the table version the MERGE
        then runs on (reads of this table inside it do not refresh), so a row
        committed after that read makes the MERGE conflict; ``read`` runs again
        on every attempt, so the retry takes that row into account.

        ``predicate`` replaces the key match (SQL over ``t.``/``s.``, constants
        only). deltalake 1.6.6 records no read predicate for these MERGEs, so
        every concurrent commit that adds or removes a file conflicts; a match
        no delta-rs could narrow (e.g. ``coalesce(t.k, -1) = s.k``) keeps it so
        for the rows of the other keys even if a later one narrowed the read.
        """

        def attempt() -> None:
            with self._pinned() as table:  # read() and the MERGE: one snapshot
                old_rows, new_rows = read()
                source = pa.concat_tables([self._coerce(old_rows), self._coerce(new_rows)])
                if source.num_rows == 0:
                    return
                (
                    table.merge(
                        source,
                        predicate or self._key_predicate(self.spec.keys),
                        source_alias="s",
                        target_alias="t",
                    )
                    .when_matched_delete()
                    .when_not_matched_insert_all()
                    .execute()
                )

        with_retry(attempt, what=what)

    def upsert(
        self, rows: pa.Table | Sequence[Mapping[str, Any]], keys: Sequence[str] | None = None
    ) -> None:
        """MERGE: update rows whose key matches, insert the others."""
        data = self._coerce(rows)
        if data.num_rows == 0:
            return
        predicate = self._key_predicate(keys or self.spec.keys)
        with_retry(
            lambda: (
                self.table()
                .merge(data, predicate, source_alias="s", target_alias="t")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .execute()
            ),
            what=f"upsert into {self.uri}",
        )

    def update_columns(
        self,
        rows: pa.Table | Sequence[Mapping[str, Any]],
        columns: Sequence[str],
        *,
        keys: Sequence[str] | None = None,
        condition: str | None = None,
    ) -> int:
        """MERGE: set ``columns`` on rows whose key matches (and ``condition`` holds).

        ``condition`` is a SQL predicate over ``t.`` (target) and ``s.`` (source)
        columns, e.g. ``"t.status = 'PENDING'"``; built from constants by the
        caller, never from user input. Returns how many rows were updated.
        """
        data = self._coerce(rows)
        if data.num_rows == 0:
            return 0
        predicate = self._key_predicate(keys or self.spec.keys)
        updates = {f"`{c}`": f"s.`{c}`" for c in columns}

        def merge() -> int:
            metrics = (
                self.table()
                .merge(data, predicate, source_alias="s", target_alias="t")
                .when_matched_update(updates, predicate=condition)
                .execute()
            )
            return int(metrics.get("num_target_rows_updated", 0))

        return with_retry(merge, what=f"update {self.uri}")

    def delete_keys(
        self, rows: pa.Table | Sequence[Mapping[str, Any]], keys: Sequence[str] | None = None
    ) -> int:
        """Delete the rows whose key matches one in ``rows``; returns how many went."""
        key_cols = list(keys or self.spec.keys)
        if isinstance(rows, pa.Table):
            data = rows.select(key_cols)
        else:
            fields = [self.spec.schema.field(k) for k in key_cols]
            data = pa.Table.from_pylist(list(rows), schema=pa.schema(fields))
        if data.num_rows == 0 or not self.exists():
            return 0
        predicate = self._key_predicate(key_cols)

        def merge() -> int:
            metrics = (
                self.table()
                .merge(data, predicate, source_alias="s", target_alias="t")
                .when_matched_delete()
                .execute()
            )
            return int(metrics.get("num_target_rows_deleted", 0))

        return with_retry(merge, what=f"delete from {self.uri}")

    # -- reads ----------------------------------------------------------------------
    def read(
        self,
        filters: list[tuple[str, str, Any]] | None = None,
        columns: list[str] | None = None,
    ) -> pa.Table:
        """Rows as Arrow; ``filters`` are (column, op, value) triples, ANDed."""
        if not self.exists():
            return self.spec.schema.empty_table().select(columns or self.spec.schema.names)
        dataset = self.dataset()
        expr = None
        for col, op, value in filters or []:
            field_ = ds.field(col)
            if pa.types.is_string(dataset.schema.field(col).type):
                # delta-rs MERGEs write strings as string_view, and pyarrow cannot
                # compare those file statistics with a string: compare a cast instead.
                field_ = field_.cast(pa.string())
            if op == "in":
                values = pa.array(list(value), dataset.schema.field(col).type)
                term = pc.is_in(field_, value_set=values)
            else:
                term = _COMPARISONS[op](field_, value)
            expr = term if expr is None else expr & term
        return dataset.to_table(filter=expr, columns=columns)

    def dataset(
        self, *, dictionary_columns: Sequence[str] = (), refresh: bool = True
    ) -> ds.Dataset:
        """The current files as a pyarrow dataset (``dictionary_columns`` read dictionary-encoded).

        A local table is read through pyarrow's own filesystem: about twice as fast
        as delta-rs's Python filesystem handler, which also made some processes
        abort at exit after a read.
        """
        options = ds.ParquetReadOptions(dictionary_columns=list(dictionary_columns))
        table = self.table(refresh=refresh)
        if paths.is_local(self.uri):
            local = pafs.SubTreeFileSystem(paths.to_local_path(self.uri), pafs.LocalFileSystem())
            return table.to_pyarrow_dataset(filesystem=local, parquet_read_options=options)
        return table.to_pyarrow_dataset(parquet_read_options=options)

    def files(self) -> list[DataFile]:
        """The data files of the loaded version (no refresh), with their row counts."""
        actions = pa.table(self.table(refresh=False).get_add_actions(flatten=True))
        records = (
            actions["num_records"].to_pylist()
            if "num_records" in actions.column_names
            else [None] * actions.num_rows
        )
        return [
            DataFile(path, int(size), None if n is None else int(n))
            for path, size, n in zip(
                actions["path"].to_pylist(), actions["size_bytes"].to_pylist(), records, strict=True
            )
        ]

    def replace_files(
        self,
        remove: Sequence[DataFile],
        rows: pa.Table,
        *,
        prefix: str,
        rows_per_file: int = 4_000_000,
    ) -> list[str]:
        """One commit that removes ``remove`` and adds ``rows`` as new files named ``prefix-*``.

        The commit is based on the loaded version (use a handle nobody refreshes
        between reading ``remove`` and this call): appends committed since stay
        (their files are not removed), and a commit that removed any of the same
        files makes this one fail with :class:`CommitConflictError` (nothing is
        retried: the rows were computed from the removed files). New
        files are written before the commit, so a crash leaves the last committed
        state (and unreferenced files, which ``vacuum`` deletes).
        """
        present = {f.path for f in self.files()}
        gone = [f.path for f in remove if f.path not in present]
        if gone:  # the handle moved past a commit that removed them: the rows are stale
            raise CommitConflictError(
                f"rewriting {self.uri}: {len(gone)} of the files to replace are no longer "
                f"in the table (e.g. {gone[0]}); nothing was changed"
            )
        rows = self._coerce(rows)
        fs, base = paths.filesystem(self.uri)
        now = int(time.time() * 1000)
        actions: list[AddAction | RemoveAction] = [
            RemoveAction(
                path=f.path,
                data_change=True,
                deletion_timestamp=now,
                partition_values={},
                size=f.size,
            )
            for f in remove
        ]
        added = []
        for lo in range(0, max(rows.num_rows, 1), rows_per_file):
            part = rows.slice(lo, rows_per_file)
            if part.num_rows == 0:
                break
            name = f"{prefix}-{uuid.uuid4().hex}.snappy.parquet"
            with fs.open_output_stream(f"{base}/{name}") as out:
                pq.write_table(part, out, compression="snappy", row_group_size=1 << 20)
            size = fs.get_file_info(f"{base}/{name}").size
            actions.append(AddAction(name, int(size), {}, now, True, _stats(part)))
            added.append(name)
        table = self.table(refresh=False)
        try:
            table.create_write_transaction(actions, "append", self.spec.schema)
        except CommitFailedError as exc:
            for name in added:
                fs.delete_file(f"{base}/{name}")
            raise CommitConflictError(
                f"rewriting {self.uri}: a concurrent commit changed the same files; "
                f"nothing was changed ({exc})"
            ) from exc
        return added

    def version(self) -> int:
        """The newest committed version (-1 while the table does not exist)."""
        return self.table().version() if self.exists() else -1

    def compact(self) -> None:
        """Compact small files, checkpoint and drop expired log entries."""
        if not self.exists():
            return
        table = self.table()
        with_retry(lambda: table.optimize.compact(), what=f"compact {self.uri}")
        self.checkpoint()

    def compact_once(self) -> bool:
        """One compaction attempt; False when a concurrent commit won (try next round).

        For compaction on a hot path (every Nth registration or alias move):
        losing the race is fine, waiting for it is not.
        """
        if not self.exists():
            return False
        try:
            self.table().optimize.compact()
        except Exception as exc:
            if is_conflict(exc):
                return False
            raise
        return True

    def vacuum(self) -> int:
        """Delete data files no version inside the retention period needs; returns how many.

        Removed files go once ``delta.deletedFileRetentionDuration`` (default a week)
        has passed since their removal, and so do files the log never referenced
        (left by a crash before a commit) once they are that old.
        """
        if not self.exists():
            return 0
        deleted = with_retry(
            lambda: self.table().vacuum(dry_run=False, full=True), what=f"vacuum {self.uri}"
        )
        return len(deleted)

    def checkpoint(self) -> None:
        """Write a checkpoint of the newest version and drop expired log entries."""
        table = self.table()
        table.create_checkpoint()
        table.cleanup_metadata()


@dataclass(frozen=True, slots=True, kw_only=True)
class TableMetadata:
    """What a table's own Delta log says about it (read without a JVM)."""

    version: int
    description: str | None
    partition_columns: tuple[str, ...]
    configuration: Mapping[str, str]
    fields: tuple[Mapping[str, Any], ...]
    """The Delta schema's fields (``name``, ``type``, ``nullable``, ``metadata``)."""
    created_ms: int | None
    updated_ms: int | None
    """When the newest commit was made (epoch milliseconds)."""


def table_version(uri: str, storage_options: dict[str, str] | None = None) -> int | None:
    """The newest version of the Delta table at ``uri``, or None if no table is there."""
    if not DeltaTable.is_deltatable(uri, storage_options=storage_options):
        return None
    return int(DeltaTable(uri, storage_options=storage_options).version())


def table_metadata(uri: str, storage_options: dict[str, str] | None = None) -> TableMetadata:
    """Schema, comment, partitioning, properties, version and times of any Delta table.

    Works for tables either engine wrote (it only reads the log).
    """
    table = DeltaTable(uri, storage_options=storage_options)
    meta = table.metadata()
    last = table.history(1)
    return TableMetadata(
        version=int(table.version()),
        description=meta.description,
        partition_columns=tuple(meta.partition_columns),
        configuration=dict(meta.configuration),
        fields=tuple(json.loads(table.schema().to_json())["fields"]),
        created_ms=meta.created_time,
        updated_ms=int(last[0]["timestamp"]) if last else None,
    )
