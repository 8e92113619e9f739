"""Two-way compatibility with the real mlflow 3.17 package."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lakehouse import pyfunc as lh_pyfunc
from lakehouse import sklearn as lh_sklearn
from tests.models.churn_model import CustomChurnModel, churn_frame, write_artifacts

mlflow = pytest.importorskip("mlflow")

pytestmark = pytest.mark.usefixtures("allow_mlflow_unpickling")


def test_our_sklearn_model_loads_in_mlflow(tmp_path: Path, xy, estimator) -> None:  # type: ignore[no-untyped-def]
    X, _ = xy
    lh_sklearn.save_model(
        estimator, tmp_path / "m", pyfunc_predict_fn="predict_proba", input_example=X.head(2)
    )
    theirs = mlflow.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(theirs.predict(X), estimator.predict_proba(X))
    assert theirs.metadata.get_input_schema().input_names() == ["a", "b"]
    native = mlflow.sklearn.load_model(str(tmp_path / "m"))
    np.testing.assert_array_equal(native.predict(X), estimator.predict(X))


@pytest.mark.parametrize("fmt", ["skops", "cloudpickle", "pickle"])
def test_mlflow_sklearn_models_load_here(tmp_path: Path, xy, estimator, fmt: str) -> None:  # type: ignore[no-untyped-def]
    X, _ = xy
    mlflow.sklearn.save_model(
        estimator, str(tmp_path / "m"), serialization_format=fmt, input_example=X.head(2)
    )
    ours = lh_pyfunc.load_model(tmp_path / "m")
    np.testing.assert_array_equal(ours.predict(X), estimator.predict(X))
    assert ours.signature.inputs.input_names() == ["a", "b"]
    np.testing.assert_array_equal(
        lh_sklearn.load_model(tmp_path / "m").predict(X), estimator.predict(X)
    )


def test_churn_model_saved_here_predicts_the_same_in_mlflow(tmp_path: Path) -> None:
    X, _ = churn_frame(12, seed=5)
    lh_pyfunc.save_model(
        tmp_path / "pkg",
        CustomChurnModel(),
        artifacts=write_artifacts(tmp_path),
        input_example=X.head(2),
    )
    ours = lh_pyfunc.load_model(tmp_path / "pkg").predict(X)
    theirs = mlflow.pyfunc.load_model(str(tmp_path / "pkg")).predict(X)
    pd.testing.assert_frame_equal(ours, theirs)
    assert list(theirs.columns) == ["churn_probability"]


class MlflowChurn(mlflow.pyfunc.PythonModel):
    """The churn model written against mlflow's own base class."""

    def load_context(self, context):  # type: ignore[no-untyped-def]
        CustomChurnModel.load_context(self, context)  # type: ignore[arg-type]

    def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
        return CustomChurnModel.predict(self, context, model_input, params)  # type: ignore[arg-type]


def test_churn_model_saved_by_mlflow_loads_here(tmp_path: Path) -> None:
    # mlflow.pyfunc.save_model accepts only subclasses of its own PythonModel.
    base = MlflowChurn
    X, _ = churn_frame(12, seed=6)
    mlflow.pyfunc.save_model(
        str(tmp_path / "pkg"),
        python_model=base(),
        artifacts=write_artifacts(tmp_path),
        input_example=X.head(2),
    )
    theirs = mlflow.pyfunc.load_model(str(tmp_path / "pkg")).predict(X)
    ours = lh_pyfunc.load_model(tmp_path / "pkg")
    pd.testing.assert_frame_equal(ours.predict(X), theirs)
    assert isinstance(ours.unwrap_python_model(), base)
