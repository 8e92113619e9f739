"""Point-in-time lookups on hand-made cases: each spine row is one case, with its answer."""

from __future__ import annotations

import datetime as dt

import pytest

from lakehouse.errors import InvalidArgumentError
from lakehouse.feature_store import FeatureLookup
from tests.features.conftest import day, pit_operator

FEATURES = [
    # id, ts, x, y
    (1, day(1), 1.0, "a"),
    (1, day(3), None, "c"),  # the newest row at day 3 holds a null x
    (1, day(5), 5.0, "e"),
    (2, day(2), 2.0, "b"),
]
# case id, id, spine time, expected (x, y) of the plain lookup, expected x_recent (2-day lookback)
CASES = [
    (0, 1, day(1), (1.0, "a"), 1.0),  # exact tie: the row at the spine time counts
    (1, 1, day(2), (1.0, "a"), 1.0),  # the day-3 row is after the spine time: never leaks
    (2, 1, day(3), (None, "c"), None),  # a null in the newest row stays null
    (3, 1, day(3), (None, "c"), None),  # a duplicate spine row comes back twice
    (4, 1, day(0), (None, None), -1.0),  # before any feature row: nulls, then defaults
    (5, 2, day(4), (2.0, "b"), 2.0),  # lookback edge: exactly 2 days old is inside
    (6, 2, day(4, 1), (2.0, "b"), -1.0),  # an hour past the lookback: default
    (7, 9, day(5), (None, None), -1.0),  # unknown key
    (8, None, day(5), (None, None), -1.0),  # null key
    (9, 1, None, (None, None), -1.0),  # null time
    (10, 1, day(9), (5.0, "e"), -1.0),  # newest row, far outside the lookback
]


@pytest.fixture
def table(fe, spark) -> str:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame(FEATURES, "id long, ts timestamp, x double, y string")
    fe.create_table(name="main.default.f", primary_keys=["id", "ts"], timeseries_column="ts", df=df)
    return "main.default.f"


def _spine(spark):  # type: ignore[no-untyped-def]
    rows = [(case, key, time, case % 2) for case, key, time, *_ in CASES]
    return spark.createDataFrame(rows, "case int, id long, t timestamp, label int")


# The window fallback shares the bucket carry with the operator: one bucketed run covers it.
@pytest.mark.parametrize(
    ("bucket_seconds", "operator"), [(None, "fill"), (86400, "fill"), (None, "window")]
)
def test_hand_made_cases(fe, spark, table: str, bucket_seconds: int | None, operator: str) -> None:  # type: ignore[no-untyped-def]
    lookups = [
        FeatureLookup(table_name=table, lookup_key="id", timestamp_lookup_key="t"),
        FeatureLookup(  # a second lookup on the same table: renamed, windowed, defaulted
            table_name=table,
            lookup_key="id",
            feature_names=["x"],
            rename_outputs={"x": "x_recent"},
            timestamp_lookup_key="t",
            lookback_window=dt.timedelta(days=2),
            default_values={"x_recent": -1.0},
        ),
    ]
    training = fe.create_training_set(
        df=_spine(spark), feature_lookups=lookups, label="label", bucket_seconds=bucket_seconds
    )
    with pit_operator(spark, operator):
        out = training.load_df()
    plan = out._jdf.queryExecution().optimizedPlan().toString()
    assert ("AsOfFill " in plan) == (operator == "fill")  # else the window of the fallback
    assert operator == "fill" or "Window [" in plan
    assert out.columns == ["case", "id", "t", "label", "x", "y", "x_recent"]
    got = sorted((r["case"], (r["x"], r["y"]), r["x_recent"]) for r in out.collect())
    assert got == [(case, plain, recent) for case, _, _, plain, recent in CASES]
    if operator == "fill":  # the Spark UI's row count: the spine rows the operator emitted
        fill = _operator(out._jdf.queryExecution().executedPlan(), "AsOfFill")
        assert fill.metrics().apply("numOutputRows").value() == len(CASES)


def _operator(node, name: str):  # type: ignore[no-untyped-def]
    """The first node called ``name`` in an executed plan (through AQE's stages), or None."""
    if node.nodeName() == name:
        return node
    if node.nodeName() == "AdaptiveSparkPlan":
        return _operator(node.executedPlan(), name)
    if node.nodeName().endswith("QueryStage"):
        return _operator(node.plan(), name)
    children = node.children()
    for i in range(children.size()):
        found = _operator(children.apply(i), name)
        if found is not None:
            return found
    return None


def test_latest_values_without_a_timestamp_key(fe, spark, table: str) -> None:  # type: ignore[no-untyped-def]
    spine = spark.createDataFrame([(1, 0), (2, 1), (3, 0), (1, 1)], "id long, label int")
    lookup = FeatureLookup(table_name=table, lookup_key="id", default_values={"y": "none"})
    out = fe.create_training_set(df=spine, feature_lookups=[lookup], label="label").load_df()
    got = sorted((r["id"], r["label"], r["x"], r["y"]) for r in out.collect())
    assert got == [(1, 0, 5.0, "e"), (1, 1, 5.0, "e"), (2, 1, 2.0, "b"), (3, 0, None, "none")]


def test_multi_column_keys_and_a_feature_already_in_df(fe, spark) -> None:  # type: ignore[no-untyped-def]
    rows = [("eu", 1, day(1), 10.0, 1), ("eu", 2, day(1), 20.0, 2), ("us", 1, day(1), 30.0, 3)]
    df = spark.createDataFrame(rows, "region string, shop int, ts timestamp, sales double, n int")
    fe.create_table(
        name="main.default.shops",
        primary_keys=["region", "shop", "ts"],
        timeseries_column="ts",
        df=df,
    )
    spine = spark.createDataFrame(
        [("eu", 2, day(2), 7), ("us", 1, day(2), 8), ("us", 2, day(2), 9)],
        "r string, s int, t timestamp, n int",
    )
    lookup = FeatureLookup(
        table_name="main.default.shops", lookup_key=["r", "s"], timestamp_lookup_key="t"
    )
    out = fe.create_training_set(df=spine, feature_lookups=[lookup], label=None).load_df()
    assert out.columns == ["r", "s", "t", "n", "sales"]  # n is the DataFrame's, not looked up
    got = sorted((r["r"], r["s"], r["n"], r["sales"]) for r in out.collect())
    assert got == [("eu", 2, 7, 20.0), ("us", 1, 8, 30.0), ("us", 2, 9, None)]


def test_bad_lookups_are_refused_with_the_name(fe, spark, table: str) -> None:  # type: ignore[no-untyped-def]
    spine = _spine(spark)
    with pytest.raises(InvalidArgumentError, match=r"feature\(s\) \['nope'\] are not features"):
        fe.create_training_set(
            df=spine,
            feature_lookups=[
                FeatureLookup(table_name=table, lookup_key="id", feature_names=["nope"])
            ],
            label="label",
        )
    with pytest.raises(InvalidArgumentError, match=r"\['customer'\] are not in the DataFrame"):
        fe.create_training_set(
            df=spine,
            feature_lookups=[FeatureLookup(table_name=table, lookup_key="customer")],
            label="label",
        )
    with pytest.raises(InvalidArgumentError, match="default_values keys"):
        fe.create_training_set(
            df=spine,
            feature_lookups=[
                FeatureLookup(
                    table_name=table,
                    lookup_key="id",
                    rename_outputs={"x": "x2"},
                    default_values={"x": 0.0},
                )
            ],
            label="label",
        )
    with pytest.raises(InvalidArgumentError, match="also returned by an earlier lookup"):
        fe.create_training_set(
            df=spine,
            feature_lookups=[
                FeatureLookup(table_name=table, lookup_key="id"),
                FeatureLookup(table_name=table, lookup_key="id", feature_names=["x"]),
            ],
            label="label",
        )
