"""scikit-learn autologging with real fits on a real Delta-backed root, read back."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import lakehouse as lh
from lakehouse.tracking.entities import RunStatus
from tests.autolog.threads import fit_trees_in_threads


def _runs() -> list:  # type: ignore[type-arg]
    return lh.search_runs(output_format="list")


def _artifacts(run_id: str) -> set[str]:
    return {f.path for f in lh.Client().list_artifacts(run_id)}


def test_the_seed_example_logs_params_metrics_model_and_plots(home: str, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.ensemble import GradientBoostingClassifier

    X, y = iris
    lh.autolog()
    model = GradientBoostingClassifier(n_estimators=200, max_depth=5, learning_rate=0.1)
    model.fit(X, y)
    assert lh.active_run() is None  # the run autolog started has ended
    (run,) = _runs()
    assert run.info.status is RunStatus.FINISHED
    assert run.data.tags["mlflow.autologging"] == "sklearn"
    assert run.data.tags["estimator_name"] == "GradientBoostingClassifier"
    assert run.data.tags["estimator_class"] == ("sklearn.ensemble._gb.GradientBoostingClassifier")
    assert run.data.params == {k: str(v) for k, v in model.get_params().items()}
    assert run.data.params["n_estimators"] == "200" and run.data.params["max_depth"] == "5"
    metrics = run.data.metrics
    for name in ("accuracy_score", "f1_score", "precision_score", "recall_score", "log_loss"):
        assert f"training_{name}" in metrics
    assert metrics["training_roc_auc"] > 0.9 and metrics["training_score"] > 0.9
    assert metrics["training_accuracy_score"] == pytest.approx(model.score(X, y))
    assert {
        "model",
        "training_confusion_matrix.png",
        "feature_importance.png",
        "feature_importance.json",
    } <= _artifacts(run.info.run_id)
    importance = lh.artifacts.load_dict(f"runs:/{run.info.run_id}/feature_importance.json")
    assert importance == pytest.approx(
        dict(zip(X.columns, model.feature_importances_, strict=True))
    )
    (ds,) = run.inputs.dataset_inputs
    assert ds.dataset.name == "dataset" and len(ds.dataset.digest) == 8
    assert "petal length (cm)" in ds.dataset.schema
    assert {(t.key, t.value) for t in ds.tags} == {("mlflow.data.context", "train")}

    found = lh.search_runs(order_by=["metrics.training_accuracy_score DESC"])
    assert found["run_id"].iloc[0] == run.info.run_id
    uri = f"runs:/{run.info.run_id}/model"
    loaded = lh.sklearn.load_model(uri)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    pyfunc = lh.pyfunc.load_model(uri)
    sig = pyfunc.metadata.signature
    assert [c.name for c in sig.inputs.inputs] == list(X.columns)
    np.testing.assert_array_equal(np.asarray(pyfunc.predict(X)).ravel(), model.predict(X))


def test_a_regressor_logs_mlflow_regression_metric_names(home: str) -> None:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    X, y = load_diabetes(return_X_y=True)  # numpy in, numpy dataset recorded
    lh.sklearn.autolog(log_input_examples=True)
    Ridge(alpha=0.5).fit(X, y)
    (run,) = _runs()
    metrics = run.data.metrics
    assert set(metrics) == {
        "training_mean_squared_error",
        "training_root_mean_squared_error",
        "training_mean_absolute_error",
        "training_r2_score",
        "training_score",
    }
    assert metrics["training_root_mean_squared_error"] == pytest.approx(
        math.sqrt(metrics["training_mean_squared_error"])
    )
    assert "training_confusion_matrix.png" not in _artifacts(run.info.run_id)
    assert "input_example.json" in {
        f.path.rsplit("/", 1)[-1] for f in lh.Client().list_artifacts(run.info.run_id, "model")
    }
    (ds,) = run.inputs.dataset_inputs
    assert "features_shape" in ds.dataset.profile and "targets_shape" in ds.dataset.profile


def test_pipeline_and_grid_search_give_one_parent_and_child_runs(home: str, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = iris
    lh.sklearn.autolog(max_tuning_runs=3)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=500))])
    grid = {"clf__C": [0.01, 0.1, 1.0, 10.0], "clf__fit_intercept": [True, False]}
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    runs = _runs()
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(parents) == 1 and len(children) == 3  # 8 candidates x 3 folds + refit: no runs
    parent = parents[0]
    assert parent.data.tags["estimator_name"] == "GridSearchCV"
    assert parent.data.params["best_clf__C"] == str(search.best_params_["clf__C"])
    assert parent.data.metrics["best_cv_score"] == pytest.approx(search.best_score_)
    assert {"model", "best_estimator", "cv_results.csv"} <= _artifacts(parent.info.run_id)
    best = lh.sklearn.load_model(f"runs:/{parent.info.run_id}/best_estimator")
    assert isinstance(best, Pipeline)
    np.testing.assert_array_equal(best.predict(X), search.best_estimator_.predict(X))
    ranks = sorted(c.data.metrics["rank_test_score"] for c in children)
    assert ranks == sorted(pd.Series(search.cv_results_["rank_test_score"]).nsmallest(3))
    for child in children:
        assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert child.info.status is RunStatus.FINISHED
        assert "clf__C" in child.data.params and "scale__with_mean" in child.data.params
        assert "mean_test_score" in child.data.metrics


@pytest.mark.parametrize("search_class", ["GridSearchCV", "RandomizedSearchCV"])
def test_a_search_on_joblib_threads_gives_one_parent_and_its_child_runs(
    home: str,
    iris,  # type: ignore[no-untyped-def]
    search_class: str,
) -> None:
    import joblib
    import sklearn.model_selection
    from sklearn.tree import DecisionTreeClassifier

    X, y = iris
    lh.sklearn.autolog(max_tuning_runs=2)
    search_type = getattr(sklearn.model_selection, search_class)
    grid = {"max_depth": [1, 2, 3, 4], "min_samples_leaf": [1, 5]}
    extra = {"n_iter": 5, "random_state": 0} if search_class == "RandomizedSearchCV" else {}
    search = search_type(DecisionTreeClassifier(random_state=0), grid, cv=3, n_jobs=2, **extra)
    with joblib.parallel_backend("threading"):  # the candidates' fits run on other threads
        search.fit(X, y)
    runs = _runs()
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert [p.data.tags["estimator_name"] for p in parents] == [search_class]
    assert len(children) == 2
    assert {c.data.tags["mlflow.parentRunId"] for c in children} == {parents[0].info.run_id}
    lh.sklearn.autolog(disable=True)  # the search module's own copy of the worker comes back
    validation = sklearn.model_selection._validation
    assert sklearn.model_selection._search._fit_and_score is validation._fit_and_score


def test_a_pipeline_logs_its_steps_params_in_one_run(home: str, binary) -> None:  # type: ignore[no-untyped-def]
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = binary
    lh.autolog()
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=5, random_state=0))
    pipe.fit(X, y)
    (run,) = _runs()
    assert run.data.params["randomforestclassifier__n_estimators"] == "5"
    assert run.data.params["standardscaler__with_std"] == "True"
    assert "steps" in run.data.params
    artifacts = _artifacts(run.info.run_id)
    assert {"training_roc_curve.png", "training_precision_recall_curve.png"} <= artifacts
    assert "feature_importance.png" in artifacts


def test_inside_a_user_run_autolog_logs_into_it(home: str, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.tree import DecisionTreeClassifier

    X, y = iris
    lh.autolog()
    with lh.start_run() as run:
        DecisionTreeClassifier(max_depth=2).fit(X, y)
        lh.log_metric("my_metric", 1.5)
        assert lh.active_run().info.run_id == run.info.run_id
    (got,) = _runs()
    assert got.info.run_id == run.info.run_id
    assert got.data.metrics["my_metric"] == 1.5 and "training_score" in got.data.metrics
    assert got.data.params["max_depth"] == "2"
    assert "mlflow.autologging" not in got.data.tags  # the user's run, not autolog's


def test_exclusive_leaves_the_user_run_alone(home: str, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.tree import DecisionTreeClassifier

    X, y = iris
    lh.autolog(exclusive=True)
    with lh.start_run() as run:
        DecisionTreeClassifier(max_depth=2).fit(X, y)
    got = lh.get_run(run.info.run_id)
    assert got.data.params == {} and got.data.metrics == {}
    assert len(_runs()) == 1


def test_post_training_metrics_are_named_after_the_dataset(home: str, binary) -> None:  # type: ignore[no-untyped-def]
    import sklearn.metrics
    from sklearn.linear_model import LogisticRegression

    X, y = binary
    X_train, X_test, y_train, y_test = X.iloc[:400], X.iloc[400:], y.iloc[:400], y.iloc[400:]
    lh.autolog()
    model = LogisticRegression(max_iter=2000).fit(X_train, y_train)
    pred = model.predict(X_test)
    acc = sklearn.metrics.accuracy_score(y_test, pred)
    acc2 = sklearn.metrics.accuracy_score(y_test, pred, normalize=True)
    f1 = sklearn.metrics.f1_score(y_test, pred)
    score = model.score(X_test, y_test)
    (run,) = _runs()
    metrics = run.data.metrics
    assert metrics["accuracy_score_X_test"] == pytest.approx(acc)
    assert metrics["accuracy_score-2_X_test"] == pytest.approx(acc2)
    assert metrics["f1_score_X_test"] == pytest.approx(f1)
    assert metrics["LogisticRegression_score_X_test"] == pytest.approx(score)
    info = lh.artifacts.load_dict(f"runs:/{run.info.run_id}/metric_info.json")
    assert info["accuracy_score_X_test"].startswith("accuracy_score(y_true=y_test, y_pred=pred")


def test_a_scorer_logs_its_metric_on_the_dataset(home: str, binary) -> None:  # type: ignore[no-untyped-def]
    import sklearn.metrics
    from sklearn.linear_model import LogisticRegression

    X, y = binary
    X_train, X_test, y_train, y_test = X.iloc[:400], X.iloc[400:], y.iloc[:400], y.iloc[400:]
    lh.autolog()
    model = LogisticRegression(max_iter=2000).fit(X_train, y_train)
    acc = sklearn.metrics.get_scorer("accuracy")(model, X_test, y_test)
    f1 = sklearn.metrics.get_scorer("f1")(model, X_test, y_test)
    (run,) = _runs()
    metrics = run.data.metrics
    assert metrics["accuracy_score_X_test"] == pytest.approx(acc)
    assert metrics["f1_score_X_test"] == pytest.approx(f1)
    lh.autolog(disable=True)
    scorer = sklearn.metrics.get_scorer("accuracy")
    assert scorer._score_func is sklearn.metrics.accuracy_score


def test_the_users_exception_comes_out_unchanged_and_the_run_fails(home: str, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    class Broken(LogisticRegression):
        def fit(self, X, y, sample_weight=None):  # type: ignore[no-untyped-def]
            raise boom

    boom = RuntimeError("the user's own error")
    X, y = iris
    lh.autolog()
    # A subclass defining its own fit is not patched (as MLflow); a patched class whose
    # fit raises is: LogisticRegression with an invalid parameter.
    with pytest.raises(RuntimeError) as caught:
        Broken().fit(X, y)
    assert caught.value is boom
    bad = LogisticRegression(C=-1.0)
    with pytest.raises(ValueError) as err:
        bad.fit(X, y)
    assert "C" in str(err.value)
    (run,) = _runs()
    assert run.info.status is RunStatus.FAILED
    assert run.data.params["C"] == "-1.0"
    assert lh.active_run() is None


def test_a_logging_failure_is_one_warning_and_training_goes_on(tmp_path, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    from lakehouse import config

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    X, y = iris
    with config.config_overrides(home=str(blocker / "root")):
        lh.autolog()
        with pytest.warns(lh.autologging.AutologWarning) as caught:
            model = LogisticRegression(max_iter=500).fit(X, y)
    assert len(caught) == 1
    assert "starting a run" in str(caught[0].message)
    assert model.predict(X).shape == (150,)  # trained
    assert lh.active_run() is None


def test_silent_suppresses_the_warning(tmp_path, iris, recwarn) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    from lakehouse import config

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    X, y = iris
    with config.config_overrides(home=str(blocker / "root")):
        lh.autolog(silent=True)
        LogisticRegression(max_iter=500).fit(X, y)
    assert not [w for w in recwarn if issubclass(w.category, lh.autologging.AutologWarning)]


def test_disable_restores_the_original_methods_exactly(home: str) -> None:
    import sklearn.metrics
    import sklearn.model_selection
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    before = {
        "lr_fit": LogisticRegression.__dict__["fit"],
        "lr_proba": LogisticRegression.__dict__["predict_proba"],
        "pipe_fit": Pipeline.__dict__["fit"],
        "pipe_fit_transform_fn": Pipeline.__dict__["fit_transform"].fn,
        "accuracy": sklearn.metrics.accuracy_score,
        "cvs": sklearn.model_selection.cross_val_score,
    }
    assert "fit_predict" not in DecisionTreeClassifier.__dict__
    assert "predict" not in LogisticRegression.__dict__  # inherited
    lh.autolog()
    assert "predict" in LogisticRegression.__dict__
    assert LogisticRegression.__dict__["fit"] is not before["lr_fit"]
    assert Pipeline.__dict__["fit_transform"].fn is not before["pipe_fit_transform_fn"]
    assert sklearn.metrics.accuracy_score is not before["accuracy"]
    lh.autolog()  # again: replaces the settings, never stacks wrappers
    assert LogisticRegression.__dict__["fit"].__lakehouse_original__ is before["lr_fit"]
    lh.autolog(disable=True)
    after = {
        "lr_fit": LogisticRegression.__dict__["fit"],
        "lr_proba": LogisticRegression.__dict__["predict_proba"],
        "pipe_fit": Pipeline.__dict__["fit"],
        "pipe_fit_transform_fn": Pipeline.__dict__["fit_transform"].fn,
        "accuracy": sklearn.metrics.accuracy_score,
        "cvs": sklearn.model_selection.cross_val_score,
    }
    assert all(after[k] is before[k] for k in before)
    assert "fit_predict" not in DecisionTreeClassifier.__dict__
    assert "predict" not in LogisticRegression.__dict__
    assert not lh.autologging.patching.is_patched("sklearn")
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2
    LogisticRegression().fit(X, y)
    assert _runs() == []


def test_cross_validation_inner_fits_are_not_runs(home: str, iris) -> None:  # type: ignore[no-untyped-def]
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    X, y = iris
    lh.autolog()
    scores = cross_val_score(DecisionTreeClassifier(), X, y, cv=3)
    assert len(scores) == 3
    assert _runs() == []


def test_two_threads_fitting_at_once_log_to_their_own_runs(home: str, iris) -> None:  # type: ignore[no-untyped-def]

    X, y = iris
    lh.autolog(log_models=False)
    fit_trees_in_threads(X, y, (2, 3))
    runs = _runs()
    assert sorted(r.data.params["max_depth"] for r in runs) == ["2", "3"]
    assert all(r.info.status is RunStatus.FINISHED for r in runs)
    assert all("training_score" in r.data.metrics for r in runs)
