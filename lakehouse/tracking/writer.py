"""Cheap, crash-safe logging: an in-memory buffer, a local journal, a background flusher.

A ``log_*`` call turns into rows; :meth:`Writer.add` gives each row this process's
``writer_id`` and the next ``seq``, writes it as one JSON line to the journal
(``write`` + ``flush``: the bytes are in the OS page cache when the call returns,
so a ``kill -9`` of the process loses nothing; a power cut may lose the last
seconds), and queues it. A daemon thread commits the queue in batches, one Delta
append per table per batch, every ``tracking_flush_interval`` seconds, when
``tracking_flush_size`` rows are waiting, at ``end_run`` and at exit.

Exactly once: every append records a Delta application transaction
``(writer_id, highest seq in the commit)`` in the same commit. A process replays
the journals of dead writers (a journal is alive while its process holds an
exclusive ``flock`` on it) when its writer starts and, through
:func:`prepare_read`, on reads at most once per ``tracking_flush_interval``, so a
long-lived reader sees a killed writer's points within seconds. Replay skips,
table by table, the rows whose ``seq`` is at or below that table's recorded
transaction version, so two processes replaying one journal commit it once.

Where the journal lives: ``<home>/.journal/`` for a local root. For a root on
object storage the journal stays on local disk, under
``~/.cache/lakehouse/journal/<hash of the root URI>/``: replay then needs the
next process on the same machine (a crashed cluster node's journal is replayed
when a process on that node opens the root again).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa

from lakehouse import paths
from lakehouse.config import Config, get_config
from lakehouse.tracking.maintenance import compact_table
from lakehouse.tracking.tables import JOURNALED, SPECS, store_for

__all__ = [
    "Writer",
    "add_read_barrier",
    "journal_dir",
    "prepare_read",
    "replay_journals",
    "wait_for_background_writes",
    "writer_for",
]

_log = logging.getLogger(__name__)
_COMPACT_EVERY = 200  # commits of one table by one process between compactions
_BACKGROUND_FULL_MAX_ROWS = 1_000_000  # bigger tables are rewritten whole only on demand
_TRUNCATE_BYTES = 4 << 20


def journal_dir(home_uri: str) -> Path:
    """Where this machine keeps journals for the root ``home_uri``."""
    if paths.is_local(home_uri):
        return Path(paths.to_local_path(home_uri)) / ".journal"
    digest = hashlib.sha1(home_uri.encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "lakehouse" / "journal" / digest


def _latest_metric_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest point per (run_id, key) of a batch (MLflow: max step, timestamp, value)."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        k = (row["run_id"], row["key"])
        cur = best.get(k)
        if cur is None or _metric_order(row) >= _metric_order(cur):
            best[k] = row
    return list(best.values())


def _metric_order(row: dict[str, Any]) -> tuple[int, int, float]:
    value = row["value"]
    # NaN compares false both ways: rank it lowest so a real value wins a tie.
    return (row["step"], row["timestamp"], float("-inf") if value != value else value)


def _commit(
    cfg: Config,
    writer_id: str,
    by_table: dict[str, list[dict[str, Any]]],
    done: dict[str, int],
) -> None:
    """Append each table's rows (seq above ``done[table]``) with the txn high-water mark."""
    if by_table.get("metrics"):
        by_table["latest_metrics"] = _latest_metric_rows(by_table["metrics"])
    for name in (*JOURNALED, "latest_metrics"):
        rows = [r for r in by_table.get(name, ()) if r["seq"] > done.get(name, 0)]
        if not rows:
            continue
        top = max(r["seq"] for r in rows)
        table = pa.Table.from_pylist(rows, schema=SPECS[name].schema)
        store_for(name, cfg).append(table, txn=(writer_id, top))
        done[name] = top


class _Journal:
    """One append-only JSON-lines file, locked by its live writer."""

    def __init__(self, folder: Path, writer_id: str):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{writer_id}.jsonl"
        # Locked under a name replay does not look at, then renamed into place: another
        # process's replay must never find the journal unlocked (it would take it for a
        # dead writer's, lock it and remove it).
        hidden = folder / f".{writer_id}.jsonl.new"
        self._file: TextIO = open(hidden, "a", encoding="utf-8")  # noqa: SIM115
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        hidden.rename(self.path)

    def write(self, entry: dict[str, Any]) -> None:
        self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._file.flush()  # into the OS page cache: survives SIGKILL of this process

    def size(self) -> int:
        return self._file.tell()

    def truncate(self) -> None:
        self._file.truncate(0)
        self._file.seek(0)

    def close(self, *, remove: bool) -> None:
        if remove:
            self.path.unlink(missing_ok=True)
        self._file.close()


def replay_journals(cfg: Config, folder: Path, *, skip: str | None = None) -> int:
    """Commit what dead writers' journals hold; returns how many rows were committed."""
    if not folder.is_dir():
        return 0
    total = 0
    for path in sorted(folder.glob("*.jsonl")):
        writer_id = path.stem
        if writer_id == skip:
            continue
        with contextlib.suppress(FileNotFoundError), open(path, "r+", encoding="utf-8") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its writer is alive
            if os.fstat(fh.fileno()).st_nlink == 0:
                continue  # another process replayed and removed it after we opened it
            by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for line in fh:
                try:
                    entry = json.loads(line)
                except ValueError:
                    break  # a torn last line: the call that wrote it never returned
                by_table[entry["t"]].extend(entry["r"])
            done = {
                name: store_for(name, cfg).transaction_version(writer_id) or 0
                for name in (*JOURNALED, "latest_metrics")
            }
            before = sum(1 for n, rows in by_table.items() for r in rows if r["seq"] > done[n])
            _commit(cfg, writer_id, by_table, done)
            total += before
            path.unlink(missing_ok=True)
    return total


class Writer:
    """The buffered, journaled writer of one process for one lakehouse root."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.writer_id = uuid.uuid4().hex
        self._seq = 0
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._done: dict[str, int] = {}
        self._commits: dict[str, int] = defaultdict(int)
        folder = journal_dir(cfg.home_uri)
        replay_journals(cfg, folder)
        self._journal = _Journal(folder, self.writer_id)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lakehouse-flusher", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    # -- the hot path ---------------------------------------------------------------
    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Journal and queue rows of one table (microseconds; no Delta I/O)."""
        with self._lock:
            for row in rows:
                self._seq += 1
                row["writer_id"] = self.writer_id
                row["seq"] = self._seq
            # One line per call: a torn last line belongs to a call that never returned.
            self._journal.write({"t": table, "r": rows})
            self._pending.extend((table, row) for row in rows)
            if len(self._pending) >= self.cfg.tracking_flush_size:
                self._wake.set()

    def nudge(self) -> None:
        """Ask the flusher to commit soon (e.g. at ``end_run``) without waiting."""
        self._wake.set()

    # -- flushing -------------------------------------------------------------------
    def flush(self) -> None:
        """Commit everything queued so far (blocking); reads call this first."""
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return
            by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for table, row in batch:
                by_table[table].append(row)
            try:
                _commit(self.cfg, self.writer_id, by_table, self._done)
            except BaseException:
                with self._lock:  # keep the rows; committed tables are skipped by seq
                    self._pending[:0] = batch
                raise
            for name in by_table:  # (_commit added latest_metrics next to metrics)
                self._commits[name] += 1
            with self._lock:
                if not self._pending and self._journal.size() > _TRUNCATE_BYTES:
                    self._journal.truncate()

    def _maintain(self) -> None:
        """Compact each table this process committed to ``_COMPACT_EVERY`` times since the last.

        Runs on the flusher thread between flushes, holding no lock: logging calls
        and reads never wait for it.
        """
        due = [name for name, n in list(self._commits.items()) if n >= _COMPACT_EVERY]
        for name in due:
            self._commits[name] = 0
            try:
                compact_table(self.cfg, name, full_max_rows=_BACKGROUND_FULL_MAX_ROWS)
            except Exception as exc:  # maintenance only: the data is committed
                _log.warning("compacting system.tracking.%s failed: %s", name, exc)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.cfg.tracking_flush_interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception as exc:  # keep the rows in the journal and retry later
                _log.warning("lakehouse tracking flush failed (will retry): %s", exc)
                continue
            if not self._stop.is_set():
                self._maintain()

    def close(self) -> None:
        """Stop the flusher, commit what is queued, remove the journal if all is in."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)
        try:
            self.flush()
        except Exception as exc:
            _log.warning("lakehouse tracking: final flush failed, journal kept: %s", exc)
            self._journal.close(remove=False)
            return
        with self._lock:
            self._journal.close(remove=not self._pending)


_writers: dict[str, Writer] = {}
_writers_lock = threading.Lock()


def writer_for(cfg: Config | None = None) -> Writer:
    """The process's writer for the current root (replays dead journals on first use)."""
    cfg = cfg or get_config()
    with _writers_lock:
        writer = _writers.get(cfg.home_uri)
        if writer is None or writer._stop.is_set():
            writer = Writer(cfg)
            _writers[cfg.home_uri] = writer
        return writer


_read_barriers: list[Callable[[], None]] = []


def add_read_barrier(barrier: Callable[[], None]) -> None:
    """Call ``barrier`` before every read of tracking or registry data in this process.

    A layer above that logs on a background thread (autologging hands its model
    logging to one) registers a function that waits for its pending work, so a
    read still sees everything this process logged before it. Registering the same
    function again is a no-op; ``barrier`` must return at once on its own thread.
    """
    if barrier not in _read_barriers:
        _read_barriers.append(barrier)


def wait_for_background_writes() -> None:
    """Wait for the background logging of this process (the read barriers) to land."""
    for barrier in list(_read_barriers):
        barrier()


_next_check: dict[str, float] = {}  # root -> monotonic time of the next journal listing
_check_lock = threading.Lock()


def prepare_read(cfg: Config) -> None:
    """Make reads of ``cfg``'s root see this process's writes and dead writers' rows.

    Flushes this process's writer, then replays the journals of writers that died
    since the last check. The check (a listing of the journal folder and a
    try-lock per journal) runs at most once per ``tracking_flush_interval``
    seconds per root, so a read between checks pays only a clock reading.
    """
    wait_for_background_writes()
    home = cfg.home_uri
    live = _writers.get(home)
    if live is not None:
        live.flush()
    if time.monotonic() < _next_check.get(home, 0.0):
        return
    with _check_lock:  # one thread lists; the others wait for its commits, then read
        if time.monotonic() < _next_check.get(home, 0.0):
            return
        skip = live.writer_id if live is not None and not live._stop.is_set() else None
        replay_journals(cfg, journal_dir(home), skip=skip)
        # Only after a clean replay: a failed one is tried again by the next read.
        _next_check[home] = time.monotonic() + cfg.tracking_flush_interval


def flush_all() -> None:
    """Flush every writer of this process (tests, shutdown hooks), background logging first."""
    wait_for_background_writes()
    with _writers_lock:
        writers = list(_writers.values())
    for writer in writers:
        writer.flush()
