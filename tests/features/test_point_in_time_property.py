"""The as-of join against pandas ``merge_asof`` (the single-process reference) on random data."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakehouse.features.entities import LookupSpec
from lakehouse.features.pit import join_lookup, join_lookups
from tests.features.conftest import PIT_OPERATORS, pit_operator

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
keys = st.integers(min_value=0, max_value=3)
hours = st.integers(min_value=0, max_value=24 * 6)
values = st.one_of(st.none(), st.floats(min_value=-100, max_value=100, allow_nan=False))
feature_rows = st.lists(st.tuples(keys, hours, values), max_size=25, unique_by=lambda r: r[:2])
spine_rows = st.lists(st.tuples(keys, hours), min_size=1, max_size=25)
lookbacks = st.one_of(st.none(), st.integers(min_value=0, max_value=48))


def _spec(feature: str, lookback_hours: int | None = None) -> LookupSpec:
    """A timestamp lookup of ``feature`` on ``id``, as of the spine's ``t``."""
    return LookupSpec(
        table_name=f"main.default.random_{feature}",
        version=0,
        lookup_keys=("id",),
        table_keys=("id",),
        timeseries_column="ts",
        timestamp_lookup_key="t",
        features=(feature,),
        outputs=(feature,),
        lookback_seconds=None if lookback_hours is None else lookback_hours * 3600.0,
    )


def _expected(spine: pd.DataFrame, features: pd.DataFrame, lookback: int | None) -> list:
    if features.empty:
        return sorted((r, None) for r in spine["row"])
    tolerance = None if lookback is None else pd.Timedelta(hours=lookback)
    merged = pd.merge_asof(
        spine.sort_values("t"),
        features.rename(columns={"id": "fid"}).sort_values("ts"),
        left_on="t",
        right_on="ts",
        left_by="id",
        right_by="fid",
        direction="backward",
        allow_exact_matches=True,
        tolerance=tolerance,
    )
    return sorted((r.row, None if pd.isna(r.x) else r.x) for r in merged.itertuples())


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    features=feature_rows,
    spine=spine_rows,
    lookback=lookbacks,
    bucket=st.sampled_from([None, 86400]),
    operator=st.sampled_from(PIT_OPERATORS),
)
def test_asof_join_matches_merge_asof(spark, features, spine, lookback, bucket, operator) -> None:  # type: ignore[no-untyped-def]
    def at(h: int) -> dt.datetime:
        return EPOCH + dt.timedelta(hours=h)

    fpdf = pd.DataFrame([(k, at(h), x) for k, h, x in features], columns=["id", "ts", "x"]).astype(
        {"id": "int64", "x": "float64"}
    )
    spdf = pd.DataFrame(
        [(i, k, at(h)) for i, (k, h) in enumerate(spine)], columns=["row", "id", "t"]
    )
    feature_df = spark.createDataFrame(
        [(k, at(h), x) for k, h, x in features], "id long, ts timestamp, x double"
    )
    spine_df = spark.createDataFrame(
        [(i, k, at(h)) for i, (k, h) in enumerate(spine)], "row long, id long, t timestamp"
    )
    spec = _spec("x", lookback)
    with pit_operator(spark, operator):
        out = join_lookup(spine_df, feature_df, spec, bucket_seconds=bucket)
    got = sorted((r["row"], r["x"]) for r in out.collect())
    expected = _expected(
        spdf.assign(t=pd.to_datetime(spdf["t"], utc=True)),
        fpdf.assign(ts=pd.to_datetime(fpdf["ts"], utc=True)),
        lookback,
    )
    assert len(got) == len(spine)  # exactly the spine's rows
    assert [r for r, _ in got] == [r for r, _ in expected]
    for (_, a), (_, b) in zip(got, expected, strict=True):
        assert (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=feature_rows,
    second=feature_rows,
    spine=spine_rows,
    lookback=lookbacks,
    bucket=st.sampled_from([None, 86400]),
    operator=st.sampled_from(PIT_OPERATORS),
)
def test_two_tables_in_one_sort_match_merge_asof_each(  # type: ignore[no-untyped-def]
    spark, first, second, spine, lookback, bucket, operator
) -> None:
    """Two tables joined in one union and sort: each output equals its own merge_asof."""

    def at(h: int) -> dt.datetime:
        return EPOCH + dt.timedelta(hours=h)

    spdf = pd.DataFrame(
        [(i, k, at(h)) for i, (k, h) in enumerate(spine)], columns=["row", "id", "t"]
    )
    spine_df = spark.createDataFrame(
        [(i, k, at(h)) for i, (k, h) in enumerate(spine)], "row long, id long, t timestamp"
    )
    items, expected = [], {}
    for name, rows, window in (("x", first, None), ("z", second, lookback)):
        fpdf = pd.DataFrame([(k, at(h), v) for k, h, v in rows], columns=["id", "ts", name])
        fpdf = fpdf.astype({"id": "int64", name: "float64"})
        df = spark.createDataFrame(
            [(k, at(h), v) for k, h, v in rows], f"id long, ts timestamp, {name} double"
        )
        spec = _spec(name, window)
        items.append((df, spec))
        merged = _expected(
            spdf.assign(t=pd.to_datetime(spdf["t"], utc=True)),
            fpdf.rename(columns={name: "x"}).assign(ts=pd.to_datetime(fpdf["ts"], utc=True)),
            window,
        )
        expected[name] = merged
    with pit_operator(spark, operator):
        out = join_lookups(spine_df, items, bucket_seconds=bucket)
    assert out.columns == ["row", "id", "t", "x", "z"]
    rows_out = sorted((r["row"], r["x"], r["z"]) for r in out.collect())
    assert [r for r, _, _ in rows_out] == list(range(len(spine)))  # exactly the spine's rows
    for position, name in ((1, "x"), (2, "z")):
        got = [(r[0], r[position]) for r in rows_out]
        for (ra, a), (rb, b) in zip(got, expected[name], strict=True):
            assert ra == rb
            assert (a is None and b is None) or (
                a is not None and b is not None and math.isclose(a, b)
            ), (name, ra, a, b)


# Two keys whose xxhash64 agree in the low 32 bits: AsOfFill's sort prefix puts their rows
# in one group, interleaved by second (found with Spark; the test checks they still collide).
COLLIDING = (207527, 315278)


def test_keys_whose_hashes_collide_keep_their_own_rows(spark) -> None:  # type: ignore[no-untyped-def]
    from pyspark.sql import functions as F

    a, b = COLLIDING
    low = F.shiftright(F.shiftleft(F.xxhash64(F.col("id")), 32), 32)
    hashes = spark.createDataFrame([(a,), (b,)], "id long").select(low).collect()
    assert hashes[0][0] == hashes[1][0]

    def at(hour: int, ms: int = 0) -> dt.datetime:
        return EPOCH + dt.timedelta(hours=hour, milliseconds=ms)

    features = [
        (a, at(0), 1.0),
        (b, at(0), 2.0),  # the same second as a's row: one run of equal prefixes
        (b, at(1), 3.0),
        (a, at(2), None),  # a null in a's newest row stays null
        (a, at(4, 200), 8.0),
        (a, at(4, 700), 9.0),  # the same second as the row before, 0.5 s later
    ]
    spine = [
        (0, a, at(0), 1.0),
        (1, b, at(0), 2.0),
        (2, a, at(1), 1.0),  # b's row at hour 1 is not a's
        (3, b, at(3), 3.0),
        (4, a, at(3), None),
        (5, b, at(-1), None),  # before any of b's rows
        (6, a, at(4, 500), 8.0),  # between two rows of one second: the earlier one
        (7, a, at(4, 700), 9.0),  # an exact tie
        (8, b, at(4, 500), 3.0),
    ]
    spec = _spec("x")
    feature_df = spark.createDataFrame(features, "id long, ts timestamp, x double")
    spine_df = spark.createDataFrame([r[:3] for r in spine], "row long, id long, t timestamp")
    for operator in PIT_OPERATORS:
        with pit_operator(spark, operator):
            out = join_lookup(spine_df, feature_df, spec)
        assert sorted((r["row"], r["x"]) for r in out.collect()) == [(r[0], r[3]) for r in spine]
