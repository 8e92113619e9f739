"""A long-lived reader sees the points of a writer killed with SIGKILL, within seconds."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from lakehouse.config import config_overrides, get_config
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.tables import store_for
from lakehouse.tracking.writer import journal_dir
from tests.processes import SPAWN, spawned_pool

POINTS = 2_000


def _log_then_wait(home: str, run_id: str, logged: Any) -> None:
    """Log POINTS metric points that are never flushed, say so, and wait to be killed."""
    from lakehouse.config import set_config

    # No flush before the kill: the interval and the batch size are never reached.
    set_config(home=home, tracking_flush_interval=3600, tracking_flush_size=10**9)
    client = TrackingClient()
    for step in range(POINTS):
        client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step)
    logged.set()
    time.sleep(600)


def _poll_history(reader: TrackingClient, run_id: str) -> list[int]:
    """The run's loss steps, read until all POINTS are there or 30 s have passed."""
    deadline = time.monotonic() + 30
    history = reader.get_metric_history(run_id, "loss")
    while len(history) < POINTS and time.monotonic() < deadline:
        time.sleep(0.2)
        history = reader.get_metric_history(run_id, "loss")
    return [m.step for m in history]


def _read_along(home: str, exp_id: str, run_id: str, started: Any) -> list[int]:
    """Another long-lived reader: searches before the writer dies, then polls."""
    from lakehouse.config import set_config

    set_config(home=home, tracking_flush_interval=1.0)
    reader = TrackingClient()
    assert len(reader.search_runs([exp_id])) == 1
    started.set()
    return _poll_history(reader, run_id)


def _kill_after_logging(home: str, run_id: str) -> None:
    """Spawn a writer, wait until it has logged POINTS unflushed points, SIGKILL it."""
    logged = SPAWN.Event()
    child = SPAWN.Process(target=_log_then_wait, args=(home, run_id, logged))
    child.start()
    try:
        assert logged.wait(timeout=180), "the child never finished logging"
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(timeout=30)
    finally:
        if child.is_alive():
            child.kill()
    assert child.exitcode == -signal.SIGKILL


def test_two_long_lived_readers_replay_a_journal_once(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    with config_overrides(home=home, tracking_flush_interval=1.0):
        reader = TrackingClient()
        exp_id = reader.create_experiment("main.default.live_replay")
        run_id = reader.create_run(exp_id).info.run_id
        assert len(reader.search_runs([exp_id])) == 1
        with SPAWN.Manager() as manager, spawned_pool(1) as pool:
            started = manager.Event()
            other = pool.apply_async(_read_along, (home, exp_id, run_id, started))
            assert started.wait(timeout=180)
            _kill_after_logging(home, run_id)
            # Both race to replay the one journal: each sees every point exactly once.
            assert _poll_history(reader, run_id) == list(range(POINTS))
            assert other.get(timeout=120) == list(range(POINTS))


def test_a_reader_sees_a_killed_writers_points(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    with config_overrides(home=home, tracking_flush_interval=1.0):
        reader = TrackingClient()
        exp_id = reader.create_experiment("main.default.live_replay")
        run_id = reader.create_run(exp_id).info.run_id
        assert [r.info.run_id for r in reader.search_runs([exp_id])] == [run_id]  # reads first

        _kill_after_logging(home, run_id)
        # Nothing was committed: every point the reader will see comes from the journal.
        metrics = store_for("metrics", get_config()).read(filters=[("run_id", "=", run_id)])
        assert metrics.num_rows == 0

        assert _poll_history(reader, run_id) == list(range(POINTS))
        assert reader.get_metric_history(run_id, "loss")[-1].value == 1.0 / POINTS
        assert reader.get_run(run_id).data.metrics == {"loss": 1.0 / POINTS}
        own = reader._writer.writer_id
        assert sorted(p.stem for p in journal_dir(home).glob("*.jsonl")) == [own]
