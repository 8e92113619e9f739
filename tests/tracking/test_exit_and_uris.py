"""Runs left active end at interpreter exit (as MLflow's atexit hook); tracking URIs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import lakehouse as lh
from lakehouse.tracking import fluent


def _script(home: str, body: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``body`` in a fresh interpreter against ``home``."""
    path = tmp_path / "script.py"
    path.write_text("import lakehouse as lh\n" + textwrap.dedent(body))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    env.update(LAKEHOUSE_HOME=home, LAKEHOUSE_CONF=str(tmp_path / "no-conf.yaml"))
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=300
    )


def _only_run(experiment: str) -> lh.entities.Run:
    runs = lh.search_runs(experiment_names=[experiment], output_format="list")
    assert len(runs) == 1
    return runs[0]


def test_an_implicit_run_ends_finished_at_exit(home: str, tmp_path: Path) -> None:
    out = _script(
        home,
        """
        lh.set_experiment("tracking-quickstart")
        lh.log_param("alpha", 0.5)
        lh.log_metric("rmse", 0.25)
        print(lh.active_run().info.run_id)
        """,
        tmp_path,
    )
    run_id = out.stdout.strip().splitlines()[-1]
    run = _only_run("tracking-quickstart")
    assert run.info.run_id == run_id
    assert run.info.status == "FINISHED"
    assert run.info.end_time is not None and run.info.end_time >= run.info.start_time
    assert run.data.metrics == {"rmse": 0.25} and run.data.params == {"alpha": "0.5"}
    finished = lh.search_runs(
        experiment_names=["tracking-quickstart"], filter_string="status = 'FINISHED'"
    )
    assert list(finished["run_id"]) == [run_id]


def test_an_uncaught_exception_ends_the_run_failed(home: str, tmp_path: Path) -> None:
    out = _script(
        home,
        """
        lh.set_experiment("MLflow Quickstart")
        lh.log_metric("loss", 1.0)
        raise RuntimeError("training diverged")
        """,
        tmp_path,
    )
    assert out.returncode != 0 and "training diverged" in out.stderr  # the traceback stays
    run = _only_run("MLflow Quickstart")
    assert run.info.status == "FAILED"
    assert run.info.end_time is not None


def test_a_started_run_left_open_and_its_child_end_at_exit(home: str, tmp_path: Path) -> None:
    _script(
        home,
        """
        lh.set_experiment("/Users/me/churn")
        lh.start_run(run_name="parent")
        lh.start_run(run_name="child", nested=True)
        lh.log_metric("m", 1)
        """,
        tmp_path,
    )
    runs = lh.search_runs(experiment_names=["/Users/me/churn"], output_format="list")
    assert sorted((r.info.run_name, r.info.status) for r in runs) == [
        ("child", "FINISHED"),
        ("parent", "FINISHED"),
    ]


def test_set_tracking_uri_sets_the_home(home: str, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    try:
        lh.set_tracking_uri(str(other))
        assert lh.get_tracking_uri() == other.as_uri() == lh.get_registry_uri()
        lh.set_registry_uri(f"file://{tmp_path / 'third'}")
        assert lh.get_tracking_uri() == (tmp_path / "third").as_uri()
    finally:
        lh.set_tracking_uri(home)
    assert lh.get_tracking_uri() == home


@pytest.mark.parametrize(
    ("uri", "what"),
    [
        ("sqlite:///mlflow.db", "a SQL database"),
        ("postgresql+psycopg2://u@h/db", "a SQL database"),
        ("http://localhost:5000", "an MLflow tracking server"),
        ("https://mlflow.example.com", "an MLflow tracking server"),
        ("databricks", "a Databricks workspace"),
        ("databricks://profile", "a Databricks workspace"),
    ],
)
def test_mlflow_server_uris_are_refused_with_what_to_use(home: str, uri: str, what: str) -> None:
    with pytest.raises(lh.InvalidArgumentError) as err:
        lh.set_tracking_uri(uri)
    assert what in str(err.value) and "lh.set_home" in str(err.value)
    assert lh.get_tracking_uri() == home  # unchanged
    with pytest.raises(lh.InvalidArgumentError, match="Delta tables under one root"):
        lh.set_registry_uri("databricks-uc")
    assert lh.get_registry_uri() == home


def test_get_artifact_uri(home: str) -> None:
    with lh.start_run() as run:
        assert lh.get_artifact_uri() == run.info.artifact_uri
        assert lh.get_artifact_uri("model/MLmodel") == run.info.artifact_uri + "/model/MLmodel"


@pytest.mark.parametrize(("bad", "norm"), [("", "."), (".", "."), ("a/../b", "b"), ("/x", "/x")])
def test_invalid_artifact_paths_get_mlflows_wording(bad: str, norm: str) -> None:
    with pytest.raises(lh.InvalidArgumentError) as err:
        fluent.verify_artifact_path(bad)
    assert str(err.value) == (
        f"Invalid artifact path: '{bad}'. Names may be treated as files in certain cases, and "
        f"must not resolve to other names when treated as such. This name would resolve to "
        f"'{norm}'"
    )


def test_download_artifacts_takes_runs_models_and_storage_uris(home: str, tmp_path: Path) -> None:
    with lh.start_run() as run:
        lh.log_dict({"alpha": 0.5}, "config/params.json")
    run_id = run.info.run_id
    from_uri = lh.artifacts.download_artifacts(
        f"runs:/{run_id}/config", dst_path=str(tmp_path / "a")
    )
    assert json.loads((Path(from_uri) / "params.json").read_text()) == {"alpha": 0.5}
    by_id = lh.artifacts.download_artifacts(run_id=run_id, artifact_path="config/params.json")
    assert json.loads(Path(by_id).read_text()) == {"alpha": 0.5}
    assert lh.artifacts.load_dict(f"runs:/{run_id}/config/params.json") == {"alpha": 0.5}
    storage = lh.artifacts.download_artifacts(f"{run.info.artifact_uri}/config/params.json")
    assert json.loads(Path(storage).read_text()) == {"alpha": 0.5}
    with pytest.raises(lh.InvalidArgumentError, match="pass either artifact_uri"):
        lh.artifacts.download_artifacts("runs:/x/y", run_id=run_id)


def test_mlflow_client_refuses_server_uris_and_a_second_registry(home: str, tmp_path: Path) -> None:
    with pytest.raises(lh.InvalidArgumentError, match="an MLflow tracking server"):
        lh.MlflowClient(tracking_uri="http://localhost:5000")
    with pytest.raises(lh.InvalidArgumentError, match="the registry lives under the lakehouse"):
        lh.MlflowClient(registry_uri=str(tmp_path / "other"))
    client = lh.MlflowClient(registry_uri=home)
    assert client.search_registered_models() == []
