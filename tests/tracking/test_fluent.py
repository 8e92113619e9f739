"""The fluent API on a real root: runs, params, metrics, tags, experiments, inputs."""

from __future__ import annotations

import math
import threading

import pytest

import lakehouse as lh
from lakehouse.tracking.entities import Param, RunStatus


def test_run_context_manager_logs_everything(home: str) -> None:
    exp = lh.set_experiment("main.ml.churn")
    with lh.start_run(run_name="rf", tags={"team": "growth"}, description="first try") as run:
        lh.log_param("max_depth", 5)
        lh.log_params({"n_estimators": 100, "criterion": "gini"})
        lh.log_metric("loss", 0.5, step=0)
        lh.log_metric("loss", 0.25, step=1)
        lh.log_metrics({"accuracy": 0.9, "auc": float("nan"), "gain": float("inf")})
        lh.set_tags({"stage": "dev"})
        assert lh.active_run().info.run_id == run.info.run_id
    assert lh.active_run() is None
    got = lh.get_run(run.info.run_id)
    assert got.info.status is RunStatus.FINISHED
    assert got.info.experiment_id == exp.experiment_id
    assert got.info.end_time is not None and got.info.end_time >= got.info.start_time
    assert got.info.artifact_uri.startswith(home) and "/artifacts/" in got.info.artifact_uri
    assert got.data.params == {"max_depth": "5", "n_estimators": "100", "criterion": "gini"}
    assert got.data.metrics["loss"] == 0.25 and got.data.metrics["accuracy"] == 0.9
    assert math.isnan(got.data.metrics["auc"]) and got.data.metrics["gain"] == math.inf
    tags = got.data.tags
    assert tags["team"] == "growth" and tags["stage"] == "dev"
    assert tags["mlflow.runName"] == "rf" and tags["mlflow.note.content"] == "first try"
    assert tags["mlflow.source.type"] == "LOCAL" and "mlflow.user" in tags
    assert "lakehouse.python_version" in tags and "deltalake" in tags["lakehouse.packages"]
    assert tags.get("mlflow.source.git.commit", "x")  # recorded when run inside a git checkout
    history = lh.Client().get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 0.5), (1, 0.25)]
    assert lh.last_active_run().info.run_id == run.info.run_id


def test_exception_in_block_ends_run_failed(home: str) -> None:
    with pytest.raises(ZeroDivisionError), lh.start_run() as run:
        1 / 0  # noqa: B018
    assert lh.get_run(run.info.run_id).info.status is RunStatus.FAILED


def test_nested_runs_and_resume(home: str) -> None:
    with lh.start_run() as parent:
        with pytest.raises(lh.InvalidArgumentError, match="already active.*nested=True"):
            lh.start_run()
        with lh.start_run(nested=True) as child:
            lh.log_metric("x", 1)
        assert lh.active_run().info.run_id == parent.info.run_id
    assert lh.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
    with lh.start_run(run_id=child.info.run_id):
        lh.log_metric("x", 2, step=1)
    resumed = lh.get_run(child.info.run_id)
    assert resumed.data.metrics["x"] == 2 and resumed.info.status is RunStatus.FINISHED
    lh.end_run()  # no active run: no-op


def test_active_run_is_per_thread(home: str) -> None:
    seen: list[object] = []
    with lh.start_run():
        thread = threading.Thread(target=lambda: seen.append(lh.active_run()))
        thread.start()
        thread.join()
    assert seen == [None]


def test_param_relog_same_value_is_noop_other_value_fails(home: str) -> None:
    with lh.start_run() as run:
        lh.log_param("depth", 5)
        lh.log_param("depth", "5")
        with pytest.raises(lh.InvalidArgumentError, match=r"'5'.*cannot change it to '6'"):
            lh.log_param("depth", 6)
    # A different process view (fresh client) enforces it against the stored value too.
    with pytest.raises(lh.InvalidArgumentError, match="already logged as '5'"):
        lh.Client().log_param(run.info.run_id, "depth", 7)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lh.log_param("k" * 251, 1), "250"),
        (lambda: lh.log_param("p", "v" * 6001), "6001 characters; the limit is 6000"),
        (lambda: lh.set_tag("t", "v" * 8001), "the limit is 8000"),
        (lambda: lh.log_metric("bad name!", 1), "only contain alphanumerics"),
        (lambda: lh.log_metric("../x", 1), "relative path"),
        (lambda: lh.log_metric("m", "high"), "must be a number"),
        (
            lambda: lh.Client().log_batch(
                lh.active_run().info.run_id,
                params=[Param(key=f"p{i}", value=i) for i in range(101)],
            ),
            "limits are 1000 metrics, 100 params",
        ),
    ],
)
def test_mlflow_limits(home: str, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with lh.start_run(), pytest.raises(lh.InvalidArgumentError, match=message):
        call()


def test_tags_set_overwrite_delete(home: str) -> None:
    with lh.start_run() as run:
        lh.set_tag("a", "1")
        lh.set_tag("a", "2")
        lh.set_tag("b", "x")
        lh.delete_tag("b")
        with pytest.raises(lh.NotFoundError, match="has no tag 'zz'"):
            lh.delete_tag("zz")
    tags = lh.get_run(run.info.run_id).data.tags
    assert tags["a"] == "2" and "b" not in tags


def test_get_run_unknown_names_the_id(home: str) -> None:
    with pytest.raises(lh.NotFoundError, match="run 'nope123' does not exist"):
        lh.get_run("nope123")


def test_experiments_create_search_delete_restore(home: str) -> None:
    client = lh.Client()
    exp_id = lh.create_experiment("main.ml.exp_a", tags={"owner": "ana"})
    with pytest.raises(lh.AlreadyExistsError, match="'main.ml.exp_a' already exists"):
        lh.create_experiment("main.ml.exp_a")
    with pytest.raises(lh.InvalidNameError, match="invalid experiment name"):
        lh.create_experiment("")
    assert lh.get_experiment_by_name("Not A Name") is None  # MLflow's names are taken as given
    with pytest.raises(lh.ReservedNameError, match="reserved"):
        lh.create_experiment("system.tracking.x")
    assert lh.get_experiment_by_name("main.ml.exp_a").experiment_id == exp_id
    assert lh.get_experiment_by_name("main.ml.absent") is None
    lh.create_experiment("main.ml.exp_b")
    found = lh.search_experiments(filter_string="name LIKE '%exp_a' OR tags.owner = 'zz'")
    assert [e.name for e in found] == ["main.ml.exp_a"]
    client.delete_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    assert "main.ml.exp_a" not in [e.name for e in lh.search_experiments()]
    with pytest.raises(lh.InvalidArgumentError, match="is deleted; restore it"):
        lh.set_experiment("main.ml.exp_a")
    client.restore_experiment(exp_id)
    assert lh.set_experiment("main.ml.exp_a").experiment_id == exp_id
    with pytest.raises(lh.NotFoundError, match="experiment id '999' does not exist"):
        client.get_experiment("999")


def test_default_experiment_and_delete_restore_run(home: str) -> None:
    with lh.start_run() as run:
        pass
    assert run.info.experiment_id == "0"
    assert lh.get_experiment("0").name == "main.default.default"
    lh.delete_run(run.info.run_id)
    assert lh.search_runs().empty
    assert len(lh.search_runs(run_view_type="DELETED_ONLY")) == 1
    lh.Client().restore_run(run.info.run_id)
    assert list(lh.search_runs()["run_id"]) == [run.info.run_id]


def test_log_input_records_table_versions(home: str) -> None:
    from lakehouse.tracking.tables import store_for

    with lh.start_run() as run:
        lh.log_input("main.ml.features", version=3)
        lh.log_input("main.ml.features", version=3)
        lh.log_input("main.ml.labels", version=0)
    inputs = lh.Client().get_run_inputs(run.info.run_id)
    assert [(i.table_name, i.version) for i in inputs] == [
        ("main.ml.features", 3),
        ("main.ml.labels", 0),
    ]
    rows = store_for("inputs").read().to_pylist()
    assert {r["table_name"] for r in rows} == {"main.ml.features", "main.ml.labels"}
    assert all(r["logged_at"] is not None for r in rows)
