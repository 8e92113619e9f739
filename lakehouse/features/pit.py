"""Joining features onto a spine: point-in-time as-of joins and plain key lookups.

The as-of join never pairs each spine row with each older feature row (that range
join grows with rows x history). Spine rows and feature rows are unioned, tagged by
kind, and sorted once per key by time (a feature row sorts before a spine row at the
same instant, so a tie counts as "at or before"). A running
``last(feature_struct, ignorenulls=True)`` over that order hands each spine row the
whole newest feature row: the struct is null only on spine rows, so a null *inside*
the newest feature row stays null instead of being filled from an older row (the
column-wise last-non-null that some as-of joins do). Spine rows are then kept as they
came: duplicates stay, rows without a match get nulls, then the defaults.

Hot keys: a key with a long history would be one huge sorted window in one task.
With ``bucket_seconds`` the sort is split by time range: each (key, bucket) window
is sorted alone, and a spine row whose bucket holds no earlier feature row takes the
newest row of the earlier buckets, found on a small per-(key, bucket) aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lakehouse.features.entities import LookupSpec

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["join_lookup"]

_KIND_FEATURE = 0
_KIND_SPINE = 1
_FT = "__lh_feature_time"


def _key_cols(count: int) -> list[str]:
    return [f"__lh_k{i}" for i in range(count)]


def _feature_struct(features: DataFrame, spec: LookupSpec, with_time: bool) -> Column:
    from pyspark.sql import functions as F

    fields = [F.col(f).alias(o) for f, o in zip(spec.features, spec.outputs, strict=True)]
    if with_time:
        fields.append(F.col(spec.timeseries_column or "").cast("timestamp").alias(_FT))
    return F.struct(*fields)


def _finish(joined: DataFrame, spine_columns: Sequence[str], spec: LookupSpec) -> DataFrame:
    """Spine columns, then each output; defaults where no feature row qualified."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructType

    match_type = joined.schema["__lh_match"].dataType
    assert isinstance(match_type, StructType)
    outputs = []
    for out in spec.outputs:
        value = F.col("__lh_match").getField(out)
        if out in spec.defaults and spec.defaults[out] is not None:
            default = F.lit(spec.defaults[out]).cast(match_type[out].dataType)
            value = F.when(F.col("__lh_match").isNull(), default).otherwise(value)
        outputs.append(value.alias(out))
    return joined.select(*[F.col(f"__lh_spine.`{c}`").alias(c) for c in spine_columns], *outputs)


def _latest_join(spine: DataFrame, features: DataFrame, spec: LookupSpec) -> DataFrame:
    """Plain lookup on the keys; a timeseries table gives its newest row per key."""
    from pyspark.sql import functions as F

    keys = _key_cols(len(spec.table_keys))
    side = features.select(
        *[F.col(k).alias(n) for k, n in zip(spec.table_keys, keys, strict=True)],
        _feature_struct(features, spec, spec.timeseries_column is not None).alias("__lh_match"),
    )
    if spec.timeseries_column is not None:
        side = side.groupBy(*keys).agg(
            F.max_by("__lh_match", F.col("__lh_match").getField(_FT)).alias("__lh_match")
        )
    left = spine.select(
        *[F.col(k).alias(n) for k, n in zip(spec.lookup_keys, keys, strict=True)],
        F.struct(*[F.col(f"`{c}`") for c in spine.columns]).alias("__lh_spine"),
    )
    joined = left.join(side, on=keys, how="left")
    return _finish(joined, spine.columns, spec)


def _union(spine: DataFrame, features: DataFrame, spec: LookupSpec, keys: list[str]) -> DataFrame:
    from pyspark.sql import functions as F

    feature_struct = _feature_struct(features, spec, True)
    spine_struct = F.struct(*[F.col(f"`{c}`") for c in spine.columns])
    feature_side = features.select(
        *[F.col(k).alias(n) for k, n in zip(spec.table_keys, keys, strict=True)],
        F.col(spec.timeseries_column or "").cast("timestamp").alias("__lh_ts"),
        F.lit(_KIND_FEATURE).alias("__lh_kind"),
        F.lit(None).cast(spine.select(spine_struct).schema[0].dataType).alias("__lh_spine"),
        feature_struct.alias("__lh_row"),
    )
    spine_side = spine.select(
        *[F.col(k).alias(n) for k, n in zip(spec.lookup_keys, keys, strict=True)],
        F.col(spec.timestamp_lookup_key or "").cast("timestamp").alias("__lh_ts"),
        F.lit(_KIND_SPINE).alias("__lh_kind"),
        spine_struct.alias("__lh_spine"),
        F.lit(None).cast(features.select(feature_struct).schema[0].dataType).alias("__lh_row"),
    )
    return feature_side.unionByName(spine_side)


def _within_lookback(spec: LookupSpec) -> Column:
    from pyspark.sql import functions as F

    match = F.col("__lh_match")
    if spec.lookback_seconds is None:
        return match
    micros = int(spec.lookback_seconds * 1_000_000)
    age = F.unix_micros(F.col("__lh_ts")) - F.unix_micros(match.getField(_FT))
    return F.when(age <= F.lit(micros), match)


def _asof_join(
    spine: DataFrame, features: DataFrame, spec: LookupSpec, bucket_seconds: int | None
) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = _key_cols(len(spec.table_keys))
    rows = _union(spine, features, spec, keys)
    partition: list[Any] = list(keys)
    if bucket_seconds:
        bucket = F.floor(F.unix_seconds(F.col("__lh_ts")) / F.lit(int(bucket_seconds)))
        rows = rows.withColumn("__lh_bucket", bucket)
        partition.append("__lh_bucket")
    order = Window.partitionBy(*partition).orderBy("__lh_ts", "__lh_kind")
    running = order.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    rows = rows.withColumn("__lh_match", F.last("__lh_row", ignorenulls=True).over(running))
    picked = rows.where(F.col("__lh_kind") == _KIND_SPINE)
    if bucket_seconds:
        picked = _carry_from_earlier_buckets(rows, picked, keys)
    return _finish(picked.withColumn("__lh_match", _within_lookback(spec)), spine.columns, spec)


def _carry_from_earlier_buckets(rows: DataFrame, picked: DataFrame, keys: list[str]) -> DataFrame:
    """Spine rows that found nothing in their time bucket take the newest earlier row.

    Buckets are time ranges (never a hash), so "an earlier bucket" is "earlier time".
    The carry is computed on one row per (key, bucket), small beside the history.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    last_per_bucket = (
        rows.where(F.col("__lh_kind") == _KIND_FEATURE)
        .groupBy(*keys, "__lh_bucket")
        .agg(F.max_by("__lh_row", "__lh_ts").alias("__lh_bucket_last"))
    )
    # Buckets holding spine rows but no feature row need the carry too.
    spine_buckets = picked.select(*keys, "__lh_bucket").distinct()
    per_bucket = last_per_bucket.join(spine_buckets, [*keys, "__lh_bucket"], "full")
    before = (
        Window.partitionBy(*keys).orderBy("__lh_bucket").rowsBetween(Window.unboundedPreceding, -1)
    )
    carry = per_bucket.select(
        *keys,
        "__lh_bucket",
        F.last("__lh_bucket_last", ignorenulls=True).over(before).alias("__lh_carried"),
    )
    joined = picked.join(carry, [*keys, "__lh_bucket"], "left")
    return joined.withColumn("__lh_match", F.coalesce("__lh_match", "__lh_carried")).drop(
        "__lh_carried"
    )


def join_lookup(
    spine: DataFrame,
    features: DataFrame,
    spec: LookupSpec,
    *,
    bucket_seconds: int | None = None,
) -> DataFrame:
    """``spine`` with the outputs of one lookup added; exactly the spine's rows come back.

    ``bucket_seconds`` splits each key's as-of sort into time ranges of that length
    (for keys with very long histories); ``None`` sorts each key's rows as one window.
    """
    if not spec.outputs:
        return spine
    if spec.timestamp_lookup_key is not None and spec.timeseries_column is not None:
        return _asof_join(spine, features, spec, bucket_seconds)
    return _latest_join(spine, features, spec)
