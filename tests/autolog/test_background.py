"""Autologging never makes a fit wait on a Delta commit; reads still see everything.

The background logger is held by a job waiting on an event, so whatever a fit
left for it cannot have run; the Delta commits under the root are counted as the
``_delta_log/*.json`` files of every table (any engine, any table).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import lakehouse as lh
from lakehouse import config, paths
from lakehouse.autologging import background
from lakehouse.registry.model_logging import HISTORY_TAG
from lakehouse.tracking.entities import LoggedModelStatus, RunStatus
from lakehouse.tracking.tables import store_for
from tests.autolog.threads import fit_trees_in_threads


@pytest.fixture
def quiet_home(home: str) -> Iterator[str]:
    """The test root with the tracking flusher's timer and size trigger out of the way."""
    with config.config_overrides(tracking_flush_interval=3600.0, tracking_flush_size=10**7):
        yield home


def _commits(home: str) -> int:
    return sum(1 for _ in Path(paths.to_local_path(home)).rglob("_delta_log/*.json"))


def _hold_the_logger() -> threading.Event:
    gate = threading.Event()
    background.submit(lambda: None if gate.wait(120) else None, on_error=print)
    return gate


def test_a_fit_makes_no_delta_commit_and_a_read_sees_all_it_logged(quiet_home: str, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    lh.autolog()
    LogisticRegression(max_iter=300).fit(X, y)  # creates the default experiment
    lh.search_runs()  # and commits the first run: the root is now quiet
    gate = _hold_the_logger()
    try:
        before = _commits(quiet_home)
        model = GradientBoostingClassifier(n_estimators=20, max_depth=3).fit(X, y)
        assert _commits(quiet_home) == before  # the fit waited on no Delta commit
        assert lh.active_run() is None
        assert background.pending() >= 3  # the hold, the model's completion, the run's end
    finally:
        gate.set()
    # A read waits for the logger, then sees the model, its READY state and the run's end.
    runs = lh.search_runs(output_format="list", order_by=["attributes.start_time DESC"])
    run = runs[0]
    assert background.pending() == 0
    assert run.info.status is RunStatus.FINISHED
    assert run.data.params["n_estimators"] == "20"
    assert run.data.metrics["training_accuracy_score"] == pytest.approx(model.score(X, y))
    (entry,) = json.loads(run.data.tags[HISTORY_TAG])
    assert entry["artifact_path"] == "model" and entry["run_id"] == run.info.run_id
    (logged,) = [
        m
        for m in lh.search_logged_models(output_format="list")
        if m.source_run_id == run.info.run_id
    ]
    assert logged.status is LoggedModelStatus.READY
    assert logged.params["n_estimators"] == "20"
    # Metrics logged at step 0 after the model are its own, as with a synchronous log_model.
    assert "training_accuracy_score" in {m.key for m in logged.metrics}
    loaded = lh.sklearn.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_end_run_of_a_user_run_waits_for_the_model_autolog_logs_into_it(
    quiet_home: str,
    iris,  # type: ignore[no-untyped-def]
) -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    lh.autolog()
    gate = _hold_the_logger()
    with lh.start_run() as run:
        try:
            LogisticRegression(max_iter=300).fit(X, y)
            assert background.pending() >= 2  # the hold and the model's completion
        finally:
            gate.set()
    # The run's FINISHED row was written after the model's READY row.
    lh.Client().flush()
    cfg = config.get_config()
    runs = store_for("runs", cfg).read(filters=[("run_id", "=", run.info.run_id)]).to_pylist()
    models = store_for("logged_models", cfg).read().to_pylist()
    (finished,) = [r for r in runs if r["status"] == "FINISHED"]
    (ready,) = [
        r for r in models if r["source_run_id"] == run.info.run_id and r["status"] == "READY"
    ]
    assert (finished["writer_id"], finished["seq"] > ready["seq"]) == (ready["writer_id"], True)
    assert json.loads(lh.get_run(run.info.run_id).data.tags[HISTORY_TAG])[0]["artifact_path"] == (
        "model"
    )


def test_a_failure_on_the_background_logger_is_one_warning(quiet_home: str, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    # A registered model name in a catalog nobody may write: the registration fails on
    # the logger thread, after the fit returned; the run still ends.
    lh.autolog(registered_model_name="system.tracking.not_allowed")
    with pytest.warns(lh.autologging.AutologWarning) as caught:
        model = LogisticRegression(max_iter=300).fit(X, y)
        background.wait()
    assert len(caught) == 1
    assert "logging the model 'model'" in str(caught[0].message)
    assert model.predict(X).shape == (150,)
    (run,) = lh.search_runs(output_format="list")
    assert run.info.status is RunStatus.FINISHED


def test_two_threads_fitting_at_once_each_get_their_own_model(home: str, iris) -> None:  # type: ignore[no-untyped-def]

    X, y = iris
    lh.autolog()
    models = fit_trees_in_threads(X, y, (2, 4))
    runs = lh.search_runs(output_format="list")
    assert sorted(r.data.params["max_depth"] for r in runs) == ["2", "4"]
    for run in runs:
        assert run.info.status is RunStatus.FINISHED
        (entry,) = json.loads(run.data.tags[HISTORY_TAG])
        assert entry["run_id"] == run.info.run_id
        loaded = lh.sklearn.load_model(f"runs:/{run.info.run_id}/model")
        assert loaded.get_params()["max_depth"] == int(run.data.params["max_depth"])
        fitted = models[int(run.data.params["max_depth"])]
        np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
