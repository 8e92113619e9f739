"""Feature tables: create, describe, merge writes, schema evolution, refusals, drop, list."""

from __future__ import annotations

import pytest

import lakehouse as lh
from lakehouse.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from tests.features.conftest import day

SCHEMA = "id long, ts timestamp, x double"


def _rows(table_df):  # type: ignore[no-untyped-def]
    return sorted(tuple(r) for r in table_df.collect())


@pytest.fixture
def table(fe, spark) -> str:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame([(1, day(1), 1.0), (2, day(1), 2.0)], SCHEMA)
    fe.create_table(
        name="main.default.f",
        primary_keys=["id", "ts"],
        timeseries_column="ts",
        df=df,
        description="test features",
        tags={"team": "ml"},
    )
    return "main.default.f"


def test_create_records_keys_where_sql_and_describe_see_them(fe, spark, table: str) -> None:  # type: ignore[no-untyped-def]
    info = fe.get_table(name=table)
    assert info.primary_keys == ("id", "ts")
    assert info.timeseries_column == "ts"
    assert dict(info.features) == {"x": "double"}
    assert info.description == "test features"
    assert dict(info.tags) == {"team": "ml"}
    assert info.version == 0
    described = lh.describe_table(table)
    assert described.comment == "test features"
    assert described.properties["lakehouse.feature.primary_keys"] == '["id", "ts"]'
    props = {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {table}").collect()}
    assert props["lakehouse.feature.timeseries_column"] == "ts"
    assert [t.name for t in fe.list_tables(schema="main.default")] == [table]
    with pytest.raises(AlreadyExistsError):
        fe.create_table(name=table, primary_keys=["id"], df=spark.createDataFrame([], SCHEMA))


def test_create_refuses_bad_keys(fe, spark) -> None:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame([(1, day(1), 1.0), (1, day(1), 2.0)], SCHEMA)
    with pytest.raises(InvalidArgumentError, match="timeseries_column 'ts' must be one of"):
        fe.create_table(name="main.default.g", primary_keys=["id"], timeseries_column="ts", df=df)
    with pytest.raises(InvalidArgumentError, match=r"primary key \{'id': 1, 'ts': .*\} appears 2"):
        fe.create_table(name="main.default.g", primary_keys=["id", "ts"], df=df)
    with pytest.raises(InvalidArgumentError, match=r"\['customer'\] are not in the data"):
        fe.create_table(name="main.default.g", primary_keys=["customer"], df=df)
    assert lh.list_tables("main.default") == []  # nothing half-made


def test_write_merges_updates_inserts_and_a_new_column(fe, spark, table: str) -> None:  # type: ignore[no-untyped-def]
    update = spark.createDataFrame(
        [(1, day(1), 10.0, "new"), (1, day(2), 11.0, "row")],
        "id long, ts timestamp, x double, z string",
    )
    fe.write_table(name=table, df=update)
    assert _rows(fe.read_table(name=table)) == [
        (1, day(1).replace(tzinfo=None), 10.0, "new"),
        (1, day(2).replace(tzinfo=None), 11.0, "row"),
        (2, day(1).replace(tzinfo=None), 2.0, None),
    ]
    info = fe.get_table(name=table)
    assert dict(info.features) == {"x": "double", "z": "string"}
    assert info.version == 1
    old = fe.read_table(name=table, as_of_version=0)
    assert old.columns == ["id", "ts", "x"] and old.count() == 2


def test_bad_writes_leave_the_table_unchanged(fe, spark, table: str) -> None:  # type: ignore[no-untyped-def]
    nulls = spark.createDataFrame([(None, day(3), 1.0), (3, day(3), 3.0)], SCHEMA)
    with pytest.raises(InvalidArgumentError, match=r"must not be null; found a row with key"):
        fe.write_table(name=table, df=nulls)
    dups = spark.createDataFrame([(3, day(3), 1.0), (3, day(3), 3.0)], SCHEMA)
    with pytest.raises(InvalidArgumentError, match=r"primary key \{'id': 3, 'ts': .*\} appears 2"):
        fe.write_table(name=table, df=dups)
    no_key = spark.createDataFrame([(3, 1.0)], "id long, x double")
    with pytest.raises(InvalidArgumentError, match=r"\['ts'\] are not in the data"):
        fe.write_table(name=table, df=no_key)
    with pytest.raises(InvalidArgumentError, match="mode 'overwrite' is not supported"):
        fe.write_table(name=table, df=nulls, mode="overwrite")
    assert fe.get_table(name=table).version == 0
    assert len(_rows(fe.read_table(name=table))) == 2


def test_drop_and_non_feature_tables(fe, spark, table: str) -> None:  # type: ignore[no-untyped-def]
    lh.create_table("main.default.plain", spark.createDataFrame([(1,)], "a int"))
    with pytest.raises(NotFoundError, match="is not a feature table"):
        fe.get_table(name="main.default.plain")
    with pytest.raises(NotFoundError, match="is not a feature table"):
        fe.drop_table(name="main.default.plain")
    assert [t.name for t in fe.list_tables(schema="main.default")] == [table]
    fe.drop_table(name=table)
    assert lh.list_tables("main.default") == ["main.default.plain"]
    with pytest.raises(NotFoundError):
        fe.get_table(name=table)
