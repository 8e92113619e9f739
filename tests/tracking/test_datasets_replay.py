"""Dataset inputs are journaled like the rest of a run: a SIGKILLed writer loses none."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pandas as pd

from lakehouse.config import config_overrides
from lakehouse.tracking.client import TrackingClient
from tests.processes import SPAWN

FRAME = {"a": [1, 2, 3], "b": ["x", "y", "z"]}


def _log_dataset_then_wait(home: str, run_id: str, logged: Any) -> None:
    """Log a dataset input that is never flushed, say so, and wait to be killed."""
    import lakehouse.data
    from lakehouse.config import set_config
    from lakehouse.tracking.fluent import _dataset_input

    set_config(home=home, tracking_flush_interval=3600, tracking_flush_size=10**9)
    client = TrackingClient()
    dataset = lakehouse.data.from_pandas(pd.DataFrame(FRAME), name="frame", source="/d.csv")
    client.log_inputs(run_id, [_dataset_input(dataset, "training", {"k": "v"})])
    logged.set()
    time.sleep(600)


def test_a_killed_writers_dataset_inputs_are_replayed(tmp_path: Path) -> None:
    import lakehouse.data

    home = str(tmp_path / "lh")
    with config_overrides(home=home, tracking_flush_interval=0.2):
        reader = TrackingClient()
        run_id = reader.create_run(reader.create_experiment("main.default.replay")).info.run_id
        reader.flush()
        logged = SPAWN.Event()
        child = SPAWN.Process(target=_log_dataset_then_wait, args=(home, run_id, logged))
        child.start()
        try:
            assert logged.wait(timeout=180), "the child never logged its dataset"
            assert reader.get_run(run_id).inputs.dataset_inputs == ()  # not flushed yet
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
            child.join(timeout=30)
        finally:
            if child.is_alive():
                child.kill()
        assert child.exitcode == -signal.SIGKILL
        deadline = time.monotonic() + 30
        inputs = reader.get_run(run_id).inputs.dataset_inputs
        while not inputs and time.monotonic() < deadline:
            time.sleep(0.3)
            inputs = reader.get_run(run_id).inputs.dataset_inputs
        [replayed] = inputs
        expected = lakehouse.data.from_pandas(pd.DataFrame(FRAME), name="frame", source="/d.csv")
        assert replayed.dataset == expected._to_mlflow_entity()
        assert {t.key: t.value for t in replayed.tags} == {
            "k": "v",
            "mlflow.data.context": "training",
        }
        # Replayed exactly once, however often it is read.
        assert len(reader.get_run(run_id).inputs.dataset_inputs) == 1
        assert reader._tracking.tables["dataset_inputs"].read().num_rows == 1
