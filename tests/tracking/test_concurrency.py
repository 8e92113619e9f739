"""Real processes: many loggers at once, and a SIGKILL right after logging returns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import lakehouse as lh
from lakehouse.config import config_overrides
from lakehouse.tracking.tables import store_for
from tests.processes import race

RUNS_PER_PROCESS = 50
STEPS = 100


def _log_runs(home: str, worker: int, barrier) -> list[str]:  # type: ignore[no-untyped-def]
    from lakehouse import config

    config.set_config(home=home, tracking_flush_interval=0.5)
    exp = lh.set_experiment("main.ml.race")  # every process creates-if-absent at once
    barrier.wait(timeout=120)
    ids = []
    for i in range(RUNS_PER_PROCESS):
        with lh.start_run(experiment_id=exp.experiment_id, tags={"worker": worker}) as run:
            lh.log_params({"worker": worker, "i": i})
            for step in range(STEPS):
                lh.log_metric("loss", 1.0 / (step + 1), step=step)
            lh.set_tag("done", "yes")
        ids.append(run.info.run_id)
    return ids


@pytest.mark.slow
def test_eight_processes_fifty_runs_each(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    per_worker = race(_log_runs, [(home, w) for w in range(8)])
    run_ids = {rid for ids in per_worker for rid in ids}
    assert len(run_ids) == 8 * RUNS_PER_PROCESS
    with config_overrides(home=home):
        # Pool.__exit__ terminates its workers before their exit-time flush: what they
        # had not committed yet is in their journals, replayed by this first read.
        lh.Client().flush()
        exps = store_for("experiments").read().to_pylist()
        assert [e["name"] for e in exps] == ["main.ml.race"]  # one experiment, not eight
        metrics = store_for("metrics").read(columns=["run_id", "step"]).to_pylist()
        assert len(metrics) == 8 * RUNS_PER_PROCESS * STEPS
        assert len({(m["run_id"], m["step"]) for m in metrics}) == len(metrics)
        assert {m["run_id"] for m in metrics} == run_ids
        params = store_for("params").read().to_pylist()
        assert len(params) == 8 * RUNS_PER_PROCESS * 2
        ident = store_for("tags").read(columns=["writer_id", "seq"]).to_pylist()
        assert len({(r["writer_id"], r["seq"]) for r in ident}) == len(ident)
        df = lh.search_runs(experiment_names=["main.ml.race"], filter_string="tags.done = 'yes'")
        assert len(df) == 8 * RUNS_PER_PROCESS and set(df["run_id"]) == run_ids
        assert set(df["status"]) == {"FINISHED"}
        assert (df["metrics.loss"] == 0.01).all()


_KILLED = textwrap.dedent(
    """
    import os, signal, sys
    import lakehouse as lh
    lh.set_config(home=sys.argv[1], tracking_flush_interval=3600, tracking_flush_size=10**9)
    run = lh.start_run(run_name="killed")
    for step in range(10_000):
        lh.log_metric("m", float(step), step=step)
    print(run.info.run_id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_sigkill_after_10000_log_metric_calls_loses_nothing(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED, home], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    run_id = proc.stdout.strip()
    journals = list((tmp_path / "lh" / ".journal").glob("*.jsonl"))
    assert len(journals) == 1 and journals[0].stat().st_size > 0
    with config_overrides(home=home):
        # The next process to open the root replays the journal; a second open adds nothing.
        for _ in range(2):
            history = lh.Client().get_metric_history(run_id, "m")
            assert [m.step for m in history] == list(range(10_000))
            assert history[-1].value == 9999.0
        assert lh.get_run(run_id).data.metrics == {"m": 9999.0}
    assert not journals[0].exists()


def test_partly_flushed_journal_replays_without_duplicates(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    script = textwrap.dedent(
        """
        import os, signal, sys
        import lakehouse as lh
        lh.set_config(home=sys.argv[1], tracking_flush_interval=3600, tracking_flush_size=10**9)
        run = lh.start_run()
        for step in range(500):
            lh.log_metric("m", 1.0, step=step)
        lh.Client().flush()  # committed, but the journal still holds these rows
        for step in range(500, 700):
            lh.log_metric("m", 1.0, step=step)
        print(run.info.run_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script, home], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    run_id = proc.stdout.strip()
    with config_overrides(home=home):
        steps = [m.step for m in lh.Client().get_metric_history(run_id, "m")]
    assert steps == list(range(700))
    assert os.listdir(tmp_path / "lh" / ".journal") == []


def _open_writers(home: str, worker: int, barrier: Any) -> int:
    """Start writers the way each process does: replay the folder, then open a journal."""
    from lakehouse.config import get_config, set_config
    from lakehouse.tracking.writer import _Journal, journal_dir, replay_journals

    set_config(home=home)
    cfg = get_config()
    folder = journal_dir(cfg.home_uri)
    barrier.wait()
    journals = []
    for i in range(150):
        replay_journals(cfg, folder)
        journals.append(_Journal(folder, f"w{worker}-{i:03d}"))
    alive = sum(j.path.exists() for j in journals)  # none removed as a dead writer's
    for journal in journals:
        journal.close(remove=True)
    return alive


def test_a_new_journal_is_never_taken_for_a_dead_writers(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    alive = race(_open_writers, [(home, w) for w in range(6)])
    assert alive == [150] * 6
