"""Joining features onto a spine: point-in-time as-of joins and plain key lookups.

The as-of join never pairs each spine row with each older feature row (that range
join grows with rows x history). Spine rows and feature rows are unioned, tagged by
kind, and sorted once per key by time (a feature row sorts before a spine row at the
same instant, so a tie counts as "at or before"). One pass over that order hands each
spine row the whole newest feature row so far: the JVM operator
``io.lakehouse.AsOfFill`` (java/src/io/lakehouse/AsOfFill.java, planned by the session
extension) streams each sorted partition and emits only the spine rows; without the
extension, a running ``last(feature_struct, ignorenulls=True)`` window and a filter
compute the same. The struct is null only on spine rows, so a null *inside* the newest
feature row stays null instead of being filled from an older row (the column-wise
last-non-null that some as-of joins do). Spine rows are then kept as they came:
duplicates stay, rows without a match get nulls, then the defaults.

All the point-in-time lookups that share the spine's key and time columns go into
one union, each table's struct in a column of its own (null on the other rows), so
one shuffle and one sort of the spine serve every table, and each spine row carries
its columns through the sort (no join back to the spine).

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

__all__ = ["join_lookup", "join_lookups"]

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


def _spine_columns(columns: Sequence[str]) -> list[Column]:
    from pyspark.sql import functions as F

    return [F.col(f"__lh_spine.`{c}`").alias(c) for c in columns]


def _outputs(match: Column, spec: LookupSpec, match_type: Any) -> list[Column]:
    """Each output of ``spec`` from its matched struct; defaults where none qualified."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructType

    assert isinstance(match_type, StructType)
    outputs = []
    for out in spec.outputs:
        value = match.getField(out)
        if out in spec.defaults and spec.defaults[out] is not None:
            default = F.lit(spec.defaults[out]).cast(match_type[out].dataType)
            value = F.when(match.isNull(), default).otherwise(value)
        outputs.append(value.alias(out))
    return outputs


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
    match_type = joined.schema["__lh_match"].dataType
    return joined.select(
        *_spine_columns(spine.columns), *_outputs(F.col("__lh_match"), spec, match_type)
    )


def _row_col(i: int) -> str:
    return f"__lh_row{i}"


def _match_col(i: int) -> str:
    return f"__lh_match{i}"


def _union_all(
    spine: DataFrame, items: Sequence[tuple[DataFrame, LookupSpec]], keys: list[str]
) -> DataFrame:
    """Spine rows and the feature rows of every lookup in one frame, tagged by kind.

    Each lookup's feature struct has its own column (null on every other row), so one
    sort serves all the lookups that share the spine's keys and time.
    """
    from pyspark.sql import functions as F

    spine_struct = F.struct(*[F.col(f"`{c}`") for c in spine.columns])
    spine_type = spine.select(spine_struct).schema[0].dataType
    # The feature time rides in the struct only where a lookback window checks its age.
    structs = [
        _feature_struct(features, spec, spec.lookback_seconds is not None)
        for features, spec in items
    ]
    types = [
        features.select(struct).schema[0].dataType
        for (features, _), struct in zip(items, structs, strict=True)
    ]

    def rows(own: int | None) -> list[Column]:
        return [
            (structs[i] if i == own else F.lit(None).cast(types[i])).alias(_row_col(i))
            for i in range(len(items))
        ]

    spec0 = items[0][1]
    out = spine.select(
        *[F.col(k).alias(n) for k, n in zip(spec0.lookup_keys, keys, strict=True)],
        F.col(spec0.timestamp_lookup_key or "").cast("timestamp").alias("__lh_ts"),
        F.lit(_KIND_SPINE).alias("__lh_kind"),
        spine_struct.alias("__lh_spine"),
        *rows(None),
    )
    for i, (features, spec) in enumerate(items):
        out = out.unionByName(
            features.select(
                *[F.col(k).alias(n) for k, n in zip(spec.table_keys, keys, strict=True)],
                F.col(spec.timeseries_column or "").cast("timestamp").alias("__lh_ts"),
                F.lit(_KIND_FEATURE).alias("__lh_kind"),
                F.lit(None).cast(spine_type).alias("__lh_spine"),
                *rows(i),
            )
        )
    return out


def _within_lookback(spec: LookupSpec, match: Column) -> Column:
    from pyspark.sql import functions as F

    if spec.lookback_seconds is None:
        return match
    micros = int(spec.lookback_seconds * 1_000_000)
    age = F.unix_micros(F.col("__lh_ts")) - F.unix_micros(match.getField(_FT))
    return F.when(age <= F.lit(micros), match)


def _asof_group(
    spine: DataFrame,
    items: Sequence[tuple[DataFrame, LookupSpec]],
    bucket_seconds: int | None,
) -> DataFrame:
    """Every lookup of ``items`` (same spine keys and time) in one sort of the union."""
    from pyspark.sql import functions as F

    keys = _key_cols(len(items[0][1].lookup_keys))
    rows = _union_all(spine, items, keys)
    partition: list[Any] = list(keys)
    if bucket_seconds:
        bucket = F.floor(F.unix_seconds(F.col("__lh_ts")) / F.lit(int(bucket_seconds)))
        rows = rows.withColumn("__lh_bucket", bucket)
        partition.append("__lh_bucket")
    picked = _newest_so_far(rows, partition, len(items))
    if bucket_seconds:
        picked = _carry_from_earlier_buckets(rows, picked, keys, len(items))
    outputs = []
    for i, (_, spec) in enumerate(items):
        match = _within_lookback(spec, F.col(_match_col(i)))
        outputs.extend(_outputs(match, spec, rows.schema[_row_col(i)].dataType))
    return picked.select(*_spine_columns(spine.columns), *outputs)


def _newest_so_far(rows: DataFrame, partition: list[str], count: int) -> DataFrame:
    """The spine rows of ``rows``, each with every lookup's newest feature struct so far.

    Sorted by ``partition``, then time, then kind, ``__lh_match<i>`` is the newest non-null
    ``__lh_row<i>`` at or before the spine row. Sessions with lakehouse's extension run
    the JVM operator ``io.lakehouse.AsOfFill``: one streaming pass over each sorted
    partition that emits only the spine rows. Others (and ``spark.lakehouse.pit.operator=
    window``) run the same as a running ``last(ignorenulls)`` window and a filter, which
    buffers each key's rows and computes a row for every feature row too.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    spark = rows.sparkSession
    if _fill_operator(spark):
        from pyspark.sql import DataFrame as _DataFrame

        jdf = spark._jvm.io.lakehouse.AsOfFill.apply(  # type: ignore[union-attr]
            rows.withColumn("__lh_prefix", _sort_prefix(partition))._jdf,
            ",".join(partition),
            "__lh_prefix",
            "__lh_ts",
            "__lh_kind",
            ",".join(_row_col(i) for i in range(count)),
            ",".join(_match_col(i) for i in range(count)),
        )
        return _DataFrame(jdf, spark)
    columns = [c for c in rows.columns if not c.startswith("__lh_row")]
    order = Window.partitionBy(*partition).orderBy("__lh_ts", "__lh_kind")
    running = order.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    matches = [
        F.last(_row_col(i), ignorenulls=True).over(running).alias(_match_col(i))
        for i in range(count)
    ]
    return rows.select(*columns, *matches).where(F.col("__lh_kind") == _KIND_SPINE)


def _sort_prefix(partition: list[str]) -> Column:
    """AsOfFill's one sort column: the partition's hash, then the second of ``__lh_ts``.

    High 32 bits: the low 32 bits of ``xxhash64`` of the partition columns, so a key's
    rows are together (keys whose hashes collide share a group; the operator keeps
    them apart). Low 32 bits: Unix seconds + 2^31, clamped to [1, 2^32 - 1] (1901 to
    2106 exact; outside, the operator's own ordering by time still holds), and 0 for a
    null time, which sorts first as the window's NULLS FIRST does.
    """
    from pyspark.sql import functions as F

    second = F.unix_seconds(F.col("__lh_ts")) + F.lit(2**31)
    low = F.coalesce(F.least(F.greatest(second, F.lit(1)), F.lit(2**32 - 1)), F.lit(0))
    return F.shiftleft(F.xxhash64(*partition), 32).bitwiseOR(low)


def _fill_operator(spark: Any) -> bool:
    """Whether ``spark`` plans ``io.lakehouse.AsOfFill`` (a classic session with our extension)."""
    from lakehouse.spark import LAKEHOUSE_EXTENSION

    if getattr(spark, "_jvm", None) is None:
        return False
    conf = spark.conf
    if (conf.get("spark.lakehouse.pit.operator", "fill") or "fill") == "window":
        return False
    return LAKEHOUSE_EXTENSION in (conf.get("spark.sql.extensions", "") or "")


def _carry_from_earlier_buckets(
    rows: DataFrame, picked: DataFrame, keys: list[str], count: int
) -> DataFrame:
    """Spine rows that found nothing in their time bucket take the newest earlier row.

    Buckets are time ranges (never a hash), so "an earlier bucket" is "earlier time".
    The carry is computed on one row per (key, bucket), small beside the history.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    newest = [
        # max_by skips rows whose ordering is null: the rows of the other lookups.
        F.max_by(_row_col(i), F.when(F.col(_row_col(i)).isNotNull(), F.col("__lh_ts"))).alias(
            f"__lh_last{i}"
        )
        for i in range(count)
    ]
    last_per_bucket = (
        rows.where(F.col("__lh_kind") == _KIND_FEATURE).groupBy(*keys, "__lh_bucket").agg(*newest)
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
        *[
            F.last(f"__lh_last{i}", ignorenulls=True).over(before).alias(f"__lh_carried{i}")
            for i in range(count)
        ],
    )
    joined = picked.join(carry, [*keys, "__lh_bucket"], "left")
    return joined.select(
        *[c for c in picked.columns if not c.startswith("__lh_match")],
        *[F.coalesce(_match_col(i), f"__lh_carried{i}").alias(_match_col(i)) for i in range(count)],
    )


def _group_key(spec: LookupSpec) -> tuple[Any, ...]:
    return (spec.lookup_keys, spec.timestamp_lookup_key)


def join_lookups(
    spine: DataFrame,
    items: Sequence[tuple[DataFrame, LookupSpec]],
    *,
    bucket_seconds: int | None = None,
) -> DataFrame:
    """``spine`` with the outputs of every lookup added; exactly the spine's rows come back.

    Point-in-time lookups that share the spine's key and time columns are joined in
    one sort of the union of the spine and all their feature rows (one shuffle of the
    spine, not one per table); plain lookups are hash joins on the keys.
    ``bucket_seconds`` splits each key's as-of sort into time ranges of that length
    (for keys with very long histories); ``None`` sorts each key's rows as one window.
    """
    out = spine
    groups: dict[tuple[Any, ...], list[tuple[DataFrame, LookupSpec]]] = {}
    for features, spec in items:
        if not spec.outputs:
            continue
        if spec.timestamp_lookup_key is not None and spec.timeseries_column is not None:
            groups.setdefault(_group_key(spec), []).append((features, spec))
        else:
            out = _latest_join(out, features, spec)
    for group in groups.values():
        out = _asof_group(out, group, bucket_seconds)
    # The outputs in lookup order, whichever join added them.
    return out.select(
        *[f"`{c}`" for c in spine.columns],
        *[f"`{o}`" for _, spec in items for o in spec.outputs],
    )


def join_lookup(
    spine: DataFrame,
    features: DataFrame,
    spec: LookupSpec,
    *,
    bucket_seconds: int | None = None,
) -> DataFrame:
    """``spine`` with the outputs of one lookup added; see :func:`join_lookups`."""
    return join_lookups(spine, [(features, spec)], bucket_seconds=bucket_seconds)
