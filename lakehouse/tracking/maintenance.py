"""Compaction of ``system.tracking.*``: drop superseded rows, merge small files, checkpoint.

The tracking tables are append-only (a run's new status, a re-set tag and each
flush's latest metrics are new rows), so they grow and a cold read has to
resolve them. Compaction rewrites them, without blocking writers:

- **full**: every file of ``runs``, ``params``, ``latest_metrics`` or ``tags``
  is replaced by the current rows (latest row per key; deleted tags stay as
  tombstones), written as one *resolved group* of files
  (:data:`~lakehouse.tracking.tables.RESOLVED_PREFIX`). Readers take those
  files as they are and only resolve files appended since;
- **merge**: only the files outside the resolved group are replaced by their
  own current rows (cheap; the resolved group is left alone). A full compaction
  runs instead when those files hold at least a quarter as many rows as the
  group (so rewrites cost amortized linear time), except in the background
  for tables over a million rows;
- other tables (``metrics``, ``inputs``, ``experiments``) get delta-rs's
  small-file compaction.

Each rewrite is one Delta commit that removes exactly the files it read, so
appends committed meanwhile stay, and two compactions racing on the same files
let one win (the loser changes nothing). A crash before the commit leaves the
table as it was. The flusher of a logging process runs :func:`compact_table`
every few hundred commits; ``lakehouse tracking compact`` (or :func:`compact`)
runs it on demand, e.g. after a nightly job.

Example::

    for result in compact(get_config()):
        print(result)   # system.tracking.params: full, rows 1,204 -> 1,000, ...
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator

import pyarrow.dataset as ds

from lakehouse.config import Config
from lakehouse.errors import CommitConflictError
from lakehouse.store.delta import DeltaStore
from lakehouse.tracking.tables import (
    RESOLUTION,
    RESOLVED_PREFIX,
    TABLES,
    latest,
    split_resolved,
    store_for,
)

__all__ = ["Compaction", "compact", "compact_table"]

_MERGED_PREFIX = "lh-merged"
_FULL_RATIO = 0.25  # rows outside the resolved group, as a share of it, that trigger a full rewrite


@dataclasses.dataclass(frozen=True, slots=True)
class Compaction:
    """What one table's compaction did."""

    table: str
    mode: str  # "full", "merge", "files" (small-file compaction), "none" or "lost" (a race)
    rows_before: int
    rows_after: int
    files_before: int
    files_after: int
    seconds: float
    vacuumed: int = 0  # data files deleted from storage (past the retention period)

    def __str__(self) -> str:
        return (
            f"system.tracking.{self.table}: {self.mode}, rows {self.rows_before:,} -> "
            f"{self.rows_after:,}, files {self.files_before} -> {self.files_after}, "
            f"{self.vacuumed} old files deleted ({self.seconds:.1f} s)"
        )


def compact(
    cfg: Config, *, full: bool = False, progress: Callable[[str], None] | None = None
) -> Iterator[Compaction]:
    """Compact every tracking table in turn, then vacuum it; ``full`` rewrites resolved
    tables whole.

    Vacuum deletes files removed longer ago than the table's retention period
    (``delta.deletedFileRetentionDuration``, default a week) and files no commit
    ever referenced (left by a crash) once they are that old.
    ``progress(name)`` is called before each table (for people watching a long run).
    """
    for name in TABLES:
        if progress is not None:
            progress(name)
        started = time.perf_counter()
        result = compact_table(cfg, name, full=full or None)
        vacuumed = store_for(name, cfg).vacuum()
        yield dataclasses.replace(result, vacuumed=vacuumed, seconds=time.perf_counter() - started)


def compact_table(
    cfg: Config, name: str, *, full: bool | None = None, full_max_rows: int | None = None
) -> Compaction:
    """Compact ``system.tracking.<name>``: full, merge or nothing (``full=None``: decide).

    ``full_max_rows``: when deciding, merge instead of a full rewrite of a table that
    holds more rows (the background flusher's bound: a user's process should not
    rewrite a multi-gigabyte table; ``lakehouse tracking compact`` has none).
    """
    started = time.perf_counter()
    shared = store_for(name, cfg)
    if not shared.exists():
        return Compaction(name, "none", 0, 0, 0, 0, 0.0)
    # A private handle pins the version this compaction reads and replaces: the shared
    # one may be refreshed by other threads, and a commit based on a newer version
    # than the files were read at would skip the conflict check against the commits
    # in between (e.g. another compaction of the same files).
    store = DeltaStore(shared.uri, shared.spec)
    files = store.files()
    rows_before = sum(f.rows or 0 for f in files)

    def result(mode: str, rows_after: int, files_after: int) -> Compaction:
        return Compaction(
            name,
            mode,
            rows_before,
            rows_after,
            len(files),
            files_after,
            time.perf_counter() - started,
        )

    if name not in RESOLUTION:
        store.compact()
        after = store.files()
        return result("files", sum(f.rows or 0 for f in after), len(after))
    by_path = {f.path: f for f in files}
    base, rest = split_resolved(list(by_path))
    base_rows = sum(by_path[p].rows or 0 for p in base)
    rest_rows = sum(by_path[p].rows or 0 for p in rest)
    if full is None:
        full = rest_rows > 0 and rest_rows >= _FULL_RATIO * base_rows
        full = full and (full_max_rows is None or rows_before <= full_max_rows)
    if full and files:
        source, prefix = list(by_path), f"{RESOLVED_PREFIX}-{uuid.uuid4().hex[:12]}"
    elif len(rest) > 1:
        source, prefix = rest, _MERGED_PREFIX
    else:
        return result("none", rows_before, len(files))
    keys, order = RESOLUTION[name]
    dataset = store.dataset(refresh=False)
    fragments = {f.path: f for f in dataset.get_fragments()}
    read = ds.FileSystemDataset(
        [fragments[p] for p in source], dataset.schema, dataset.format, dataset.filesystem
    ).to_table()
    current = latest(read, keys, order)
    try:
        added = store.replace_files([by_path[p] for p in source], current, prefix=prefix)
    except CommitConflictError:
        return result("lost", rows_before, len(files))
    store.checkpoint()
    kept = rows_before - read.num_rows + current.num_rows
    return result("full" if full else "merge", kept, len(files) - len(source) + len(added))
