"""The demo's customer features built by the refresh job equal the hand-written ones."""

from __future__ import annotations

import datetime as dt

import pytest

import lakehouse as lh
from lakehouse.demo import write_demo_tables
from lakehouse.demo.customer_features import CUSTOMER_FEATURES, refresh_customer_features
from lakehouse.demo.data import DEMO_END
from lakehouse.demo.features import FEATURE_COLUMNS, churn_features
from lakehouse.features import tables


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
