"""MLflow's sklearn logistic-regression example and dataset tracking, as `lakehouse as mlflow`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sklearn.datasets import load_iris

import lakehouse as lh
from tests.compat.conftest import run_script


@pytest.mark.slow
def test_logistic_regression_and_its_training_dataset(home: str, tmp_path: Path) -> None:
    got = run_script("sklearn_logistic_regression.py", home, tmp_path)
    example = lh.get_run(got["example_run_id"])
    assert example.info.status == "FINISHED"
    assert example.data.metrics == {"score": pytest.approx(got["score"])}
    assert got["score"] == pytest.approx(4 / 6)
    assert got["predictions"] == got["expected"]
    assert {f.path for f in lh.MlflowClient().list_artifacts(example.info.run_id)} == {"model"}

    run = lh.get_run(got["run_id"])
    assert run.data.metrics["train_accuracy"] > 0.9
    [used] = run.inputs.dataset_inputs
    # The digest is the one MLflow computes for the same frame (checked against mlflow
    # itself in tests/tracking/test_datasets.py); here: what the run stored, read back.
    iris = load_iris(as_frame=True).frame
    assert used.dataset.digest == got["digest"] == got["reloaded_digest"]
    assert used.dataset.digest == lh.data.from_pandas(iris).digest
    assert (used.dataset.name, used.dataset.source_type) == ("iris", "local")
    assert json.loads(used.dataset.source) == {"uri": got["csv"]}
    assert {t.key: t.value for t in used.tags} == {"mlflow.data.context": "training"}
    assert got["dataset"]["profile"] == {"num_rows": 150, "num_elements": 750}
    columns = got["dataset"]["schema"]["mlflow_colspec"]
    assert [c["name"] for c in columns] == list(iris.columns)
    assert [c["type"] for c in columns] == ["double"] * 4 + ["long"]
    assert got["source_path"] == got["csv"]
    assert pd.read_csv(got["source_path"]).shape == (150, 5)
    found = lh.search_runs(
        search_all_experiments=True, filter_string="datasets.context = 'training'"
    )
    assert list(found["run_id"]) == [run.info.run_id]
