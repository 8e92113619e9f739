"""MLflow's custom-pyfunc examples (AddN; a wrapper with artifacts) under the lakehouse import."""

from __future__ import annotations

from pathlib import Path

import pytest

import lakehouse as lh
from tests.compat.conftest import run_script


@pytest.mark.slow
def test_custom_pyfunc_models_save_log_and_load(home: str, tmp_path: Path) -> None:
    got = run_script("custom_pyfunc.py", home, tmp_path)
    assert got["add_n"] == list(range(5, 15))
    assert (tmp_path / "add_n_model" / "MLmodel").is_file()
    # The wrapper opened the forest from its packaged artifact and answers like it.
    assert got["wrapped"] == pytest.approx(got["expected"])
    assert max(got["expected"]) > 0.5  # the first wine rows are class 0
    assert len(got["input_names"]) == 13 and got["input_names"][0] == "alcohol"
    assert "missing required column(s) ['alcohol']" in got["refused"]
    assert "forest_wrapper/artifacts" in got["artifacts"]
    assert "forest_wrapper/input_example.json" in got["artifacts"]
    assert lh.get_run(got["run_id"]).info.status == "FINISHED"
    # The package is loadable again in this process, from its run and by its URI.
    model = lh.pyfunc.load_model(got["model_uri"])
    from sklearn.datasets import load_wine

    X = load_wine(as_frame=True).data
    assert list(model.predict(X.head(5))) == pytest.approx(got["expected"])
