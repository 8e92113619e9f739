"""A long-lived reader sees the points of a writer killed with SIGKILL, within seconds."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from pathlib import Path
from typing import Any

from lakehouse.config import config_overrides, get_config
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.tables import store_for
from lakehouse.tracking.writer import journal_dir

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


def test_a_reader_sees_a_killed_writers_points(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    with config_overrides(home=home, tracking_flush_interval=1.0):
        reader = TrackingClient()
        exp_id = reader.create_experiment("main.default.live_replay")
        run_id = reader.create_run(exp_id).info.run_id
        assert [r.info.run_id for r in reader.search_runs([exp_id])] == [run_id]  # reads first

        ctx = mp.get_context("spawn")
        logged = ctx.Event()
        child = ctx.Process(target=_log_then_wait, args=(home, run_id, logged))
        child.start()
        try:
            assert logged.wait(timeout=180), "the child never finished logging"
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
            child.join(timeout=30)
        finally:
            if child.is_alive():
                child.kill()
        assert child.exitcode == -signal.SIGKILL
        # Nothing was committed: every point the reader will see comes from the journal.
        metrics = store_for("metrics", get_config()).read(filters=[("run_id", "=", run_id)])
        assert metrics.num_rows == 0

        deadline = time.monotonic() + 30
        history = reader.get_metric_history(run_id, "loss")
        while len(history) < POINTS and time.monotonic() < deadline:
            time.sleep(0.2)
            history = reader.get_metric_history(run_id, "loss")
        assert [m.step for m in history] == list(range(POINTS))
        assert history[-1].value == 1.0 / POINTS
        assert reader.get_run(run_id).data.metrics == {"loss": 1.0 / POINTS}
        own = reader._writer.writer_id
        assert sorted(p.stem for p in journal_dir(home).glob("*.jsonl")) == [own]
