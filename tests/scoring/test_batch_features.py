"""The nightly scoring job with a model logged with a training set: features looked up.

The model is ``y = 2*f1 + 3*f2`` fitted on features looked up point in time, so each
score tells which feature row was used.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import lakehouse as lh
from lakehouse.feature_store import FeatureEngineeringClient, FeatureLookup
from lakehouse.scoring.batch import score_table
from lakehouse.scoring.job import run_job

FEATURES = "main.default.customer_activity"
SPINE = "main.default.customer_days"
OUTPUT = "main.default.churn_scores"
MODEL = "main.default.fs_model"
CUSTOMERS = 10
FEATURE_DAYS = (1, 4, 7)
SCORED = (dt.date(2026, 1, 5), dt.date(2026, 1, 8))


def _day(n: int) -> dt.date:
    return dt.date(2026, 1, n)


def _features() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"customer_id": c, "feature_date": _day(d), "f1": float(c + d), "f2": float(c * d % 5)}
            for c in range(CUSTOMERS)
            for d in FEATURE_DAYS
        ]
    )


def _training_set(fe: FeatureEngineeringClient, labels: Any) -> Any:
    """Labels ``y`` on (customer_id, d) with the features as of ``d``; the model sees only them."""
    return fe.create_training_set(
        df=labels,
        feature_lookups=[
            FeatureLookup(table_name=FEATURES, lookup_key="customer_id", timestamp_lookup_key="d")
        ],
        label="y",
        exclude_columns=["customer_id", "d"],
    )


def _register(fe: FeatureEngineeringClient, model: Any, training_set: Any, alias: str) -> None:
    """Log ``model`` with its training set as the next version of MODEL; point ``alias`` at it."""
    with lh.start_run():
        info = fe.log_model(
            model=model,
            artifact_path="model",
            flavor=lh.sklearn,
            training_set=training_set,
            registered_model_name=MODEL,
        )
    version = info.registered_model_version
    lh.Client().set_registered_model_alias(MODEL, alias, version)


@pytest.fixture
def logged(spark, home: str) -> FeatureEngineeringClient:  # type: ignore[no-untyped-def]
    """The feature table, a champion logged with its training set, and the spine table."""
    from sklearn.linear_model import LinearRegression

    fe = FeatureEngineeringClient()
    fe.create_table(
        name=FEATURES,
        primary_keys=["customer_id", "feature_date"],
        timeseries_column="feature_date",
        df=spark.createDataFrame(_features()),
    )
    labels = spark.createDataFrame(
        pd.DataFrame(
            [
                {"customer_id": c, "d": _day(n), "y": 0.0}
                for c in range(CUSTOMERS)
                for n in (2, 5, 8)
            ]
        )
    )
    training_set = _training_set(fe, labels)
    train = training_set.load_df().toPandas()
    model = LinearRegression().fit(train[["f1", "f2"]], 2 * train["f1"] + 3 * train["f2"])
    _register(fe, model, training_set, "champion")
    spine = pd.DataFrame([{"customer_id": c, "d": day} for day in SCORED for c in range(CUSTOMERS)])
    lh.create_table(SPINE, spark.createDataFrame(spine), partition_by=["d"], mode="overwrite")
    return fe


def _expected(day: dt.date) -> dict[int, float]:
    """``2*f1 + 3*f2`` of each customer's newest feature row on or before ``day``."""
    rows = _features()
    newest = rows[rows["feature_date"] <= day].sort_values("feature_date").groupby("customer_id")
    last = newest.tail(1)
    return {int(r.customer_id): 2 * r.f1 + 3 * r.f2 for r in last.itertuples()}


@pytest.mark.slow
def test_job_scores_a_feature_store_model_and_records_the_feature_tables(
    logged: FeatureEngineeringClient,
    spark,  # type: ignore[no-untyped-def]
) -> None:
    day = SCORED[0]
    result = score_table(
        f"models:/{MODEL}@champion", SPINE, OUTPUT, partition={"d": day}, keys=["customer_id"]
    )
    features_version = lh.describe_table(FEATURES).version
    assert result.feature_tables == {FEATURES: features_version}
    assert result.rows_out == CUSTOMERS and result.models[0].version == 1
    scores = lh.table(OUTPUT).toPandas()
    assert list(scores.columns) == [
        "customer_id",
        "d",
        "prediction",
        "model_name",
        "model_version",
        "scored_at",
    ]
    assert set(scores["d"]) == {day}
    got = dict(zip(scores["customer_id"], scores["prediction"], strict=True))
    assert got == pytest.approx(_expected(day))
    # The same predictions as fe.score_batch on the same spine.
    spine = lh.table(SPINE).where(f"d = DATE'{day}'")
    batch = logged.score_batch(model_uri=f"models:/{MODEL}@champion", df=spine).toPandas()
    assert got == pytest.approx(dict(zip(batch["customer_id"], batch["prediction"], strict=True)))
    # Lineage: the spine and the feature table, each at the version read.
    inputs = lh.Client().get_run_inputs(result.run_id)
    assert [(i.table_name, i.version) for i in inputs] == [
        (SPINE, lh.describe_table(SPINE).version),
        (FEATURES, features_version),
    ]


@pytest.mark.slow
def test_nightly_job_conf_scores_the_next_day_point_in_time(
    logged: FeatureEngineeringClient,
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    conf = tmp_path / "batch_score.yaml"
    conf.write_text(
        yaml.safe_dump(
            {
                "model_uri": f"models:/{MODEL}@champion",
                "input_table": SPINE,
                "date_column": "d",
                "output_table": OUTPUT,
                "keys": ["customer_id"],
                "prediction_column": "churn_prediction",
            }
        )
    )
    for day in SCORED:
        run_job(conf, date=day.isoformat())
    printed = " ".join(capsys.readouterr().out.split())
    features_version = lh.describe_table(FEATURES).version
    assert f"features looked up from: {FEATURES} version {features_version}" in printed
    scores = lh.table(OUTPUT).toPandas()
    for day in SCORED:  # each date scored on the features as of that date
        part = scores[scores["d"] == day]
        got = dict(zip(part["customer_id"], part["churn_prediction"], strict=True))
        assert got == pytest.approx(_expected(day))
    assert _expected(SCORED[0]) != _expected(SCORED[1])


@pytest.mark.slow
def test_champion_and_challenger_on_one_feature_set_share_one_lookup(
    logged: FeatureEngineeringClient,
    spark,  # type: ignore[no-untyped-def]
) -> None:
    from sklearn.dummy import DummyRegressor

    from lakehouse.features.model import feature_spec_of
    from lakehouse.scoring.batch import ScoringSpec, _resolve_models, _score

    # A challenger on the champion's features: the same training set, a constant model.
    champion = feature_spec_of(f"models:/{MODEL}@champion")
    labels = pd.DataFrame({"customer_id": [0], "d": [_day(2)], "y": [7.0]})
    training_set = _training_set(logged, spark.createDataFrame(labels))
    rows = training_set.load_df().toPandas()
    challenger = DummyRegressor(strategy="constant", constant=7.0)
    challenger.fit(rows[["f1", "f2"]], rows["y"])
    _register(logged, challenger, training_set, "challenger")
    assert feature_spec_of(f"models:/{MODEL}@challenger").lookups[0].features == (
        champion.lookups[0].features
    )

    spec = ScoringSpec(
        model_uri=MODEL, input_table=SPINE, output_table=OUTPUT, aliases=("champion", "challenger")
    )
    day = SCORED[0]
    spine = lh.table(SPINE).where(f"d = DATE'{day}'")
    scored, tables = _score(spine, _resolve_models(spec), "double")
    assert tables == {FEATURES: lh.describe_table(FEATURES).version}
    assert scored.columns == ["customer_id", "d", "prediction_champion", "prediction_challenger"]
    # One as-of join (one pass over the spine and the feature rows) for both models.
    plan = scored._jdf.queryExecution().optimizedPlan().toString()
    assert plan.count("AsOfFill ") == 1
    got = scored.toPandas()
    want = _expected(day)
    assert dict(zip(got["customer_id"], got["prediction_champion"], strict=True)) == (
        pytest.approx(want)
    )
    assert set(got["prediction_challenger"]) == {7.0}
