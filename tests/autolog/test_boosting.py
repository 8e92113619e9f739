"""XGBoost and LightGBM autologging: per-iteration metrics, importance, native models
that load here and in the real mlflow."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lakehouse as lh
from lakehouse.tracking.entities import RunStatus

xgboost = pytest.importorskip("xgboost")
lightgbm = pytest.importorskip("lightgbm")


def _split(binary):  # type: ignore[no-untyped-def]
    X, y = binary
    return X.iloc[:400], X.iloc[400:], y.iloc[:400], y.iloc[400:]


def _history(run_id: str, key: str) -> list[tuple[int, float]]:
    return [(m.step, m.value) for m in lh.Client().get_metric_history(run_id, key)]


def _mlflow_load(flavor: str, folder: str):  # type: ignore[no-untyped-def]
    import importlib

    return importlib.import_module(f"mlflow.{flavor}").load_model(folder)


def test_xgboost_classifier_logs_iterations_importance_and_a_native_model(
    home: str, binary
) -> None:  # type: ignore[no-untyped-def]
    X_train, X_valid, y_train, y_valid = _split(binary)
    lh.autolog()
    model = xgboost.XGBClassifier(n_estimators=12, max_depth=3, eval_metric="logloss")
    model.fit(X_train, y_train, eval_set=[(X_valid, y_valid)], verbose=False)
    (run,) = lh.search_runs(output_format="list")
    assert run.info.status is RunStatus.FINISHED
    assert run.data.tags["mlflow.autologging"] == "xgboost"
    assert run.data.params["n_estimators"] == "12" and run.data.params["max_depth"] == "3"
    history = _history(run.info.run_id, "validation_0-logloss")
    assert [s for s, _ in history] == list(range(12))
    want = model.evals_result()["validation_0"]["logloss"]
    assert [v for _, v in history] == pytest.approx(want)
    artifacts = {f.path for f in lh.Client().list_artifacts(run.info.run_id)}
    assert {"model", "feature_importance_weight.json", "feature_importance_weight.png"} <= artifacts
    folder = lh.artifacts.download_artifacts(f"runs:/{run.info.run_id}/model")
    assert any(name.endswith(".ubj") for name in __import__("os").listdir(folder))
    ours = lh.xgboost.load_model(f"runs:/{run.info.run_id}/model")
    assert isinstance(ours, xgboost.XGBClassifier)
    np.testing.assert_array_equal(ours.predict(X_valid), model.predict(X_valid))
    theirs = _mlflow_load("xgboost", folder)
    np.testing.assert_array_equal(theirs.predict(X_valid), model.predict(X_valid))
    pyfunc = lh.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    assert [c.name for c in pyfunc.metadata.signature.inputs.inputs] == list(X_train.columns)


def test_xgboost_native_train_with_early_stopping(home: str, binary) -> None:  # type: ignore[no-untyped-def]
    X_train, X_valid, y_train, y_valid = _split(binary)
    lh.xgboost.autolog(importance_types=["weight", "gain"])
    dtrain = xgboost.DMatrix(X_train, label=y_train)
    dvalid = xgboost.DMatrix(X_valid, label=y_valid)
    mine: dict = {}  # type: ignore[type-arg]
    booster = xgboost.train(
        {"objective": "binary:logistic", "max_depth": 2, "eval_metric": "logloss"},
        dtrain,
        num_boost_round=200,
        evals=[(dtrain, "train"), (dvalid, "valid")],
        early_stopping_rounds=3,
        evals_result=mine,
        verbose_eval=False,
    )
    (run,) = lh.search_runs(output_format="list")
    assert run.data.params["max_depth"] == "2" and run.data.params["num_boost_round"] == "200"
    assert run.data.params["early_stopping_rounds"] == "3"
    rounds = len(mine["valid"]["logloss"])  # the caller's evals_result is still filled
    assert rounds < 200
    assert run.data.metrics["stopped_iteration"] == rounds - 1
    assert run.data.metrics["best_iteration"] == booster.best_iteration
    history = _history(run.info.run_id, "valid-logloss")
    assert [s for s, _ in history] == list(range(rounds + 1))  # + the best one, after
    assert history[-1][1] == pytest.approx(mine["valid"]["logloss"][booster.best_iteration])
    artifacts = {f.path for f in lh.Client().list_artifacts(run.info.run_id)}
    assert {"feature_importance_weight.json", "feature_importance_gain.png"} <= artifacts
    loaded = lh.xgboost.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(loaded.predict(dvalid), booster.predict(dvalid))
    sig = lh.pyfunc.load_model(f"runs:/{run.info.run_id}/model").metadata.signature
    assert [c.name for c in sig.inputs.inputs] == list(X_train.columns)  # from the DMatrix
    (ds,) = run.inputs.dataset_inputs  # the DMatrix's data and labels, as MLflow records
    assert {(t.key, t.value) for t in ds.tags} == {("mlflow.data.context", "train")}
    profile = json.loads(ds.dataset.profile)
    assert profile["features_shape"] == list(X_train.shape)
    assert profile["targets_shape"] == [len(y_train)]


def test_lightgbm_classifier_and_native_train(home: str, binary) -> None:  # type: ignore[no-untyped-def]
    X_train, X_valid, y_train, y_valid = _split(binary)
    lh.autolog()
    model = lightgbm.LGBMClassifier(n_estimators=8, num_leaves=7, verbose=-1)
    model.fit(X_train, y_train, eval_set=[(X_valid, y_valid)])
    run = lh.last_active_run()
    assert run.data.tags["mlflow.autologging"] == "lightgbm"
    assert run.data.params["num_leaves"] == "7"
    history = _history(run.info.run_id, "valid_0-binary_logloss")
    assert [s for s, _ in history] == list(range(8))
    artifacts = {f.path for f in lh.Client().list_artifacts(run.info.run_id)}
    assert {"feature_importance_split.json", "feature_importance_gain.png", "model"} <= artifacts
    folder = lh.artifacts.download_artifacts(f"runs:/{run.info.run_id}/model")
    ours = lh.lightgbm.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(ours.predict(X_valid), model.predict(X_valid))
    theirs = _mlflow_load("lightgbm", folder)
    np.testing.assert_array_equal(theirs.predict(X_valid), model.predict(X_valid))

    train_set = lightgbm.Dataset(X_train, label=y_train)
    booster = lightgbm.train(
        {"objective": "binary", "num_leaves": 5, "verbose": -1},
        train_set,
        num_boost_round=6,
        valid_sets=[train_set],
        valid_names=["train"],
    )
    native = lh.last_active_run()
    assert native.info.run_id != run.info.run_id
    assert native.data.params["num_leaves"] == "5" and native.data.params["num_boost_round"] == "6"
    assert [s for s, _ in _history(native.info.run_id, "train-binary_logloss")] == list(range(6))
    loaded = lh.lightgbm.load_model(f"runs:/{native.info.run_id}/model")
    np.testing.assert_allclose(loaded.predict(X_valid), booster.predict(X_valid))
    pyfunc = lh.pyfunc.load_model(f"runs:/{native.info.run_id}/model")
    assert [c.name for c in pyfunc.metadata.signature.inputs.inputs] == list(X_train.columns)
    (ds,) = native.inputs.dataset_inputs  # the Dataset's raw frame, read before training
    assert "mean radius" in ds.dataset.schema


def test_models_saved_by_mlflow_load_here(tmp_path, binary) -> None:  # type: ignore[no-untyped-def]
    import mlflow.lightgbm
    import mlflow.xgboost

    X_train, X_valid, y_train, _ = _split(binary)
    xgb_model = xgboost.XGBRegressor(n_estimators=5).fit(X_train, y_train)
    lgb_model = lightgbm.LGBMRegressor(n_estimators=5, verbose=-1).fit(X_train, y_train)
    mlflow.xgboost.save_model(xgb_model, str(tmp_path / "xgb"))
    mlflow.lightgbm.save_model(lgb_model, str(tmp_path / "lgb"), serialization_format="cloudpickle")
    np.testing.assert_allclose(
        lh.xgboost.load_model(str(tmp_path / "xgb")).predict(X_valid), xgb_model.predict(X_valid)
    )
    np.testing.assert_allclose(
        lh.lightgbm.load_model(str(tmp_path / "lgb")).predict(X_valid), lgb_model.predict(X_valid)
    )


def test_disable_restores_the_boosting_libraries(home: str) -> None:
    before = (
        xgboost.DMatrix.__dict__["__init__"],
        lightgbm.Dataset.__dict__["__init__"],
        xgboost.train,
        xgboost.sklearn.train,
        xgboost.XGBClassifier.__dict__["fit"],
        lightgbm.train,
        lightgbm.sklearn.train,
        lightgbm.LGBMClassifier.__dict__["fit"],
    )
    lh.autolog()
    assert (
        xgboost.train is not before[2]
        and lightgbm.LGBMClassifier.__dict__["fit"] is not before[7]
        and xgboost.DMatrix.__dict__["__init__"] is not before[0]
    )
    lh.autolog(disable=True)
    after = (
        xgboost.DMatrix.__dict__["__init__"],
        lightgbm.Dataset.__dict__["__init__"],
        xgboost.train,
        xgboost.sklearn.train,
        xgboost.XGBClassifier.__dict__["fit"],
        lightgbm.train,
        lightgbm.sklearn.train,
        lightgbm.LGBMClassifier.__dict__["fit"],
    )
    assert all(a is b for a, b in zip(after, before, strict=True))
