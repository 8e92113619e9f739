"""The as-of join against pandas ``merge_asof`` (the single-process reference) on random data."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakehouse.features.entities import LookupSpec
from lakehouse.features.pit import join_lookup

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
keys = st.integers(min_value=0, max_value=3)
hours = st.integers(min_value=0, max_value=24 * 6)
values = st.one_of(st.none(), st.floats(min_value=-100, max_value=100, allow_nan=False))
feature_rows = st.lists(st.tuples(keys, hours, values), max_size=25, unique_by=lambda r: r[:2])
spine_rows = st.lists(st.tuples(keys, hours), min_size=1, max_size=25)
lookbacks = st.one_of(st.none(), st.integers(min_value=0, max_value=48))


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
)
def test_asof_join_matches_merge_asof(spark, features, spine, lookback, bucket) -> None:  # type: ignore[no-untyped-def]
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
    spec = LookupSpec(
        table_name="main.default.random",
        version=0,
        lookup_keys=("id",),
        table_keys=("id",),
        timeseries_column="ts",
        timestamp_lookup_key="t",
        features=("x",),
        outputs=("x",),
        lookback_seconds=None if lookback is None else lookback * 3600.0,
    )
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
