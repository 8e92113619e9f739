"""lh.evaluate against real mlflow.evaluate on the same data and the same model files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import lakehouse as lh
from lakehouse import sklearn as lh_sklearn
from lakehouse import xgboost as lh_xgboost
from lakehouse.evaluation import EvaluationResult, MetricValue, make_metric

pytest.importorskip("mlflow")

SIDE = Path(__file__).with_name("mlflow_side.py")


def _features(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])


def _booster(X: pd.DataFrame, y: pd.Series) -> Any:
    import xgboost

    return xgboost.train({"max_depth": 2}, xgboost.DMatrix(X, y), num_boost_round=4)


def _cases(folder: Path) -> dict[str, dict[str, Any]]:
    """Evaluations: sklearn models (binary, 3 classes, regression) and predictions columns
    (regression; string labels with pos_label and sample weights; 3 classes, macro average)."""
    rng = np.random.default_rng(7)
    X = _features(60, 1)
    binary = (X.a + 0.5 * rng.normal(size=60) > 0).astype(int)
    multi = np.digitize(X.a + 0.3 * rng.normal(size=60), [-0.5, 0.5])
    y_reg = 2 * X.b + rng.normal(size=60)
    reg = LinearRegression().fit(X, y_reg)
    words = np.array(["no", "yes"])
    guess = np.where(X.a + X.c > 0, "yes", "no")
    frames = {
        "binary": (X.assign(y=binary), LogisticRegression().fit(X, binary)),
        "multiclass": (X.assign(y=multi), LogisticRegression().fit(X, multi)),
        "regressor": (X.assign(y=y_reg, p=reg.predict(X) + 0.1), None),
        "regressor_model": (X.assign(y=y_reg), reg),
        "words_weighted": (X.assign(y=words[binary], p=guess), None),
        "multiclass_macro": (X.assign(y=multi, p=np.digitize(X.a, [-0.4, 0.6])), None),
        "regressor_booster": (X.assign(y=y_reg), _booster(X, y_reg)),
    }
    configs: dict[str, dict[str, Any]] = {
        "words_weighted": {"pos_label": "no", "sample_weights": np.linspace(0.5, 2, 60).tolist()},
        "multiclass_macro": {"average": "macro"},
    }
    cases = {}
    for name, (df, model) in frames.items():
        df.to_parquet(folder / f"{name}.parquet")
        path = None
        if model is not None:
            path = str(folder / f"{name}-model")
            flavor = lh_xgboost if name.endswith("booster") else lh_sklearn
            flavor.save_model(model, path)
        cases[name] = {
            "data": str(folder / f"{name}.parquet"),
            "model": path,
            "targets": "y",
            "predictions": None if model is not None else "p",
            "model_type": "regressor" if name.startswith("regressor") else "classifier",
            "config": configs.get(name, {}),
        }
    return cases


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the cases, what real MLflow computed for them in its own process)."""
    folder = tmp_path_factory.mktemp("evaluate-cases")
    cases = _cases(folder)
    (folder / "cases.json").write_text(json.dumps(cases))
    done = subprocess.run(
        [sys.executable, str(SIDE), str(folder / "cases.json"), str(folder / "mlruns")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return cases, json.loads(done.stdout.strip().splitlines()[-1])


def _evaluate(case: dict[str, Any]) -> EvaluationResult:
    return lh.evaluate(
        case["model"],
        pd.read_parquet(case["data"]),
        targets=case["targets"],
        predictions=case["predictions"],
        model_type=case["model_type"],
        evaluator_config=case["config"],
    )


@pytest.mark.parametrize(
    "name",
    [
        "binary",
        "multiclass",
        "regressor",
        "regressor_model",
        "regressor_booster",
        "words_weighted",
        "multiclass_macro",
    ],
)
def test_metrics_equal_mlflow(home: str, compared: Any, name: str) -> None:
    cases, theirs = compared
    with lh.start_run() as run:
        ours = _evaluate(cases[name])
    assert ours.run_id == run.info.run_id
    assert sorted(ours.metrics) == sorted(theirs[name]["metrics"])
    for key, value in theirs[name]["metrics"].items():
        assert ours.metrics[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    logged = lh.get_run(run.info.run_id).data.metrics
    assert logged == pytest.approx(theirs[name]["logged"], rel=1e-9)
    # MLflow's images and tables, under its names, plus eval_metrics.json
    assert set(ours.artifacts) == {*theirs[name]["artifacts"], "eval_metrics"}


def test_binary_has_the_expected_metric_names(home: str, compared: Any) -> None:
    cases, _ = compared
    with lh.start_run():
        ours = _evaluate(cases["binary"])
    assert set(ours.metrics) == {
        "score",
        "example_count",
        "accuracy_score",
        "recall_score",
        "precision_score",
        "f1_score",
        "log_loss",
        "roc_auc",
        "precision_recall_auc",
        "true_positives",
        "true_negatives",
        "false_positives",
        "false_negatives",
    }


def test_artifacts_are_logged_to_the_run(home: str, compared: Any) -> None:
    cases, _ = compared
    ours = _evaluate(cases["multiclass"])  # no active run: a new one, ended after
    assert lh.active_run() is None
    run = lh.get_run(ours.run_id)
    assert run.info.status == "FINISHED"
    names = {f.path for f in lh.MlflowClient().list_artifacts(ours.run_id)}
    assert {"confusion_matrix.png", "per_class_metrics.csv", "eval_metrics.json"} <= names
    assert ours.artifacts["confusion_matrix"].uri.endswith("/confusion_matrix.png")
    assert ours.artifacts["confusion_matrix"].content.size[0] > 100
    assert ours.artifacts["eval_metrics"].content == pytest.approx(ours.metrics)
    per_class = ours.artifacts["per_class_metrics"].content
    assert list(per_class["positive_class"]) == [0, 1, 2]


def test_callable_and_dataset_and_extra_metric(home: str) -> None:
    X = _features(40, 3)
    y = (X.a > 0).map({True: "yes", False: "no"})
    predict = lambda df: np.where(df["a"] + 0.2 * df["b"] > 0, "yes", "no")  # noqa: E731

    def wrong_rate(predictions: pd.Series, targets: pd.Series) -> MetricValue:
        scores = (predictions != targets).astype(float).tolist()
        return MetricValue(scores=scores)

    extra = make_metric(eval_fn=wrong_rate, greater_is_better=False)
    dataset = lh.data.from_pandas(X.assign(y=y), targets="y", name="holdout")
    with lh.start_run() as run:
        result = lh.evaluate(
            predict,
            dataset,
            model_type="classifier",
            extra_metrics=[extra],
            evaluator_config={"pos_label": "yes"},
        )
    wrong = (predict(X) != y.to_numpy()).astype(float)
    assert result.metrics["wrong_rate/mean"] == pytest.approx(wrong.mean())
    assert result.metrics["accuracy_score"] == pytest.approx(1 - wrong.mean())
    assert "log_loss" not in result.metrics  # a function has no predict_proba (as MLflow)
    inputs = lh.get_run(run.info.run_id).inputs.dataset_inputs
    assert [i.dataset.name for i in inputs] == ["holdout"]


def _no_runs() -> None:
    assert lh.active_run() is None
    assert len(lh.search_runs(search_all_experiments=True)) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model_type": "question-answering"}, "model_type must be one of"),
        ({"targets": "label"}, "targets column 'label' is not in the data"),
        ({"predictions": "nope", "model": None}, "predictions column 'nope' is not in the data"),
        ({"predictions": "p"}, "a model and predictions='p', a column of the data"),
        ({"model": 42}, "model must be a model URI"),
        ({"model": None}, "evaluate needs a model or predictions="),
        ({"evaluator_config": {"averag": "macro"}}, "unknown keys ['averag']"),
        ({"env_manager": "conda"}, "env_manager='conda'"),
    ],
)
def test_bad_input_is_refused_and_logs_nothing(
    home: str, kwargs: dict[str, Any], message: str
) -> None:
    X = _features(10, 2)
    arguments = {
        "model": lambda df: df["a"],
        "data": X.assign(y=X.b, p=X.c),
        "targets": "y",
        "model_type": "regressor",
        **kwargs,
    }
    with pytest.raises(lh.InvalidArgumentError) as err:
        lh.evaluate(**arguments)
    assert message in str(err.value)
    _no_runs()


def test_a_failing_model_logs_nothing(home: str) -> None:
    def broken(df: pd.DataFrame) -> Any:
        raise RuntimeError("model exploded")

    with pytest.raises(RuntimeError, match="model exploded"):
        lh.evaluate(broken, _features(5, 0).assign(y=1.0), targets="y", model_type="regressor")
    _no_runs()


def test_spark_dataframe_is_collected(
    spark: Any, home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    X = _features(20, 4)
    df = X.assign(y=X.a * 2, p=X.a * 2 + X.b * 0.1)
    expected = lh.evaluate(data=df, targets="y", predictions="p", model_type="regressor")
    result = lh.evaluate(
        data=spark.createDataFrame(df), targets="y", predictions="p", model_type="regressor"
    )
    assert result.metrics == pytest.approx(expected.metrics, rel=1e-12)
    assert result.run_id != expected.run_id
    monkeypatch.setattr("lakehouse.evaluation.inputs.MAX_COLLECTED_ROWS", 19)
    with pytest.raises(lh.InvalidArgumentError, match="allows at most 19 rows"):
        lh.evaluate(
            data=spark.createDataFrame(df), targets="y", predictions="p", model_type="regressor"
        )


def test_loaded_model_and_unknown_model_id(home: str, compared: Any) -> None:
    cases, theirs = compared
    case = cases["binary"]
    data = pd.read_parquet(case["data"])
    loaded = lh.pyfunc.load_model(case["model"])
    with pytest.raises(lh.NotFoundError):
        lh.evaluate(loaded, data, targets="y", model_type="classifier", model_id="m-" + "0" * 32)
    _no_runs()
    result = lh.evaluate(loaded, data, targets="y", model_type="classifier")
    assert result.metrics == pytest.approx(theirs["binary"]["metrics"], rel=1e-9)
