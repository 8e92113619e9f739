"""``score_batch`` with a Spark ML model: features looked up, scored by ``transform`` in the JVM."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

import lakehouse as lh
from lakehouse.errors import InvalidArgumentError
from lakehouse.feature_store import FeatureLookup
from lakehouse.features.training import build_features
from tests.features.conftest import day

FEATURES = "main.default.activity"
MODEL = "main.default.spark_churn"


def _feature_rows(spark):  # type: ignore[no-untyped-def]
    rows = [
        (c, day(d), float(c % 5 + d), float((c * 7 + d) % 11))
        for c in range(20)
        for d in range(0, 12, 3)
    ]
    return spark.createDataFrame(
        rows, "customer_id long, as_of timestamp, orders double, spend double"
    )


@pytest.fixture
def logged(fe, spark):  # type: ignore[no-untyped-def]
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler

    fe.create_table(
        name=FEATURES,
        primary_keys=["customer_id", "as_of"],
        timeseries_column="as_of",
        df=_feature_rows(spark),
    )
    labels = spark.createDataFrame(
        [(i, i % 20, day(2 + i % 10, 6), float((i % 20) % 5 > 1)) for i in range(60)],
        "row long, customer_id long, label_time timestamp, label double",
    )
    training_set = fe.create_training_set(
        df=labels,
        feature_lookups=[
            FeatureLookup(
                table_name=FEATURES,
                lookup_key="customer_id",
                timestamp_lookup_key="label_time",
                default_values={"orders": 0.0, "spend": 0.0},
            )
        ],
        label="label",
        exclude_columns=["row"],
    )
    train = training_set.load_df()
    pipeline = Pipeline(
        stages=[
            VectorAssembler(inputCols=["orders", "spend"], outputCol="features"),
            LogisticRegression(maxIter=20),
        ]
    ).fit(train)
    with lh.start_run():
        fe.log_model(
            model=pipeline,
            artifact_path="model",
            flavor=lh.spark_ml,
            training_set=training_set,
            registered_model_name=MODEL,
        )
    lh.Client().set_registered_model_alias(MODEL, "champion", 1)
    return training_set, labels, pipeline


def test_spark_ml_model_scores_the_looked_up_features_in_the_jvm(fe, spark, logged) -> None:  # type: ignore[no-untyped-def]
    training_set, labels, pipeline = logged
    spine = labels.drop("label")
    scored = fe.score_batch(model_uri=f"models:/{MODEL}@champion", df=spine)
    assert scored.columns == [*spine.columns, "orders", "spend", "prediction"]
    # The training pipeline's predictions on the same rows (same point-in-time lookups).
    spec = training_set.feature_spec
    built = build_features(labels, spec.lookups, spec.functions)
    expected = pipeline.transform(built).select("row", F.col("prediction").alias("expected"))
    both = scored.join(expected, "row")
    assert both.count() == spine.count() == 60
    assert both.where(F.col("prediction") != F.col("expected")).count() == 0
    # Scored by transform: no Python UDF in the plan.
    plan = scored._jdf.queryExecution().executedPlan().toString()
    assert "ArrowEvalPython" not in plan and "BatchEvalPython" not in plan
    probabilities = fe.score_batch(
        model_uri=f"models:/{MODEL}/1", df=spine, result_type="array<double>"
    )
    row = probabilities.where("row = 0").first()
    assert row is not None and len(row["prediction"]) == 2
    assert sum(row["prediction"]) == pytest.approx(1.0)


def test_spark_ml_scoring_refuses_a_struct_result(fe, spark, logged) -> None:  # type: ignore[no-untyped-def]
    _training_set, labels, _pipeline = logged
    with pytest.raises(InvalidArgumentError, match="Spark ML model.*not a struct"):
        fe.score_batch(
            model_uri=f"models:/{MODEL}/1",
            df=labels.drop("label"),
            result_type="struct<p: double>",
        )
