"""MLflow's tracking quickstart runs unchanged under `import lakehouse as mlflow`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from sklearn import datasets
from sklearn.model_selection import train_test_split

import lakehouse as lh
from tests.compat.conftest import BLOCKED, run_script


def test_mlflow_is_really_blocked_in_compat_scripts() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import mlflow"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(BLOCKED)},
    )
    assert out.returncode != 0 and "`import mlflow` is blocked" in out.stderr


def test_tracking_quickstart(home: str, tmp_path: Path) -> None:
    got = run_script("tracking_quickstart.py", home, tmp_path)
    assert got["tracking_uri"] == home
    # The run: params, metrics, tag, ended FINISHED, found by the script's own search.
    run = lh.get_run(got["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params == {"solver": "lbfgs", "max_iter": "1000", "random_state": "8888"}
    assert run.data.metrics["accuracy"] == got["accuracy"] == 1.0
    assert set(run.data.metrics) == {"accuracy", "precision", "recall", "f1"}
    assert run.data.tags["Training Info"] == "Basic LR model for iris data"
    assert got["found_runs"] == [got["run_id"]]
    assert lh.get_experiment_by_name("MLflow Quickstart").name == "MLflow Quickstart"
    # The model: logged, registered under a Unity Catalog name with dashes, aliased.
    assert got["registered_version"] == 1
    client = lh.MlflowClient()
    version = client.get_model_version("tracking-quickstart", 1)
    assert version.name == "main.default.tracking-quickstart"
    assert client.get_model_version_by_alias("tracking-quickstart", "champion").version == 1
    names = [a.path for a in client.list_artifacts(got["run_id"], "iris_model")]
    assert "iris_model/MLmodel" in names
    # Predictions: the script's, the champion's and ours from the registry agree.
    X, y = datasets.load_iris(return_X_y=True)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    assert got["predictions"] == got["champion_predictions"] == list(y_test)
    assert got["matches"] == len(y_test)
    model = lh.pyfunc.load_model("models:/main.default.tracking-quickstart/1")
    assert list(model.predict(pd.DataFrame(X_test))) == list(y_test)
