"""MLflow's sklearn ElasticNet example and registry tutorial under `import lakehouse as mlflow`."""

from __future__ import annotations

from pathlib import Path

import pytest

import lakehouse as lh
from tests.compat.conftest import run_script


def test_elasticnet_registry_and_custom_pyfunc(home: str, tmp_path: Path) -> None:
    got = run_script("sklearn_elasticnet.py", home, tmp_path)
    run = lh.get_run(got["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params == {"alpha": "0.01", "l1_ratio": "0.5"}
    assert run.data.metrics["rmse"] == pytest.approx(got["rmse"])
    assert set(run.data.metrics) == {"rmse", "r2", "mae"}
    # Registered under a mixed-case name: stored lowercase in main.default, found by either.
    client = lh.MlflowClient()
    assert client.get_registered_model("ElasticnetWineModel").name == (
        "main.default.elasticnetwinemodel"
    )
    assert (
        client.get_model_version_by_alias("main.default.elasticnetwinemodel", "champion").version
        == 1
    )
    assert got["champion"] == pytest.approx(got["expected"])
    assert got["rounded"] == pytest.approx([round(v, 1) for v in got["expected"]])
    # The run started by log_metric alone ended FINISHED when the script exited.
    implicit = lh.get_run(got["implicit_run_id"])
    assert implicit.info.status == "FINISHED" and implicit.info.end_time is not None
    assert implicit.data.metrics == {"implicit": 1.0}
