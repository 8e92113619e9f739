"""The one log_model path: extra files and inputs, and a history tag no race loses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import lakehouse as lh
from lakehouse import config
from lakehouse.errors import LakehouseError
from lakehouse.models.flavors import pyfunc as pyfunc_flavor
from lakehouse.registry.model_logging import HISTORY_TAG, log_model, model_folder
from lakehouse.tracking.validation import MAX_TAG_VALUE_LENGTH
from tests.processes import race


class Doubler(lh.pyfunc.PythonModel):
    """A custom model small enough to log many times in a test."""

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> Any:
        return model_input["x"] * 2


def _save(location: str) -> Any:
    return pyfunc_flavor.save_model(location, Doubler())


@pytest.fixture(autouse=True)
def _no_active_run():  # type: ignore[no-untyped-def]
    yield
    while lh.active_run() is not None:
        lh.end_run()


def _history(run_id: str) -> list[dict[str, Any]]:
    return list(json.loads(lh.get_run(run_id).data.tags[HISTORY_TAG]))


def test_extra_files_and_inputs_reach_the_package_the_run_and_the_version(home: str) -> None:
    with lh.start_run() as run:
        info = log_model(
            _save,
            "model",
            extra_files={"feature_spec.yaml": "features: [x]\n", "data/raw.bin": b"\x00\x01"},
            inputs=[("main.ml.customer_features", 7)],
            registered_model_name="main.ml.doubler",
        )
    folder = model_folder(info.model_uri)
    assert (Path(folder) / "feature_spec.yaml").read_text() == "features: [x]\n"
    assert (Path(folder) / "data" / "raw.bin").read_bytes() == b"\x00\x01"
    assert [(i.table_name, i.version) for i in lh.Client().get_run_inputs(run.info.run_id)] == [
        ("main.ml.customer_features", 7)
    ]
    lineage = lh.lineage("main.ml.doubler", info.registered_model_version or 0)
    assert [(i.table_name, i.version) for i in lineage.inputs] == [("main.ml.customer_features", 7)]
    registered = lh.pyfunc.load_model("models:/main.ml.doubler/1")
    assert registered.predict(pd.DataFrame({"x": [1.5]})).tolist() == [3.0]
    assert [e["artifact_path"] for e in _history(run.info.run_id)] == ["model"]


@pytest.mark.parametrize(
    ("extra", "inputs", "message"),
    [
        ({"MLmodel": "x"}, [], "invalid extra file 'MLmodel'"),
        ({"../escape.txt": "x"}, [], "escapes the run's artifact folder"),
        ({"spec.yaml": 3}, [], "must be given as str or bytes, got int"),
        ({}, [("main.ml.features", "3")], r"expected \(table_name, delta_version\)"),
        ({}, [("main.ml.features", -1)], "a Delta version is 0 or more"),
        ({}, ["main.ml.features"], r"expected \(table_name, delta_version\)"),
        ({}, [("my features", 3)], "invalid name 'my features'"),
    ],
)
def test_bad_extra_files_and_inputs_write_nothing(
    home: str, extra: dict[str, Any], inputs: list[Any], message: str
) -> None:
    with lh.start_run() as run, pytest.raises(LakehouseError, match=message):
        log_model(_save, "model", extra_files=extra, inputs=inputs)
    assert lh.Client().list_artifacts(run.info.run_id) == []
    assert HISTORY_TAG not in lh.get_run(run.info.run_id).data.tags


def test_history_keeps_every_model_of_a_run_in_logging_order(home: str) -> None:
    with lh.start_run() as run:
        for name in ("first", "second", "nested/third"):
            lh.pyfunc.log_model(name, Doubler())
        lh.log_text("not a model", "notes/readme.txt")
    history = _history(run.info.run_id)
    assert [e["artifact_path"] for e in history] == ["first", "second", "nested/third"]
    assert all(
        e["run_id"] == run.info.run_id and "python_function" in e["flavors"] for e in history
    )
    assert len({e["model_uuid"] for e in history}) == 3


def test_history_past_the_tag_limit_keeps_the_newest_entries(home: str) -> None:
    with lh.start_run() as run:
        logged = [lh.pyfunc.log_model(f"m{i}", Doubler()).artifact_path for i in range(32)]
    history = _history(run.info.run_id)
    assert len(json.dumps(history)) <= MAX_TAG_VALUE_LENGTH
    assert 10 <= len(history) < 32
    assert [e["artifact_path"] for e in history] == logged[-len(history) :]


def _log_many(home: str, run_id: str, worker: int, count: int, barrier: Any) -> list[str]:
    """One racer: resume the shared run, wait for the others, log ``count`` models."""
    config.set_config(home=home)
    lh.start_run(run_id=run_id)
    barrier.wait(timeout=120)
    paths = [lh.pyfunc.log_model(f"w{worker}/m{i}", Doubler()).artifact_path for i in range(count)]
    lh.end_run()
    return paths


@pytest.mark.slow
def test_racing_log_model_calls_on_one_run_lose_no_history_entry(home: str) -> None:
    run = lh.start_run()
    lh.end_run()
    workers, count = 4, 3
    logged = race(_log_many, [(home, run.info.run_id, w, count) for w in range(workers)])
    expected = sorted(p for paths in logged for p in paths)
    assert len(expected) == workers * count
    history = _history(run.info.run_id)
    assert sorted(e["artifact_path"] for e in history) == expected
    assert len({e["model_uuid"] for e in history}) == workers * count
