"""The namespace: catalogs, schemas and tables on Delta, one truth from the folders."""

from __future__ import annotations

import shutil

import pytest
from chispa import assert_df_equality
from deltalake import DeltaTable, write_deltalake
from pyspark.sql import types as T

import lakehouse as lh
from lakehouse import paths
from lakehouse.catalog import namespace
from lakehouse.store import layout

SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType()),
        T.StructField("name", T.StringType()),
        T.StructField("day", T.StringType()),
    ]
)


@pytest.fixture
def people(spark):  # type: ignore[no-untyped-def]
    return spark.createDataFrame(
        [(1, "ada", "2026-01-01"), (2, "bob", "2026-01-02"), (3, "cy", "2026-01-02")], SCHEMA
    )


def test_main_and_main_default_exist_on_first_use(home: str) -> None:
    assert [c.name for c in lh.list_catalogs()] == ["main", "system"]
    assert [s.full_name for s in lh.list_schemas("main")] == ["main.default"]
    assert lh.list_tables() == []


def test_catalog_and_schema_lifecycle_with_comments(home: str) -> None:
    lh.create_catalog("sales", comment="Sales data")
    lh.create_schema("sales.raw", comment="Landing zone")
    assert {c.name: c.comment for c in lh.list_catalogs()}["sales"] == "Sales data"
    (info,) = lh.list_schemas("sales")
    assert (info.full_name, info.comment, info.owner is not None) == (
        "sales.raw",
        "Landing zone",
        True,
    )
    # exist_ok by default, exclusive on request
    lh.create_schema("sales.raw")
    with pytest.raises(lh.AlreadyExistsError, match="schema 'sales.raw' already exists"):
        lh.create_schema("sales.raw", exist_ok=False)
    with pytest.raises(lh.NotFoundError, match="catalog 'nope' does not exist"):
        lh.create_schema("nope.raw")
    lh.drop_schema("sales.raw")
    lh.drop_catalog("sales")
    assert [c.name for c in lh.list_catalogs()] == ["main", "system"]


def test_create_table_from_dataframe_with_metadata(home: str, spark, people) -> None:  # type: ignore[no-untyped-def]
    lh.create_schema("main.ml")
    desc = lh.create_table(
        "main.ml.people",
        people,
        comment="People",
        partition_by=["day"],
        properties={"team": "ml"},
    )
    assert desc.location == layout.warehouse_uri("main", "ml", "people")
    assert [(c.name, c.type) for c in desc.columns] == [
        ("id", "long"),
        ("name", "string"),
        ("day", "string"),
    ]
    assert (desc.comment, desc.partition_columns, desc.version) == ("People", ("day",), 0)
    assert desc.properties["team"] == "ml"
    assert desc.created_at is not None and desc.updated_at is not None
    assert lh.list_tables("main.ml") == ["main.ml.people"]
    assert_df_equality(lh.table("main.ml.people"), people, ignore_row_order=True)


def test_modes_error_ignore_append_overwrite(home: str, people) -> None:  # type: ignore[no-untyped-def]
    lh.create_table("main.default.t", people)
    with pytest.raises(lh.AlreadyExistsError, match="table main.default.t already exists"):
        lh.create_table("main.default.t", people)
    assert lh.create_table("main.default.t", people, mode="ignore").version == 0
    assert lh.create_table("main.default.t", people, mode="append").version == 1
    assert lh.table("main.default.t").count() == 6
    assert lh.create_table("main.default.t", people.limit(1), mode="overwrite").version == 2
    assert lh.table("main.default.t").count() == 1
    with pytest.raises(lh.InvalidArgumentError, match="mode 'upsert' is not one of"):
        lh.create_table("main.default.t", people, mode="upsert")  # type: ignore[arg-type]


def test_create_table_from_a_schema_and_bad_partition_column(home: str, spark) -> None:  # type: ignore[no-untyped-def]
    desc = lh.create_table("main.default.empty", SCHEMA, comment="Empty", partition_by=["day"])
    assert desc.partition_columns == ("day",) and lh.table("main.default.empty").count() == 0
    with pytest.raises(lh.InvalidArgumentError, match=r"partition column\(s\) \['nope'\]"):
        lh.create_table("main.default.bad", SCHEMA, partition_by=["nope"])
    assert lh.list_tables() == ["main.default.empty"]


def test_spark_writes_delta_rs_reads_and_back(home: str, spark, people) -> None:  # type: ignore[no-untyped-def]
    location = lh.create_table("main.default.people", people).location
    via_rs = DeltaTable(location).to_pandas().sort_values("id")
    assert via_rs["name"].tolist() == ["ada", "bob", "cy"]
    # delta-rs writes into the metadata tables; Spark reads them.
    lh.create_schema("main.other", comment="from delta-rs")
    schemas = spark.read.format("delta").load(
        paths.to_local_path(layout.system_table_uri("catalog", "schemas"))
    )
    assert schemas.filter("schema_name = 'other'").collect()[0]["comment"] == "from delta-rs"


def test_drop_refuses_non_empty_unless_cascade(home: str, people) -> None:  # type: ignore[no-untyped-def]
    lh.create_catalog("c1")
    lh.create_schema("c1.s1")
    lh.create_table("c1.s1.t", people)
    with pytest.raises(lh.NotEmptyError, match="schema 'c1.s1' is not empty: it holds tables t"):
        lh.drop_schema("c1.s1")
    with pytest.raises(lh.NotEmptyError, match="catalog 'c1' is not empty: it holds schemas s1"):
        lh.drop_catalog("c1")
    assert lh.list_tables("c1.s1") == ["c1.s1.t"]
    lh.drop_catalog("c1", cascade=True)
    assert "c1" not in [c.name for c in lh.list_catalogs()]
    assert [
        s for s in namespace._schemas_table().read().to_pylist() if s["catalog_name"] == "c1"
    ] == []


def test_drop_table(home: str, people) -> None:  # type: ignore[no-untyped-def]
    lh.create_table("main.default.t", people)
    lh.drop_table("main.default.t")
    assert lh.list_tables() == []
    with pytest.raises(lh.NotFoundError, match="table main.default.t does not exist"):
        lh.drop_table("main.default.t")
    lh.drop_table("main.default.t", missing_ok=True)


@pytest.mark.parametrize(
    "call",
    [
        lambda: lh.create_catalog("system"),
        lambda: lh.create_schema("system.mine"),
        lambda: lh.drop_schema("system.catalog"),
        lambda: lh.drop_catalog("system"),
        lambda: lh.create_table("system.catalog.mine", SCHEMA),
        lambda: lh.drop_table("system.catalog.schemas"),
    ],
)
def test_system_catalog_is_reserved(home: str, spark, call) -> None:  # type: ignore[no-untyped-def]
    lh.list_catalogs()
    before = sorted(str(p) for p in _tree(home))
    with pytest.raises(lh.ReservedNameError, match="the 'system' catalog is reserved"):
        call()
    assert sorted(str(p) for p in _tree(home)) == before


def _tree(home: str):  # type: ignore[no-untyped-def]
    from pathlib import Path

    return list(Path(paths.to_local_path(home)).rglob("*"))


@pytest.mark.parametrize(
    "bad",
    [
        "main.default.t.x",
        "main.default.t t",
        "main.default.a/b",
        "main.default.t\x7f",
        "main..t",
    ],
)
def test_bad_names_create_nothing(home: str, spark, bad: str) -> None:  # type: ignore[no-untyped-def]
    lh.list_catalogs()
    before = sorted(str(p) for p in _tree(home))
    with pytest.raises(lh.InvalidNameError, match="Expected catalog.schema.name"):
        lh.create_table(bad, SCHEMA)
    assert sorted(str(p) for p in _tree(home)) == before


def test_table_whose_delta_folder_was_deleted(home: str, people) -> None:  # type: ignore[no-untyped-def]
    location = lh.create_table("main.default.gone", people).location
    shutil.rmtree(paths.to_local_path(paths.join(location, "_delta_log")))
    for call in (
        lambda: lh.table("main.default.gone"),
        lambda: lh.describe_table("main.default.gone"),
    ):
        with pytest.raises(lh.TableLocationMissingError) as err:
            call()
        assert "table main.default.gone" in str(err.value) and location in str(err.value)
    shutil.rmtree(paths.to_local_path(location))
    with pytest.raises(lh.NotFoundError, match=f"no Delta table at {location}"):
        lh.table("main.default.gone")


def test_unknown_schema_and_table_errors(home: str) -> None:
    with pytest.raises(lh.NotFoundError, match="schema 'main.nope' does not exist"):
        lh.table("main.nope.t")
    with pytest.raises(lh.NotFoundError, match="catalog 'nope' does not exist"):
        lh.list_tables("nope.s")


def test_a_table_written_by_delta_rs_is_listed_and_described(home: str, spark) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    location = namespace.table_location("main.default.from_rs")
    write_deltalake(location, pa.table({"x": [1, 2]}), description="made by delta-rs")
    assert lh.list_tables() == ["main.default.from_rs"]
    assert lh.describe_table("main.default.from_rs").comment == "made by delta-rs"
    assert lh.table("main.default.from_rs").count() == 2


def test_a_failed_create_leaves_no_table(home: str, spark) -> None:  # type: ignore[no-untyped-def]
    from pyspark.sql import functions as F

    @F.udf("long")
    def explode_on_two(value: int) -> int:
        if value == 2:
            raise ValueError("boom")
        return value

    bad = spark.range(3).withColumn("x", explode_on_two("id"))
    with pytest.raises(Exception, match="boom"):
        lh.create_table("main.default.broken", bad)
    assert lh.list_tables() == []
    with pytest.raises(lh.NotFoundError):
        lh.table("main.default.broken")
