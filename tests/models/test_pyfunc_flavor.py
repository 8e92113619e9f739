"""Custom PythonModels: artifacts, code paths, params, loading errors, URIs, the cache."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lakehouse import pyfunc as lh_pyfunc
from lakehouse.errors import InvalidArgumentError, InvalidModelError
from lakehouse.models.signature import infer_signature
from tests.models.churn_model import CustomChurnModel, churn_frame, write_artifacts


class Scaler(lh_pyfunc.PythonModel):
    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> Any:
        return model_input["x"] * (params or {}).get("factor", 1.0)


def test_churn_model_artifacts_and_unwrap(tmp_path: Path) -> None:
    artifacts = write_artifacts(tmp_path)
    X, _ = churn_frame(10, seed=3)
    lh_pyfunc.save_model(
        tmp_path / "pkg", CustomChurnModel(), artifacts=artifacts, input_example=X.head(3)
    )
    model = lh_pyfunc.load_model(str(tmp_path / "pkg"))
    out = model.predict(X)
    assert list(out.columns) == ["churn_probability"] and len(out) == 10
    assert ((out["churn_probability"] >= 0) & (out["churn_probability"] <= 1)).all()
    assert sorted(p.name for p in (tmp_path / "pkg" / "artifacts").iterdir()) == [
        "model.pkl",
        "preprocessor.pkl",
    ]
    assert isinstance(model.unwrap_python_model(), CustomChurnModel)
    assert model.signature.outputs.input_names() == ["churn_probability"]


def test_params_are_enforced_and_passed(tmp_path: Path) -> None:
    X = pd.DataFrame({"x": [1.0, 2.0]})
    lh_pyfunc.save_model(
        tmp_path / "m", Scaler(), signature=infer_signature(X, X["x"], params={"factor": 1.0})
    )
    model = lh_pyfunc.load_model(tmp_path / "m")
    assert model.predict(X, params={"factor": 3}).tolist() == [3.0, 6.0]
    assert model.predict(X).tolist() == [1.0, 2.0]


def test_code_paths_are_copied_and_importable(tmp_path: Path) -> None:
    code = tmp_path / "src" / "helper_mod_lh.py"
    code.parent.mkdir()
    code.write_text("def double(v):\n    return v * 2\n")
    lh_pyfunc.save_model(tmp_path / "m", Scaler(), code_paths=[str(code)])
    assert (tmp_path / "m" / "code" / "helper_mod_lh.py").exists()
    lh_pyfunc.load_model(tmp_path / "m")
    import helper_mod_lh  # on sys.path from the package's code/ folder

    assert str(tmp_path / "m" / "code") in helper_mod_lh.__file__


def test_missing_artifact_is_named_and_nothing_written(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"artifact 'model' points to .*nope\.pkl"):
        lh_pyfunc.save_model(
            tmp_path / "m", Scaler(), artifacts={"model": str(tmp_path / "nope.pkl")}
        )
    assert list(tmp_path.iterdir()) == []


def test_loading_bad_packages(tmp_path: Path) -> None:
    with pytest.raises(InvalidModelError, match="no MLmodel file .* not a model package"):
        lh_pyfunc.load_model(tmp_path)
    lh_pyfunc.save_model(tmp_path / "m", Scaler())
    (tmp_path / "m" / "MLmodel").write_text("flavors: [unclosed")
    with pytest.raises(InvalidModelError, match="MLmodel file .* is corrupt"):
        lh_pyfunc.load_model(tmp_path / "m")
    (tmp_path / "m" / "MLmodel").write_text(
        "flavors:\n  python_function:\n    loader_module: mlflow.catboost\n"
    )
    with pytest.raises(InvalidModelError, match="needs loader 'mlflow.catboost'.*supported"):
        lh_pyfunc.load_model(tmp_path / "m")


def test_unknown_uri_scheme() -> None:
    with pytest.raises(InvalidArgumentError, match="scheme 'ftp'.*expected runs:/"):
        lh_pyfunc.load_model("ftp://host/model")


def test_file_uri_and_cache_only_for_immutable(tmp_path: Path) -> None:
    lh_pyfunc.save_model(tmp_path / "m", Scaler())
    uri = (tmp_path / "m").as_uri()
    assert lh_pyfunc.load_model(uri) is not lh_pyfunc.load_model(uri)
    from lakehouse.models.pyfunc_model import load_pyfunc

    assert load_pyfunc(uri, cache=True) is load_pyfunc(uri, cache=True)
    shutil.rmtree(tmp_path / "m")
    assert load_pyfunc(uri, cache=True).predict(pd.DataFrame({"x": [2.0]})).tolist() == [2.0]
    with pytest.raises(InvalidModelError):
        load_pyfunc(uri)
    assert np.isfinite(1.0)
