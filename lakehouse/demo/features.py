"""Churn features for the demo, computed with Spark from the demo tables.

Point in time: features for an ``as_of`` day use only orders strictly before it,
so a model trained on them never sees the future it predicts.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["FEATURE_COLUMNS", "churn_features", "training_set"]

FEATURE_COLUMNS = [
    "orders_30d",
    "amount_30d",
    "returns_30d",
    "return_rate_90d",
    "days_since_last_order",
    "tenure_days",
    "monthly_fee",
    "is_basic",
    "is_premium",
    "is_south",
]


def churn_features(orders: DataFrame, customers: DataFrame, as_of: dt.date) -> DataFrame:
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


def training_set(
    orders: DataFrame, customers: DataFrame, labels: DataFrame, as_of: dt.date
) -> DataFrame:
    """Features as of ``as_of`` joined to that day's labels (customers still active)."""
    from pyspark.sql import functions as F

    day_labels = labels.where(F.col("label_date") == F.lit(as_of).cast("date")).select(
        "customer_id", "churned"
    )
    return churn_features(orders, customers, as_of).join(day_labels, "customer_id", "inner")
