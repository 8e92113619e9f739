"""Process-wide cache of the ``system.tracking.*`` tables, for searches.

A search reads the same tables again and again; re-reading and re-resolving
them every time made it slow. Per table this module keeps the rows at one Delta
version and the data files they came from:

- each read refreshes the table (``update_incremental``: a listing of the log
  folder); an unchanged version returns cached rows;
- files only added since (these tables are append-only): only the new files
  are read and appended, and the resolved views are merged (rows of untouched
  runs stay, touched runs resolve again over their old and new rows);
- any file removed (a compaction rewrote files): everything is read again.

Resolution (latest row per key, :func:`~lakehouse.tracking.tables.latest`) is
lazy: a search resolves only the keys it filters or sorts on
(:func:`current_key`) and the runs it returns (:func:`current_of_runs`); the
whole table resolves only when asked (:func:`current`, e.g. a full listing).
Other processes' commits are seen at the next read: the version check is never
cached.

Example::

    runs = current(cfg, "runs")                  # every run's current state
    auc = current_key(cfg, "latest_metrics", "auc")
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from lakehouse.config import Config
from lakehouse.tracking.tables import RESOLUTION, latest, store_for

__all__ = ["clear", "current", "current_key"]


_MAX_CHUNKS = 64  # combine a cached table's chunks once appends made this many


@dataclass(slots=True)
class _Entry:
    version: int
    files: frozenset[str]
    raw: pa.Table  # every row at ``version``
    resolved: pa.Table | None = None  # latest row per key, once asked for
    by_key: dict[str, pa.Table] = field(default_factory=dict)  # resolved rows of one key


_entries: dict[str, _Entry] = {}
_lock = threading.Lock()


def clear() -> None:
    """Forget every cached table (the next read loads from Delta)."""
    with _lock:
        _entries.clear()


def current(cfg: Config, name: str) -> pa.Table:
    """The current rows of ``system.tracking.<name>`` (latest row per key; for
    ``tags`` deleted tags are still present, with ``deleted`` set)."""
    with _lock:
        entry = _refresh(cfg, name)
        if entry.resolved is None:
            entry.resolved = _resolve(name, entry.raw)
        return entry.resolved


def current_key(cfg: Config, name: str, key: str) -> pa.Table:
    """The current rows of one ``key`` of ``params``, ``latest_metrics`` or ``tags``."""
    with _lock:
        entry = _refresh(cfg, name)
        rows = entry.by_key.get(key)
        if rows is None:
            source = entry.resolved if entry.resolved is not None else entry.raw
            rows = _resolve(name, source.filter(pc.equal(source["key"], key)), one_key=True)
            entry.by_key[key] = rows
        return rows


def current_of_runs(cfg: Config, name: str, run_ids: pa.Array | pa.ChunkedArray) -> pa.Table:
    """The current rows of ``name`` that belong to ``run_ids``."""
    with _lock:
        entry = _refresh(cfg, name)
        source = entry.resolved if entry.resolved is not None else entry.raw
        rows = source.filter(pc.is_in(source["run_id"], value_set=run_ids))
        return rows if entry.resolved is not None else _resolve(name, rows)


def _resolve(name: str, rows: pa.Table, *, one_key: bool = False) -> pa.Table:
    if name not in RESOLUTION:
        return rows
    keys, order = RESOLUTION[name]
    # Rows of a single key resolve on run_id alone (much cheaper to hash).
    return latest(rows, keys[:1] if one_key else keys, order)


def _refresh(cfg: Config, name: str) -> _Entry:
    store = store_for(name, cfg)
    entry = _entries.get(store.uri)
    if entry is None and not store.exists():
        return _Entry(-1, frozenset(), store.spec.schema.empty_table())
    table = store.table()  # refreshes the snapshot incrementally
    version = table.version()
    if entry is not None and entry.version == version:
        return entry
    dataset = table.to_pyarrow_dataset()
    fragments = {f.path: f for f in dataset.get_fragments()}
    files = frozenset(fragments)
    if entry is not None and entry.files <= files:
        added = _read(dataset, [fragments[p] for p in fragments if p not in entry.files])
        entry = _appended(name, entry, added, version, files)
    else:
        entry = _Entry(version, files, dataset.to_table())
    _entries[store.uri] = entry
    return entry


def _appended(
    name: str, old: _Entry, added: pa.Table, version: int, files: frozenset[str]
) -> _Entry:
    """``old`` plus the rows of newly added files, its resolved views merged."""
    added = added.select(old.raw.column_names).cast(old.raw.schema)
    raw = pa.concat_tables([old.raw, added])
    if raw.column(0).num_chunks > _MAX_CHUNKS:
        raw = raw.combine_chunks()
    entry = _Entry(version, files, raw)
    if old.resolved is not None:
        entry.resolved = _merge(name, old.resolved, added)
    for key, rows in old.by_key.items():
        fresh = added.filter(pc.equal(added["key"], key))
        entry.by_key[key] = _merge(name, rows, fresh, one_key=True)
    return entry


def _read(dataset: ds.Dataset, fragments: list[ds.Fragment]) -> pa.Table:
    if not fragments:
        return dataset.schema.empty_table()
    part = ds.FileSystemDataset(
        fragments,
        dataset.schema,
        dataset.format,
        dataset.filesystem,
    )
    return part.to_table()


def _merge(name: str, old: pa.Table, new: pa.Table, *, one_key: bool = False) -> pa.Table:
    """Resolved ``old`` plus appended ``new`` rows: only runs ``new`` touches re-resolve."""
    if new.num_rows == 0:
        return old
    if name not in RESOLUTION:
        return pa.concat_tables([old, new])
    # Every resolution key starts with run_id: re-resolve the runs the new rows touch.
    touched = pc.is_in(old["run_id"], value_set=pc.unique(new["run_id"]))
    redo = pa.concat_tables([old.filter(touched), new])
    out = pa.concat_tables([old.filter(pc.invert(touched)), _resolve(name, redo, one_key=one_key)])
    return out.combine_chunks() if out.column(0).num_chunks > _MAX_CHUNKS else out
