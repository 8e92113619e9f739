"""The demo's customer features built by the refresh job equal a hand-written reference.

The reference is the point-in-time code the demo used before the feature store: one
row per customer from the orders strictly before the day, written with DataFrame calls.
"""

from __future__ import annotations

import datetime as dt

import pytest

import lakehouse as lh
from lakehouse.demo import write_demo_tables
from lakehouse.demo.customer_features import (
    CUSTOMER_FEATURES,
    FEATURE_COLUMNS,
    refresh_customer_features,
)
from lakehouse.demo.data import DEMO_END
from lakehouse.features import tables


def churn_features(orders, customers, as_of: dt.date):  # type: ignore[no-untyped-def]
    """One row per customer: order activity before ``as_of`` and profile features."""
    from pyspark.sql import functions as F

    day = F.lit(as_of).cast("date")
    past = orders.where(F.col("order_date") < day)
    recent = F.col("order_date") >= F.date_sub(day, 30)
    activity = past.groupBy("customer_id").agg(
        F.sum(F.when(recent, 1).otherwise(0)).alias("orders_30d"),
        F.sum(F.when(recent, F.col("amount")).otherwise(0.0)).alias("amount_30d"),
        F.sum(F.when(recent & F.col("returned"), 1).otherwise(0)).alias("returns_30d"),
        F.avg(F.col("returned").cast("double")).alias("return_rate_90d"),
        F.max("order_date").alias("last_order"),
    )
    return customers.join(activity, "customer_id", "left").select(
        "customer_id",
        F.coalesce("orders_30d", F.lit(0)).cast("double").alias("orders_30d"),
        F.coalesce("amount_30d", F.lit(0.0)).cast("double").alias("amount_30d"),
        F.coalesce("returns_30d", F.lit(0)).cast("double").alias("returns_30d"),
        F.coalesce("return_rate_90d", F.lit(0.0)).alias("return_rate_90d"),
        F.coalesce(F.datediff(day, "last_order"), F.lit(90))
        .cast("double")
        .alias("days_since_last_order"),
        F.datediff(day, "signup_date").cast("double").alias("tenure_days"),
        F.col("monthly_fee").cast("double"),
        (F.col("plan") == "basic").cast("double").alias("is_basic"),
        (F.col("plan") == "premium").cast("double").alias("is_premium"),
        (F.col("region") == "south").cast("double").alias("is_south"),
    )


def test_customer_features_match_the_point_in_time_code_they_replace(home: str, spark) -> None:  # type: ignore[no-untyped-def]
    write_demo_tables(120, days=20, seed=2, progress=lambda _: None)
    result = refresh_customer_features()
    table = tables.get_table(name=CUSTOMER_FEATURES)
    assert (table.primary_keys, table.timeseries_column) == (
        ("customer_id", "feature_date"),
        "feature_date",
    )
    assert result.rows_inserted == result.rows_computed == lh.table(CUSTOMER_FEATURES).count()
    as_of = DEMO_END - dt.timedelta(days=5)
    expected = churn_features(lh.table("main.demo.orders"), lh.table("main.demo.customers"), as_of)
    want = expected.toPandas().set_index("customer_id").sort_index()
    got = (
        lh.table(CUSTOMER_FEATURES)
        .where(f"feature_date = DATE'{as_of}'")
        .toPandas()
        .set_index("customer_id")
        .sort_index()
    )
    assert len(got) == len(want) == 120
    for column in FEATURE_COLUMNS:
        assert got[column].tolist() == pytest.approx(want[column].tolist()), column
    # The nightly rerun on unchanged orders writes nothing.
    again = refresh_customer_features()
    assert (again.rows_inserted, again.rows_updated) == (0, 0)
    assert again.version_after == result.version_after
