"""Datasets (lh.data) logged with lh.log_input: digests as MLflow's, storage, search."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import lakehouse as lh
from lakehouse.entities import Dataset, DatasetInput, InputTag


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"name": ["tom", "nick", "july"], "age": [10, 15, 14], "score": [0.5, 0.25, 1.0]}
    )


def test_pandas_dataset_matches_mlflow_digest_schema_and_profile() -> None:
    mlflow_data = pytest.importorskip("mlflow.data")
    df = _frame()
    ours = lh.data.from_pandas(df, source="/data/people.csv", targets="score", name="people")
    theirs = mlflow_data.from_pandas(df, source="/data/people.csv", targets="score", name="people")
    assert ours.digest == theirs.digest
    assert len(ours.digest) == 8
    mine, ref = ours._to_mlflow_entity(), theirs._to_mlflow_entity()
    assert (mine.name, mine.digest, mine.source_type) == ("people", ref.digest, "local")
    assert json.loads(mine.source) == json.loads(ref.source) == {"uri": "/data/people.csv"}
    assert json.loads(mine.schema or "") == json.loads(ref.schema)
    assert (
        json.loads(mine.profile or "")
        == json.loads(ref.profile)
        == {
            "num_rows": 3,
            "num_elements": 9,
        }
    )


def test_numpy_dataset_matches_mlflow_digest_and_profile() -> None:
    mlflow_data = pytest.importorskip("mlflow.data")
    x = np.arange(24, dtype=np.float64).reshape(6, 4)
    y = np.array([0, 1, 0, 1, 1, 0])
    ours = lh.data.from_numpy(x, targets=y, source="s3://bucket/iris.npy")
    theirs = mlflow_data.from_numpy(x, targets=y, source="s3://bucket/iris.npy")
    assert ours.digest == theirs.digest
    mine, ref = ours._to_mlflow_entity(), theirs._to_mlflow_entity()
    assert mine.source_type == ref.source_type == "s3"
    assert json.loads(mine.profile or "") == json.loads(ref.profile)
    schema, ref_schema = json.loads(mine.schema or ""), json.loads(ref.schema)
    for part in ("features", "targets"):
        assert json.loads(schema["mlflow_tensorspec"][part]) == json.loads(
            ref_schema["mlflow_tensorspec"][part]
        )


def test_a_different_frame_gets_a_different_digest_and_bad_targets_are_refused() -> None:
    df = _frame()
    changed = df.assign(age=[10, 15, 15])
    assert lh.data.from_pandas(df).digest != lh.data.from_pandas(changed).digest
    assert lh.data.from_pandas(df, digest="abc").digest == "abc"
    with pytest.raises(lh.InvalidArgumentError, match="targets column 'label'"):
        lh.data.from_pandas(df, targets="label")
    # Built in code (no source given): the source is the script, as MLflow records it.
    code = lh.data.from_pandas(df)._to_mlflow_entity()
    assert code.source_type == "code"
    assert "mlflow.source.name" in json.loads(code.source)["tags"]


def test_log_input_stores_datasets_and_search_filters_on_them(home: str) -> None:
    lh.set_experiment("main.default.datasets")
    train = lh.data.from_pandas(_frame(), name="people", source="/data/people.csv")
    evals = lh.data.from_numpy(np.ones((2, 3)), name="holdout")
    with lh.start_run() as first:
        lh.log_input(train, context="training", tags={"split": "a"})
        lh.log_input(train, context="training")  # the same dataset again: kept once
        lh.log_input(evals, context="eval")
    with lh.start_run() as second:
        lh.log_inputs([evals], contexts=["training"])
    with lh.start_run() as third:
        lh.log_metric("m", 1.0)

    run = lh.get_run(first.info.run_id)
    inputs = run.inputs.dataset_inputs
    assert [i.dataset.name for i in inputs] == ["people", "holdout"]
    assert inputs[0].dataset == train._to_mlflow_entity()
    assert {t.key: t.value for t in inputs[0].tags} == {
        "split": "a",
        "mlflow.data.context": "training",
    }
    assert lh.get_run(third.info.run_id).inputs.dataset_inputs == ()

    def ids(flt: str) -> set[str]:
        return {r.info.run_id for r in lh.search_runs(filter_string=flt, output_format="list")}

    a, b = first.info.run_id, second.info.run_id
    assert ids("datasets.name = 'people'") == {a}
    assert ids("dataset.name = 'holdout'") == {a, b}
    assert ids(f"datasets.digest = '{train.digest}'") == {a}
    assert ids("datasets.context = 'eval'") == {a}
    assert ids("datasets.context IN ('training') AND datasets.name = 'holdout'") == {a, b}
    assert ids("datasets.name LIKE 'peo%' OR metrics.m = 1") == {a, third.info.run_id}
    assert ids("datasets.name != 'holdout'") == {a}  # any dataset of the run matches
    listed = lh.search_runs(filter_string="datasets.name = 'people'", output_format="list")
    assert [i.dataset.name for i in listed[0].inputs.dataset_inputs] == ["people", "holdout"]
    frame = lh.search_runs(filter_string="datasets.context = 'training'")
    assert set(frame["run_id"]) == {a, b}


def test_dataset_filter_errors_name_the_rule(home: str) -> None:
    with pytest.raises(lh.InvalidArgumentError, match="unknown key 'size' for datasets"):
        lh.search_runs(filter_string="datasets.size = '1'")
    with pytest.raises(lh.InvalidArgumentError, match="operator > does not apply to datasets"):
        lh.search_runs(filter_string="datasets.name > 'a'")
    with pytest.raises(lh.InvalidArgumentError, match="cannot be ordered by datasets.name"):
        lh.search_runs(order_by=["datasets.name"])
    with pytest.raises(lh.InvalidArgumentError, match="datasets.\\* describe runs"):
        lh.search_experiments(filter_string="datasets.name = 'a'")


def test_client_log_inputs_checks_what_it_stores(home: str) -> None:
    client = lh.MlflowClient()
    run_id = client.create_run(client.get_experiment_by_name("main.default.default") and "0")
    run_id = run_id.info.run_id
    ds = Dataset(name="d", digest="12345678", source_type="local", source='{"uri": "/x"}')
    client.log_inputs(run_id, [DatasetInput(dataset=ds, tags=[InputTag(key="k", value="v")])])
    with pytest.raises(lh.InvalidArgumentError, match="dataset digest is 40 characters"):
        client.log_inputs(
            run_id, [DatasetInput(dataset=Dataset(**{**_fields(ds), "digest": "x" * 40}))]
        )
    with pytest.raises(lh.InvalidArgumentError, match="takes DatasetInput objects, got str"):
        client.log_inputs(run_id, ["d"])  # type: ignore[list-item]
    with pytest.raises(lh.InvalidArgumentError, match="version= goes with a table name"):
        lh.log_input(lh.data.from_numpy(np.ones(2)), version=3)
    got = client.get_run(run_id).inputs.dataset_inputs
    assert got == (DatasetInput(dataset=ds, tags=(InputTag(key="k", value="v"),)),)
    # Queryable with SQL-shaped reads of the Delta table itself.
    rows = lh.sql("SELECT name, digest, context FROM system.tracking.dataset_inputs").collect()
    assert [(r["name"], r["digest"], r["context"]) for r in rows] == [("d", "12345678", None)]


def _fields(ds: Dataset) -> dict[str, object]:
    return {f: getattr(ds, f) for f in ds.__slots__}  # type: ignore[attr-defined]


@pytest.mark.slow
def test_from_spark_records_the_delta_version_as_lineage(home: str, spark) -> None:  # type: ignore[no-untyped-def]
    lh.create_table("main.default.orders", spark.createDataFrame(_frame()))
    lh.sql("INSERT INTO main.default.orders VALUES ('ann', 30, 0.75)")
    df = lh.table("main.default.orders")
    ds = lh.data.from_spark(df, table_name="main.default.orders", targets="score")
    entity = ds._to_mlflow_entity()
    assert entity.source_type == "delta_table"
    assert json.loads(entity.source) == {
        "delta_table_name": "main.default.orders",
        "delta_table_version": 1,
    }
    # MLflow's bounded count: exact for a table this small, "unknown" if 5 s were not enough.
    assert json.loads(entity.profile or "")["approx_count"] in (4, "unknown")
    assert [c["name"] for c in json.loads(entity.schema or "")["mlflow_colspec"]] == [
        "name",
        "age",
        "score",
    ]
    assert ds.digest == lh.data.from_spark(df).digest  # the plan's hash, not the source
    mlflow_data = pytest.importorskip("mlflow.data")
    theirs = mlflow_data.from_spark(df)._to_mlflow_entity()
    assert (theirs.digest, json.loads(theirs.schema)) == (ds.digest, json.loads(entity.schema))
    old = lh.data.load_delta(table_name="main.default.orders", version=0)
    assert old.name == "main.default.orders@v0" and old.df.count() == 3
    with pytest.raises(lh.InvalidArgumentError, match="could not find a Delta table"):
        lh.data.from_spark(df, table_name="main.default.nope", version=1)
    with lh.start_run() as run:
        lh.log_input(ds, context="training")
    client = lh.MlflowClient()
    lineage = client.get_run_inputs(run.info.run_id)
    assert [(i.table_name, i.version) for i in lineage] == [("main.default.orders", 1)]
    assert client.get_run(run.info.run_id).inputs.dataset_inputs[0].dataset == entity


def test_log_input_keeps_the_table_version_form(home: str) -> None:
    with lh.start_run() as run:
        assert lh.log_input("main.default.features", version=3).version == 3
        assert lh.log_input("main.default.labels", 0).version == 0  # positional, as before
        with pytest.raises(lh.InvalidArgumentError, match="records a table version"):
            lh.log_input("main.default.labels", context="training")
    lineage = lh.MlflowClient().get_run_inputs(run.info.run_id)
    assert [(i.table_name, i.version) for i in lineage] == [
        ("main.default.features", 3),
        ("main.default.labels", 0),
    ]
    assert lh.get_run(run.info.run_id).inputs.dataset_inputs == ()
