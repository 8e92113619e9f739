"""The seed's feature-store example end to end, and what the logged model carries.

Customer features from orders, churn labels, a point-in-time training set with an
on-demand feature, a model trained and logged with the training set, and
``score_batch`` by alias giving the training pipeline's predictions.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import lakehouse as lh
from lakehouse.errors import InvalidArgumentError
from lakehouse.feature_store import FeatureFunction, FeatureLookup
from lakehouse.features.model import feature_spec_of
from lakehouse.features.training import build_features
from lakehouse.registry.client import RegistryClient
from tests.features.conftest import day

FEATURES = "main.default.customer_features"


def _orders(spark):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    rows = [
        (int(c), day(int(d)), float(rng.uniform(5, 50)))
        for c in range(12)
        for d in sorted(rng.choice(20, size=6, replace=False))
    ]
    return spark.createDataFrame(rows, "customer_id long, order_ts timestamp, amount double")


def _customer_features(orders):  # type: ignore[no-untyped-def]
    """Daily snapshots: order count and spend so far, per customer and order day."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    so_far = Window.partitionBy("customer_id").orderBy("order_ts")
    return orders.select(
        "customer_id",
        F.col("order_ts").alias("as_of"),
        F.count("*").over(so_far).cast("double").alias("orders"),
        F.sum("amount").over(so_far).alias("spend"),
    )


@pytest.fixture
def trained(fe, spark):  # type: ignore[no-untyped-def]
    fe.create_table(
        name=FEATURES,
        primary_keys=["customer_id", "as_of"],
        timeseries_column="as_of",
        df=_customer_features(_orders(spark)),
        description="Order activity per customer, as of each order day",
    )
    fe.create_function(
        name="main.default.avg_order",
        func=lambda spend, orders: spend / orders if orders else 0.0,
    )
    labels = spark.createDataFrame(
        [(i, c, day(10 + i % 9), (c + i // 14) % 2) for i, c in enumerate(list(range(14)) * 2)],
        "row long, customer_id long, label_time timestamp, churned int",
    )
    training_set = fe.create_training_set(
        df=labels,
        feature_lookups=[
            FeatureLookup(
                table_name=FEATURES,
                lookup_key="customer_id",
                timestamp_lookup_key="label_time",
                default_values={"orders": 0.0, "spend": 0.0},
            ),
            FeatureFunction(
                udf_name="main.default.avg_order",
                input_bindings={"spend": "spend", "orders": "orders"},
                output_name="avg_order",
            ),
        ],
        label="churned",
        exclude_columns=["row", "customer_id", "label_time"],
    )
    train = training_set.load_df().toPandas()
    model = LogisticRegression().fit(train.drop(columns=["churned"]), train["churned"])
    with lh.start_run():
        info = fe.log_model(
            model=model,
            artifact_path="model",
            flavor=lh.sklearn,
            training_set=training_set,
            registered_model_name="main.default.churn",
        )
    RegistryClient().set_registered_model_alias("main.default.churn", "champion", 1)
    return training_set, labels, model, info


def test_score_batch_gives_the_training_pipelines_predictions(fe, spark, trained) -> None:  # type: ignore[no-untyped-def]
    training_set, labels, model, info = trained
    assert info.registered_model_version == 1
    # Only the spine's columns are inputs of the logged model: keys and times.
    assert info.signature.inputs.input_names() == ["customer_id", "label_time"]
    spine = labels.drop("churned")
    scored = fe.score_batch(model_uri="models:/main.default.churn@champion", df=spine)
    assert scored.count() == labels.count()
    got = {r["row"]: r["prediction"] for r in scored.collect()}
    # The training pipeline's rows, lined up by `row` (excluded from the features).
    spec = training_set.feature_spec
    built = build_features(labels, spec.lookups, spec.functions).toPandas()
    expected = model.predict(built[list(spec.feature_columns)])
    assert [got[r] for r in built["row"]] == [float(p) for p in expected]


def test_versions_are_pinned_and_recorded_as_lineage(fe, spark, trained) -> None:  # type: ignore[no-untyped-def]
    training_set, _labels, _model, info = trained
    before = sorted(map(tuple, training_set.load_df().collect()))
    fe.write_table(  # later feature values for everyone, and a new feature
        name=FEATURES,
        df=spark.createDataFrame(
            [(c, day(1), 99.0, 999.0, 1.0) for c in range(14)],
            "customer_id long, as_of timestamp, orders double, spend double, vip double",
        ),
    )
    assert sorted(map(tuple, training_set.load_df().collect())) == before
    assert training_set.table_versions == {FEATURES: 0}
    lineage = RegistryClient().lineage("main.default.churn", 1)
    assert [(i.table_name, i.version) for i in lineage.inputs] == [(FEATURES, 0)]
    assert feature_spec_of("models:/main.default.churn/1").table_versions == {FEATURES: 0}


def test_score_batch_refuses_a_spine_without_keys(fe, spark, trained) -> None:  # type: ignore[no-untyped-def]
    bad = spark.createDataFrame([(1, dt.datetime(2026, 1, 5))], "customer long, t timestamp")
    with pytest.raises(InvalidArgumentError, match=r"lacks column\(s\) \['customer_id'\]"):
        fe.score_batch(model_uri="models:/main.default.churn/1", df=bad)
