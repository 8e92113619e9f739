"""MLflow's "Search Runs" guide under `import lakehouse as mlflow`: every search's answer."""

from __future__ import annotations

from pathlib import Path

import pytest

import lakehouse as lh
from tests.compat.conftest import run_script


@pytest.mark.slow
def test_search_runs_guide(home: str, tmp_path: Path) -> None:
    got = run_script("search_runs_guide.py", home, tmp_path)
    acc = got["accuracy"]
    assert got["metric"] == sorted(n for n, a in acc.items() if a > 0.94)
    assert got["metric"]  # the filter keeps some runs and drops others
    assert len(got["metric"]) < len(acc)
    assert got["param"] == ["crashed", "knn-5"]
    assert got["param_in"] == ["crashed", "knn-5", "tree-3"]
    assert got["tag"] == ["knn-5", "logreg-c1"]
    assert got["run_name_like"] == ["logreg-c01", "logreg-c1"]
    assert got["attribute_status"] == ["crashed"]
    assert got["attribute_name"] == ["knn-5"]
    assert got["dataset_name"] == ["knn-5", "logreg-c01", "logreg-c1"]
    assert got["dataset_context"] == ["knn-5", "logreg-c01", "logreg-c1", "tree-3"]
    assert got["dataset_digest"] == ["knn-5", "logreg-c01", "logreg-c1"]
    assert got["no_eval"] == ["tree-3"]
    ranked = sorted(acc, key=lambda n: -acc[n])
    assert got["order_max"] == ranked[:2]
    assert got["deleted_only"] == ["deleted"]
    assert (got["all_count"], got["active_count"]) == (6, 5)
    logreg = sorted((n for n in acc if n.startswith("logreg")), key=lambda n: -acc[n])
    assert got["pandas_names"] == logreg
    assert got["pandas_accuracy"] == [acc[n] for n in logreg]
    assert got["pandas_columns"] == ["metrics.accuracy", "params.C", "params.model", "run_id"]
    # The datasets the guide logged are rows of a Delta table, one per run and dataset.
    rows = lh.MlflowClient().search_runs(
        [lh.get_experiment_by_name("search-run-guide").experiment_id],
        "datasets.name = 'cancer-train'",
    )
    assert len(rows) == 4
