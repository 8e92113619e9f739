"""Process-wide cache of the ``system.tracking.*`` tables, for searches.

A search reads the same tables again and again; re-reading and re-resolving
them every time made it slow. Per table this module keeps the rows at one Delta
version and the data files they came from:

- each read refreshes the table (``update_incremental``: a listing of the log
  folder); an unchanged version returns cached rows;
- files only added since (these tables are append-only): only the new files
  are read and merged (rows of untouched runs stay, touched runs resolve again
  over their old and new rows);
- any file removed (a compaction rewrote files): the table is read again.

A cold read is cheap after a full compaction
(:mod:`lakehouse.tracking.maintenance`): the files of its resolved group hold
each key once, so only the files appended since are resolved and merged in.
Low-cardinality columns (``key``, ``writer_id``) are read dictionary-encoded.

Resolution (latest row per key, :func:`~lakehouse.tracking.tables.latest`) is
otherwise lazy: a search resolves only the keys it filters or sorts on
(:func:`current_key`) and the runs it returns (:func:`current_of_runs`); the
whole table only when asked (:func:`current`, e.g. a full listing). Other
processes' commits are seen at the next read: the version check is never cached.

The cache keeps at most ``tracking_cache_mb`` of tables, evicting the least
recently used; a table larger than that alone is read for each call and not kept.

Example::

    runs = current(cfg, "runs")                  # every run's current state
    auc = current_key(cfg, "latest_metrics", "auc")
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from lakehouse.config import Config, get_config
from lakehouse.tracking.tables import (
    DICTIONARY_COLUMNS,
    RESOLUTION,
    UNCACHED_COLUMNS,
    key_mask,
    latest,
    split_resolved,
    store_for,
)

__all__ = ["cached_bytes", "clear", "current", "current_key", "current_of_runs", "keys"]


_MAX_CHUNKS = 64  # combine a cached table's chunks once appends made this many


@dataclass(slots=True)
class _Entry:
    version: int
    files: frozenset[str]
    rows: pa.Table  # every row at ``version``, or only the current ones once ``resolved``
    resolved: bool
    by_key: dict[str, pa.Table] = field(default_factory=dict)  # current rows of one key

    def nbytes(self) -> int:
        return self.rows.nbytes + sum(t.nbytes for t in self.by_key.values())


_entries: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
_lock = threading.Lock()


def clear() -> None:
    """Forget every cached table (the next read loads from Delta)."""
    with _lock:
        _entries.clear()


def cached_bytes() -> int:
    """Bytes the cache holds now."""
    with _lock:
        return sum(e.nbytes() for e in _entries.values())


def current(cfg: Config, name: str) -> pa.Table:
    """The current rows of ``system.tracking.<name>`` (latest row per key; for
    ``tags`` deleted tags are still present, with ``deleted`` set)."""
    with _lock:
        entry = _refresh(cfg, name)
        if not entry.resolved:
            entry.rows = _resolve(name, entry.rows)
            entry.resolved = True
        _keep(cfg, name, entry)
        return entry.rows


def current_key(cfg: Config, name: str, key: str) -> pa.Table:
    """The current rows of one ``key`` of ``params``, ``latest_metrics`` or ``tags``."""
    with _lock:
        entry = _refresh(cfg, name)
        rows = entry.by_key.get(key)
        if rows is None:
            rows = entry.rows.filter(key_mask(entry.rows, key))
            if not entry.resolved:
                rows = _resolve(name, rows, one_key=True)
            entry.by_key[key] = rows
        _keep(cfg, name, entry)
        return rows


def current_of_runs(cfg: Config, name: str, run_ids: pa.Array | pa.ChunkedArray) -> pa.Table:
    """The current rows of ``name`` that belong to ``run_ids``."""
    with _lock:
        entry = _refresh(cfg, name)
        rows = entry.rows.filter(pc.is_in(entry.rows["run_id"], value_set=run_ids))
        _keep(cfg, name, entry)
        return rows if entry.resolved else _resolve(name, rows)


def keys(cfg: Config, name: str, run_ids: pa.Array | pa.ChunkedArray | None = None) -> list[str]:
    """The distinct keys of ``params``, ``latest_metrics`` or ``tags`` (of ``run_ids``), sorted.

    Read from the cached rows without resolving them (a deleted tag's key counts).
    """
    with _lock:
        entry = _refresh(cfg, name)
        _keep(cfg, name, entry)
        rows = entry.rows
    if run_ids is not None:
        rows = rows.filter(pc.is_in(rows["run_id"], value_set=run_ids))
    found: set[str] = set()
    for chunk in rows["key"].chunks:  # chunks may carry different dictionaries
        if pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary.take(pc.unique(chunk.indices))
        found.update(k for k in pc.unique(chunk).to_pylist() if k is not None)
    return sorted(found)


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
        empty = store.spec.schema.empty_table().drop_columns(list(UNCACHED_COLUMNS.get(name, ())))
        return _Entry(-1, frozenset(), empty, resolved=True)
    table = store.table()  # refreshes the snapshot incrementally
    version = table.version()
    if entry is not None and entry.version == version:
        return entry
    dataset = store.dataset(dictionary_columns=DICTIONARY_COLUMNS.get(name, ()), refresh=False)
    fragments = {f.path: f for f in dataset.get_fragments()}
    files = frozenset(fragments)

    def read(paths: list[str]) -> pa.Table:
        return _read(dataset, [fragments[p] for p in paths], UNCACHED_COLUMNS.get(name, ()))

    if entry is not None and entry.files <= files:
        added = read(sorted(files - entry.files))
        return _appended(name, entry, added, version, files)
    base, rest = split_resolved(sorted(fragments))
    if name not in RESOLUTION:
        return _Entry(version, files, read(base + rest), resolved=True)
    others = read(rest)
    if not base:
        return _Entry(version, files, others, resolved=False)
    return _Entry(version, files, _merge(name, read(base), others), resolved=True)


def _keep(cfg: Config, name: str, entry: _Entry) -> None:
    """Cache ``entry`` as the most recently used; evict the least recently used over the cap."""
    if entry.version < 0:
        return
    uri = store_for(name, cfg).uri
    _entries[uri] = entry
    _entries.move_to_end(uri)
    cap = get_config().tracking_cache_mb << 20  # one cache per process: the process's setting
    total = sum(e.nbytes() for e in _entries.values())
    while total > cap and _entries:
        oldest, evicted = next(iter(_entries.items()))
        del _entries[oldest]
        total -= evicted.nbytes()


def _appended(
    name: str, old: _Entry, added: pa.Table, version: int, files: frozenset[str]
) -> _Entry:
    """``old`` plus the rows of newly added files, its resolved views merged."""
    added = added.select(old.rows.column_names).cast(old.rows.schema)
    if old.resolved:
        rows = _merge(name, old.rows, added)
    else:
        rows = pa.concat_tables([old.rows, added])
        if rows.column(0).num_chunks > _MAX_CHUNKS:
            rows = rows.combine_chunks()
    entry = _Entry(version, files, rows, old.resolved)
    for key, rows in old.by_key.items():
        fresh = added.filter(key_mask(added, key))
        entry.by_key[key] = _merge(name, rows, fresh, one_key=True)
    return entry


def _read(dataset: ds.Dataset, fragments: list[ds.Fragment], leave_out: Sequence[str]) -> pa.Table:
    columns = [c for c in dataset.schema.names if c not in leave_out]
    if not fragments:
        return dataset.schema.empty_table().select(columns)
    part = ds.FileSystemDataset(fragments, dataset.schema, dataset.format, dataset.filesystem)
    return part.to_table(columns=columns)


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
