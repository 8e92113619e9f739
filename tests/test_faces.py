"""log_model composes packaging, tracking and the registry: the faces users import."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import lakehouse as lh
from lakehouse.models.pyfunc_model import clear_cache
from lakehouse.models.signature import infer_signature


@pytest.fixture
def fitted() -> tuple[LogisticRegression, pd.DataFrame]:
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.random(60), "b": rng.random(60)})
    return LogisticRegression().fit(x, (x["a"] > 0.5).astype(int)), x


@pytest.fixture(autouse=True)
def _clean():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    while lh.active_run() is not None:
        lh.end_run()


def test_log_model_into_a_run_then_load_by_runs_uri(home: str, fitted) -> None:  # type: ignore[no-untyped-def]
    model, x = fitted
    lh.set_experiment("main.ml.faces")
    with lh.start_run() as run:
        info = lh.sklearn.log_model(
            model,
            "model",
            signature=infer_signature(x, model.predict(x)),
            input_example=x.head(3),
        )
    assert info.model_uri == f"models:/{info.model_id}"  # MLflow 3's logged-model URI
    assert info.run_id == run.info.run_id and "sklearn" in info.flavors
    loaded = lh.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [c.name for c in loaded.metadata.signature.inputs] == ["a", "b"]
    assert "model" in [a.path for a in lh.Client().list_artifacts(run.info.run_id)]
    tags = lh.get_run(run.info.run_id).data.tags
    assert "mlflow.log-model.history" in tags and "model" in tags["mlflow.log-model.history"]


def test_log_model_starts_a_run_when_none_is_active(home: str, fitted) -> None:  # type: ignore[no-untyped-def]
    model, x = fitted
    info = lh.sklearn.log_model(model, "m")
    assert lh.active_run() is not None and lh.active_run().info.run_id == info.run_id
    lh.end_run()
    np.testing.assert_array_equal(
        lh.sklearn.load_model(info.model_uri).predict(x), model.predict(x)
    )


def test_registered_model_name_registers_the_next_version(home: str, fitted) -> None:  # type: ignore[no-untyped-def]
    model, x = fitted
    with lh.start_run():
        first = lh.sklearn.log_model(model, "model", registered_model_name="main.ml.faces_model")
        second = lh.sklearn.log_model(model, "model2", registered_model_name="main.ml.faces_model")
    assert (first.registered_model_version, second.registered_model_version) == (1, 2)
    lh.Client().set_registered_model_alias("main.ml.faces_model", "champion", 2)
    by_alias = lh.pyfunc.load_model("models:/main.ml.faces_model@champion")
    np.testing.assert_array_equal(by_alias.predict(x), model.predict(x))


def test_runs_uri_of_a_missing_run_is_a_clear_error(home: str) -> None:
    with pytest.raises(lh.NotFoundError, match="nope"):
        lh.pyfunc.load_model("runs:/nope/model")
