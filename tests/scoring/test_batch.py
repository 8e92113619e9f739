"""lh.score_table: pruned reads, pinned versions, partition replacement, the tracking run."""

from __future__ import annotations

import pandas as pd
import pytest

import lakehouse as lh
from lakehouse.catalog import namespace
from lakehouse.scoring.batch import read_input, score_table
from tests.scoring.batch_support import (
    DATES,
    INPUT,
    MODEL,
    OUTPUT,
    ROWS_PER_DATE,
    expected,
    register_version,
    write_input,
)

W1 = (1.0, 2.0)
W2 = (-3.0, 0.5)


def _scores(spark, date=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    df = lh.table(OUTPUT)
    if date is not None:
        df = df.where(df.d == date)
    return df.toPandas().sort_values("customer_id").reset_index(drop=True)


@pytest.fixture
def scoring_setup(home: str, spark) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = write_input(spark)
    register_version(W1)
    return frame


def test_scores_one_partition_with_the_pinned_version(scoring_setup: pd.DataFrame, spark) -> None:  # type: ignore[no-untyped-def]
    day = DATES[2]
    result = score_table(
        f"models:/{MODEL}@champion", INPUT, OUTPUT, partition={"d": str(day)}, keys=["customer_id"]
    )
    out = _scores(spark)
    rows = scoring_setup[scoring_setup.d == day].sort_values("customer_id").reset_index(drop=True)
    assert list(out.columns) == [
        "customer_id",
        "d",
        "prediction",
        "model_name",
        "model_version",
        "scored_at",
    ]
    assert out["customer_id"].tolist() == rows["customer_id"].tolist()
    assert out["prediction"].to_numpy() == pytest.approx(expected(rows, W1).to_numpy())
    assert set(out["model_name"]) == {MODEL} and set(out["model_version"]) == {1}
    assert out["scored_at"].nunique() == 1
    assert namespace.describe_table(OUTPUT).partition_columns == ("d",)
    assert (result.rows_in, result.rows_out) == (ROWS_PER_DATE, ROWS_PER_DATE)
    assert result.models[0].version == 1 and result.models[0].alias == "champion"
    assert result.output_version == namespace.describe_table(OUTPUT).version


def test_the_tracking_run_records_lineage(scoring_setup: pd.DataFrame, spark) -> None:  # type: ignore[no-untyped-def]
    result = score_table(f"models:/{MODEL}@champion", INPUT, OUTPUT, partition={"d": DATES[0]})
    run = lh.get_run(result.run_id)
    assert run.info.status.value == "FINISHED"
    params = run.data.params
    assert params["model_uri"] == f"models:/{MODEL}@champion"
    assert params["model_version"] == "1"
    assert params["input_table"] == INPUT
    assert params["input_version"] == str(namespace.describe_table(INPUT).version)
    assert params["output_table"] == OUTPUT
    assert params["output_version"] == str(result.output_version)
    assert params["partition"] == f"d={DATES[0]}"
    assert run.data.metrics["rows_in"] == run.data.metrics["rows_out"] == ROWS_PER_DATE
    assert run.data.metrics["duration_seconds"] > 0
    inputs = lh.Client().get_run_inputs(result.run_id)
    assert [(i.table_name, i.version) for i in inputs] == [(INPUT, result.input_version)]
    # Lineage is queryable with SQL like every system table.
    found = spark.sql(
        "SELECT value FROM system.tracking.params "
        f"WHERE run_id = '{result.run_id}' AND key = 'output_version'"
    ).collect()
    assert [r.value for r in found] == [str(result.output_version)]


def test_reads_only_the_partition_of_the_date(scoring_setup: pd.DataFrame, spark) -> None:  # type: ignore[no-untyped-def]
    desc = namespace.describe_table(INPUT)
    df = read_input(desc.location, desc.version, {"d": "2026-11-27"})
    plan = df._jdf.queryExecution().executedPlan().toString()
    assert "PartitionFilters: [isnotnull(d" in plan and "= 2026-11-27)" in plan, plan
    assert df.count() == ROWS_PER_DATE
    whole = read_input(desc.location, desc.version, {})
    assert "PartitionFilters: []" in whole._jdf.queryExecution().executedPlan().toString()
    assert whole.count() == ROWS_PER_DATE * len(DATES)


def test_rerun_replaces_exactly_that_partition(scoring_setup: pd.DataFrame, spark) -> None:  # type: ignore[no-untyped-def]
    for day in DATES[:2]:
        score_table(f"models:/{MODEL}@champion", INPUT, OUTPUT, partition={"d": day})
    before = _scores(spark)
    version = namespace.describe_table(OUTPUT).version
    score_table(f"models:/{MODEL}@champion", INPUT, OUTPUT, partition={"d": DATES[1]})
    after = _scores(spark)
    assert namespace.describe_table(OUTPUT).version == version + 1
    assert len(after) == len(before) == 2 * ROWS_PER_DATE
    # The other date is untouched (same rows, same scored_at); the rerun date holds the
    # same scores, only its scored_at moved.
    untouched = after[after.d == DATES[0]].reset_index(drop=True)
    pd.testing.assert_frame_equal(untouched, before[before.d == DATES[0]].reset_index(drop=True))
    cols = [c for c in after.columns if c != "scored_at"]
    pd.testing.assert_frame_equal(after[cols], before[cols])


def test_whole_table_without_a_partition(scoring_setup: pd.DataFrame, spark) -> None:  # type: ignore[no-untyped-def]
    result = score_table(f"models:/{MODEL}/1", INPUT, OUTPUT)
    out = _scores(spark)
    assert result.rows_out == len(out) == len(scoring_setup)
    assert result.partition == {}
    # Every input column is kept when no keys are given.
    assert {"a", "b", "d", "customer_id"} <= set(out.columns)


def test_champion_moved_between_runs_then_rolled_back(scoring_setup: pd.DataFrame, spark) -> None:  # type: ignore[no-untyped-def]
    uri = f"models:/{MODEL}@champion"
    first = score_table(uri, INPUT, OUTPUT, partition={"d": DATES[0]})
    register_version(W2)  # champion -> 2
    second = score_table(uri, INPUT, OUTPUT, partition={"d": DATES[1]})
    lh.rollback_alias(MODEL, "champion")  # champion -> 1 again
    third = score_table(uri, INPUT, OUTPUT, partition={"d": DATES[2]})
    assert [r.models[0].version for r in (first, second, third)] == [1, 2, 1]
    out = _scores(spark)
    for day, version, weights in zip(DATES, (1, 2, 1), (W1, W2, W1), strict=True):
        rows = out[out.d == day]
        assert set(rows["model_version"]) == {version}
        assert rows["prediction"].to_numpy() == pytest.approx(expected(rows, weights).to_numpy())
    runs = [lh.get_run(r.run_id).data.params["model_version"] for r in (first, second, third)]
    assert runs == ["1", "2", "1"]


def test_champion_and_challenger_in_one_pass(scoring_setup: pd.DataFrame, spark) -> None:  # type: ignore[no-untyped-def]
    register_version(W2, alias="challenger")
    result = score_table(
        MODEL,
        INPUT,
        OUTPUT,
        partition={"d": DATES[2]},
        keys=["customer_id", "a", "b"],
        aliases=["champion", "challenger"],
    )
    out = _scores(spark)
    assert [m.version for m in result.models] == [1, 2]
    assert out["prediction_champion"].to_numpy() == pytest.approx(expected(out, W1).to_numpy())
    assert out["prediction_challenger"].to_numpy() == pytest.approx(expected(out, W2).to_numpy())
    assert set(out["model_version_champion"]) == {1}
    assert set(out["model_version_challenger"]) == {2}
    params = lh.get_run(result.run_id).data.params
    assert (params["model_version_champion"], params["model_version_challenger"]) == ("1", "2")
