"""MLflow 3 logged models: log_model makes one, models:/m-<id> loads it, search finds it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

import lakehouse as lh
from lakehouse.config import config_overrides
from lakehouse.errors import InvalidArgumentError, InvalidStateError, NotFoundError
from lakehouse.registry import model_logging
from lakehouse.tracking.tables import store_for
from tests.processes import race

X = np.arange(30, dtype=float).reshape(10, 3) / 10


def _model(scale: float = 1.0) -> LinearRegression:
    return LinearRegression().fit(X, X @ np.array([1.0, 2.0, 3.0]) * scale)


def test_log_model_creates_a_logged_model(home: str, tmp_path: Path) -> None:
    lh.set_experiment("main.ml.logged")
    with lh.start_run() as run:
        lh.log_param("alpha", 0.5)
        lh.log_metric("rmse", 0.3)  # step 0: linked to the model logged at step 0
        lh.log_metric("rmse_late", 0.1, step=4)  # another step: not linked
        info = lh.sklearn.log_model(
            _model(),
            name="model",
            params={"fit_intercept": True},
            tags={"team": "growth"},
            model_type="regressor",
            registered_model_name="main.ml.logged_model",
        )
    assert re.fullmatch(r"m-[0-9a-f]{32}", info.model_id or "")
    assert info.model_uri == f"models:/{info.model_id}"  # as MLflow 3 returns it
    assert info.run_id == run.info.run_id and info.artifact_path == "model"
    assert info.registered_model_version == 1
    assert info.params == {"fit_intercept": "True", "alpha": "0.5"}
    assert info.tags == {"team": "growth"}
    assert [(m.key, m.value) for m in info.metrics] == [("rmse", 0.3)]

    model = lh.get_logged_model(info.model_id)
    assert model.model_id == info.model_id and model.name == "model"
    assert model.status == lh.entities.LoggedModelStatus.READY
    assert model.source_run_id == run.info.run_id
    assert model.experiment_id == run.info.experiment_id
    assert model.model_type == "regressor" and model.model_uri == info.model_uri
    assert model.artifact_location == f"{run.info.artifact_uri}/model"
    assert model.creation_timestamp <= model.last_updated_timestamp
    assert lh.last_logged_model() == model

    want = _model().predict(X[:3])
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/model", "models:/main.ml.logged_model/1"):
        np.testing.assert_allclose(lh.pyfunc.load_model(uri).predict(X[:3]), want)
    assert lh.lineage("main.ml.logged_model", 1).run_id == run.info.run_id
    local = Path(lh.artifacts.download_artifacts(info.model_uri, dst_path=str(tmp_path)))
    assert (local / "MLmodel").is_file()


def test_metrics_link_to_a_model_and_a_dataset(home: str) -> None:
    dataset = lh.entities.Dataset(
        name="eval", digest="abc123", source_type="code", source="{}", schema=None
    )
    with lh.start_run() as run:
        info = lh.sklearn.log_model(_model(), name="model", step=2)
        lh.log_metric("auto", 1.0, step=2)  # same step as log_model: linked (MLflow 3)
        lh.log_metric("elsewhere", 2.0, step=5)  # other step: the run's only
        lh.log_metrics({"r2": 0.9, "mae": 0.2}, model_id=info.model_id, dataset=dataset)
        lh.log_metric("plain", 3.0)  # step 0, no model: the next model logged at 0 takes it
        second = lh.sklearn.log_model(_model(), name="second")
    # Points logged for the first model stay its own (as MLflow 3).
    assert [(m.key, m.value) for m in lh.get_logged_model(second.model_id).metrics] == [
        ("plain", 3.0)
    ]
    model = lh.get_logged_model(info.model_id)
    got = {(m.key, m.value, m.step, m.dataset_name, m.dataset_digest) for m in model.metrics}
    assert got == {
        ("auto", 1.0, 2, None, None),
        ("r2", 0.9, 0, "eval", "abc123"),
        ("mae", 0.2, 0, "eval", "abc123"),
    }
    assert all(m.run_id == run.info.run_id and m.model_id == info.model_id for m in model.metrics)
    # The points are the run's metrics too, and the dataset is a run input (as MLflow).
    assert lh.get_run(run.info.run_id).data.metrics == {
        "auto": 1.0,
        "elsewhere": 2.0,
        "r2": 0.9,
        "mae": 0.2,
        "plain": 3.0,
    }
    inputs = lh.get_run(run.info.run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("eval", "abc123")]
    with pytest.raises(InvalidArgumentError, match="invalid logged model id 'm-1'"):
        lh.log_metric("x", 1.0, model_id="m-1")


def _three_models() -> list[Any]:
    infos = []
    for i, (alpha, rmse) in enumerate([("0.1", 0.9), ("0.5", 0.4), ("1.0", 0.2)]):
        with lh.start_run():
            info = lh.sklearn.log_model(
                _model(), name=f"model_{i}", params={"alpha": alpha}, tags={"i": str(i)}
            )
            lh.log_metric("rmse", rmse, model_id=info.model_id)
        infos.append(info)
    return infos


def test_search_logged_models_with_the_runs_filter_grammar(home: str) -> None:
    lh.set_experiment("main.ml.search_models")
    a, b, c = (i.model_id for i in _three_models())
    lh.set_experiment("main.ml.other_models")
    with lh.start_run():
        other = lh.sklearn.log_model(_model(), name="model_0").model_id
    lh.set_experiment("main.ml.search_models")

    def ids(**kwargs: Any) -> list[str]:
        return [m.model_id for m in lh.search_logged_models(output_format="list", **kwargs)]

    assert ids() == [c, b, a]  # newest first, this experiment only
    assert ids(filter_string="metrics.rmse < 0.5") == [c, b]
    assert ids(filter_string="params.alpha IN ('0.1', '1.0') OR tags.i = '1'") == [c, b, a]
    assert ids(filter_string="name = 'model_1' AND status = 'READY'") == [b]
    assert ids(filter_string=f"model_id = '{a}'") == [a]
    assert ids(filter_string="name LIKE 'model_%' AND metrics.rmse >= 0.9") == [a]
    assert ids(order_by=[{"field_name": "metrics.rmse", "ascending": True}]) == [c, b, a]
    assert ids(order_by=["params.alpha DESC"], max_results=2) == [c, b]
    assert ids(order_by=["creation_time ASC"]) == [a, b, c]
    assert ids(filter_string="name = 'model_0'", experiment_ids=None) == [a]
    client = lh.MlflowClient()
    exp_ids = [
        client.get_experiment_by_name(n).experiment_id  # type: ignore[union-attr]
        for n in ("main.ml.search_models", "main.ml.other_models")
    ]
    found = client.search_logged_models(exp_ids, filter_string="name = 'model_0'")
    assert {m.model_id for m in found} == {a, other}
    frame = lh.search_logged_models(filter_string="metrics.rmse < 0.5")
    assert list(frame["model_id"]) == [c, b]
    assert list(frame.columns) == [
        "artifact_location",
        "creation_timestamp",
        "experiment_id",
        "last_updated_timestamp",
        "metrics",
        "model_id",
        "model_type",
        "name",
        "params",
        "source_run_id",
        "status",
        "status_message",
        "tags",
    ]
    assert frame["params"].iloc[0] == {"alpha": "1.0"} and set(frame["status"]) == {"READY"}
    with pytest.raises(InvalidArgumentError, match="unknown identifier 'nmae'"):
        lh.search_logged_models(filter_string="nmae = 'x'")
    with pytest.raises(InvalidArgumentError, match="expected a number"):
        lh.search_logged_models(filter_string="metrics.rmse < '1'")


def test_search_with_datasets_compares_their_metrics_only(home: str) -> None:
    with lh.start_run():
        first = lh.sklearn.log_model(_model(), name="m1").model_id
        second = lh.sklearn.log_model(_model(), name="m2").model_id
    client = lh.MlflowClient()
    run_id = lh.last_active_run().info.run_id  # type: ignore[union-attr]
    client.log_metric(run_id, "acc", 0.9, model_id=first, dataset_name="test", dataset_digest="d1")
    client.log_metric(run_id, "acc", 0.5, model_id=second, dataset_name="test", dataset_digest="d1")
    client.log_metric(
        run_id, "acc", 0.95, model_id=second, dataset_name="train", dataset_digest="d2"
    )
    found = lh.search_logged_models(
        filter_string="metrics.acc > 0.8", datasets=[{"dataset_name": "test"}], output_format="list"
    )
    assert [m.model_id for m in found] == [first]
    found = lh.search_logged_models(filter_string="metrics.acc > 0.8", output_format="list")
    assert {m.model_id for m in found} == {first, second}  # any point of any dataset
    found = lh.search_logged_models(datasets=[{"dataset_name": "train"}], output_format="list")
    assert [m.model_id for m in found] == [second]  # measured on it (MLflow's rule)
    # Any point passes a comparison (as MLflow); ordering uses the latest point.
    client.log_metric(run_id, "acc", 0.1, model_id=first, dataset_name="test", dataset_digest="d1")
    found = lh.search_logged_models(filter_string="metrics.acc > 0.8", output_format="list")
    assert {m.model_id for m in found} == {first, second}
    found = lh.search_logged_models(order_by=["metrics.acc DESC"], output_format="list")
    assert [m.model_id for m in found] == [second, first]  # latest: 0.95 vs 0.1
    found = lh.search_logged_models(filter_string="metrics.loss IS NULL", output_format="list")
    assert len(found) == 2


def test_tags_params_status_and_errors(home: str) -> None:
    with lh.start_run():
        info = lh.sklearn.log_model(_model(), name="model", params={"a": 1})
    model_id = info.model_id
    assert model_id is not None
    lh.set_logged_model_tags(model_id, {"stage": "dev", "owner": "me"})
    lh.delete_logged_model_tag(model_id, "owner")
    client = lh.MlflowClient()
    client.log_model_params(model_id, {"b": 2, "a": 1})  # same value again: a no-op
    model = lh.get_logged_model(model_id)
    assert model.tags == {"stage": "dev"} and model.params == {"a": "1", "b": "2"}
    with pytest.raises(InvalidArgumentError, match="param 'a' of logged model .* is '1'"):
        client.log_model_params(model_id, {"a": 3})
    with pytest.raises(NotFoundError, match="has no tag 'owner'"):
        lh.delete_logged_model_tag(model_id, "owner")
    with pytest.raises(InvalidArgumentError, match="expected 'm-' and 32 hex digits"):
        lh.get_logged_model("model")
    missing = "m-" + "0" * 32
    with pytest.raises(NotFoundError, match=f"logged model '{missing}' does not exist"):
        lh.get_logged_model(missing)
    with pytest.raises(NotFoundError, match=f"model URI 'models:/{missing}'"):
        lh.pyfunc.load_model(f"models:/{missing}")
    with pytest.raises(InvalidArgumentError, match="READY or FAILED"):
        lh.finalize_logged_model(model_id, "PENDING")
    client.delete_logged_model(model_id)
    assert lh.search_logged_models(output_format="list") == []
    assert lh.get_logged_model(model_id).tags == {"stage": "dev"}  # deleted, still readable


def test_a_failed_save_leaves_a_failed_model_that_does_not_load(home: str) -> None:
    def save(location: str) -> Any:
        raise RuntimeError("disk full")

    with lh.start_run(), pytest.raises(RuntimeError, match="disk full"):
        model_logging.log_model(save, "broken")
    (model,) = lh.search_logged_models(output_format="list")
    assert model.status == "FAILED" and model.status_message == "disk full"
    with pytest.raises(InvalidStateError, match="is FAILED \\(disk full\\)"):
        lh.pyfunc.load_model(model.model_uri)
    with pytest.raises(InvalidArgumentError, match="unknown logged model status 'DONE'"):
        lh.finalize_logged_model(model.model_id, "DONE")


def test_bad_log_model_keywords_write_nothing(home: str) -> None:
    with lh.start_run() as run:
        with pytest.raises(InvalidArgumentError, match="step must be a whole number"):
            lh.sklearn.log_model(_model(), name="model", step="1")
        with pytest.raises(InvalidArgumentError, match="param"):
            lh.sklearn.log_model(_model(), name="model", params={"": 1})
    assert lh.search_logged_models(output_format="list") == []
    assert lh.MlflowClient().list_artifacts(run.info.run_id) == []


def _log_models(home: str, count: int, barrier: Any) -> list[str]:
    from lakehouse import config

    config.set_config(home=home, tracking_flush_interval=0.5)
    exp = lh.set_experiment("main.ml.race_models")
    model = _model()
    barrier.wait(timeout=120)
    with lh.start_run(experiment_id=exp.experiment_id):
        return [
            str(lh.sklearn.log_model(model, name=f"m{i}", params={"i": i}).model_id)
            for i in range(count)
        ]


@pytest.mark.slow
def test_concurrent_log_model_loses_no_logged_model(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    per_worker = race(_log_models, [(home, 5)] * 3)
    ids = {m for ids in per_worker for m in ids}
    assert len(ids) == 15
    with config_overrides(home=home):
        lh.set_experiment("main.ml.race_models")
        found = lh.search_logged_models(output_format="list", max_results=100)
        assert {m.model_id for m in found} == ids
        assert {m.status for m in found} == {"READY"}
        assert sorted(m.params["i"] for m in found) == sorted([str(i) for i in range(5)] * 3)
        rows = store_for("logged_models").read(columns=["writer_id", "seq"]).to_pylist()
        assert len({(r["writer_id"], r["seq"]) for r in rows}) == len(rows) == 30  # PENDING, READY


@pytest.mark.slow
def test_spark_sql_sees_logged_models_and_spark_udf_scores_one(spark: Any, home: str) -> None:
    with lh.start_run():
        info = lh.sklearn.log_model(_model(2.0), name="model", params={"alpha": "0.5"})
        lh.log_metric("rmse", 0.25, model_id=info.model_id)
    lh.Client().flush()
    rows = spark.sql(
        "SELECT m.model_id, m.name, p.value AS alpha, x.value AS rmse "
        "FROM (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY model_id "
        "  ORDER BY updated_at DESC, writer_id DESC, seq DESC) AS rn "
        "  FROM system.tracking.logged_models) WHERE rn = 1 AND status = 'READY') m "
        "JOIN system.tracking.logged_model_params p ON p.model_id = m.model_id AND p.key = 'alpha' "
        "JOIN system.tracking.logged_model_metrics x ON x.model_id = m.model_id"
    ).collect()
    assert [tuple(r) for r in rows] == [(info.model_id, "model", "0.5", 0.25)]
    frame = spark.createDataFrame([tuple(map(float, r)) for r in X], ["a", "b", "c"])
    udf = lh.pyfunc.spark_udf(spark, info.model_uri, result_type="double")
    got = [r.p for r in frame.select(udf("a", "b", "c").alias("p")).collect()]
    np.testing.assert_allclose(got, _model(2.0).predict(X))


def test_client_create_and_finalize_a_logged_model(home: str) -> None:
    client = lh.MlflowClient()  # tracking, logged models and the registry in one object
    client.create_registered_model("main.ml.created_model")  # the registry's own helpers
    assert client.get_registered_model("main.ml.created_model").name == "main.ml.created_model"
    exp = lh.set_experiment("main.ml.created")
    model = client.create_logged_model(exp.experiment_id, name="agent", model_type="agent")
    assert model.status == "PENDING"
    assert model.artifact_location == f"{exp.artifact_location}/models/{model.model_id}/artifacts"
    done = client.finalize_logged_model(model.model_id, "READY")
    assert done.status == "READY" and done.model_type == "agent"
    assert done.last_updated_timestamp >= model.creation_timestamp
    with pytest.raises(NotFoundError, match="experiment id 'nope' does not exist"):
        client.create_logged_model("nope")
    assert [m.model_id for m in lh.search_logged_models(output_format="list")] == [model.model_id]
