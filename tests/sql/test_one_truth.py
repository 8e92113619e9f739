"""One truth: SQL and lakehouse's Python API see the same tables, metadata, names and rules."""

from __future__ import annotations

from pathlib import Path

import pytest

import lakehouse as lh
from lakehouse.catalog.names import parse_name
from lakehouse.catalog.namespace import table_location
from lakehouse.paths import to_local_path
from tests.sql.sql_helpers import delta_version, rows


def test_a_table_made_with_sql_is_described_by_lh(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql(
        "CREATE TABLE main.ml.orders (customer_id INT, amount DOUBLE, day STRING) USING delta "
        "PARTITIONED BY (day) COMMENT 'raw orders' TBLPROPERTIES ('team' = 'ml', 'tier' = 'gold')"
    )
    assert lh.list_tables("main.ml") == ["main.ml.orders"]
    described = lh.describe_table("main.ml.orders")
    assert described.comment == "raw orders"
    assert described.partition_columns == ("day",)
    assert {"team": "ml", "tier": "gold"}.items() <= described.properties.items()
    assert [c.name for c in described.columns] == ["customer_id", "amount", "day"]
    assert described.location == table_location("main.ml.orders")
    assert described.version == 0


def test_a_table_made_with_lh_is_seen_by_sql(sql_spark) -> None:  # type: ignore[no-untyped-def]
    df = sql_spark.createDataFrame([(1, "a")], "id INT, day STRING")
    lh.create_table(
        "main.ml.scores",
        df,
        comment="nightly scores",
        partition_by=["day"],
        properties={"team": "ml"},
    )
    assert rows(sql_spark.sql("SHOW TABLES IN main.ml").select("tableName")) == [("scores",)]
    detail = sql_spark.sql("DESCRIBE DETAIL main.ml.scores").first()
    assert detail.description == "nightly scores"
    assert detail.partitionColumns == ["day"]
    assert detail.properties["team"] == "ml"
    assert detail.location == "file:" + to_local_path(table_location("main.ml.scores"))
    extended = dict(
        (r.col_name, r.data_type)
        for r in sql_spark.sql("DESCRIBE TABLE EXTENDED main.ml.scores").collect()
    )
    assert extended["Comment"] == "nightly scores"
    assert extended["Catalog"] == "main"
    assert rows(sql_spark.table("main.ml.scores")) == [(1, "a")]


BAD_NAMES = [
    "main.a.b.c",  # four parts
    "main.ml.`has space`",
    "main.ml.`a/b`",  # a slash
    "main.ml.`a#b`",  # would be a URI fragment in the folder's URI
    "main.`x\tdrop`.t",  # a control character
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_get_the_same_error_on_both_paths(sql_spark, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(lh.InvalidNameError) as python_side:
        parse_name(name)
    expected = str(python_side.value)
    assert "any but '.', space, '/', control characters, DEL, '#', '?' and '%'" in expected
    with pytest.raises(Exception) as by_sql:
        sql_spark.sql(f"SELECT * FROM {name}")
    assert expected in str(by_sql.value)
    with pytest.raises(Exception) as by_api:
        sql_spark.range(1).write.saveAsTable(name)
    assert expected in str(by_api.value)
    with pytest.raises(lh.InvalidNameError) as by_lh_sql:
        lh.sql(f"CREATE TABLE {name} (id INT)")
    assert str(by_lh_sql.value) == expected
    schema_dirs = Path(to_local_path(lh.get_config().home_uri), "warehouse", "main").iterdir()
    assert sorted(p.name for p in schema_dirs) == ["default", "ml"]  # nothing created
    assert lh.list_tables("main.ml") == []


def test_an_upper_case_catalog_in_sql_says_to_write_it_lowercase(sql_spark) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(lh.InvalidNameError, match="which is lowercase; write 'main'"):
        lh.sql("SELECT * FROM MAIN.ml.orders")


def test_unity_catalog_names_work_in_sql_with_backquotes(sql_spark) -> None:  # type: ignore[no-untyped-def]
    from lakehouse.catalog.names import sql_name

    sql_spark.range(3).write.saveAsTable("main.ml.`Daily-Scores`")
    assert lh.list_tables("main.ml") == ["main.ml.daily-scores"]  # stored lowercase
    assert sql_spark.sql(f"SELECT count(*) FROM {sql_name('main.ml.daily-scores')}").first()[0] == 3
    assert sql_spark.table("main.ML.`daily-scores`").count() == 3
    lh.create_table("main.ml.ElasticnetWine", sql_spark.range(2))
    assert sql_spark.sql("SELECT count(*) FROM main.ml.elasticnetwine").first()[0] == 2


def test_the_system_catalog_is_readable_by_sql(sql_spark) -> None:  # type: ignore[no-untyped-def]
    lh.create_schema("main.sales", comment="sales team")
    found = sql_spark.sql(
        "SELECT schema_name, comment FROM system.catalog.schemas WHERE catalog_name = 'main'"
    )
    assert ("sales", "sales team") in rows(found)
    assert ("catalog",) in rows(sql_spark.sql("SHOW SCHEMAS IN system"))
    assert ("schemas",) in rows(sql_spark.sql("SHOW TABLES IN system.catalog").select("tableName"))
    assert sql_spark.table("system.catalog.catalogs").count() >= 1


RESERVED = (
    "the 'system' catalog is reserved for lakehouse's own tables (tracking, registry, catalog) "
    "and is read-only to users; use another catalog such as 'main'."
)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO system.catalog.schemas SELECT * FROM main.default.copy",
        "INSERT INTO system.catalog.schemas VALUES ('main', 'x', NULL, NULL, NULL)",
        "INSERT OVERWRITE system.catalog.schemas SELECT * FROM main.default.copy",
        "DELETE FROM system.catalog.schemas",
        "UPDATE system.catalog.schemas SET comment = 'x'",
        "MERGE INTO system.catalog.schemas t USING system.catalog.schemas s "
        "ON t.schema_name = s.schema_name WHEN MATCHED THEN DELETE",
        "CREATE TABLE system.catalog.mine (id INT)",
        "CREATE OR REPLACE TABLE system.catalog.schemas AS SELECT 1 AS id",
        "ALTER TABLE system.catalog.schemas SET TBLPROPERTIES ('a' = 'b')",
        "DROP TABLE system.catalog.schemas",
        "CREATE SCHEMA system.mine",
        "DROP SCHEMA system.catalog CASCADE",
    ],
)
def test_writes_into_system_are_refused(sql_spark, statement: str) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("CREATE TABLE main.default.copy AS SELECT * FROM system.catalog.schemas")
    before = delta_version("system.catalog.schemas")
    with pytest.raises(lh.ReservedNameError) as caught:
        lh.sql(statement)
    assert str(caught.value).startswith("cannot ")
    assert str(caught.value).endswith(RESERVED)
    with pytest.raises(Exception, match="is reserved for lakehouse's own tables"):
        sql_spark.sql(statement)  # plain Spark: the same text
    assert delta_version("system.catalog.schemas") == before
    assert sorted(s.name for s in lh.list_schemas("system")) == ["catalog"]


def test_dataframe_writes_into_system_are_refused(sql_spark) -> None:  # type: ignore[no-untyped-def]
    before = delta_version("system.catalog.schemas")
    df = sql_spark.table("system.catalog.schemas")
    for mode in ("append", "overwrite"):
        with pytest.raises(Exception, match="cannot .*the 'system' catalog is reserved"):
            df.write.mode(mode).saveAsTable("system.catalog.schemas")
    with pytest.raises(Exception, match="cannot (create|write to) table system.catalog.copy"):
        df.write.saveAsTable("system.catalog.copy")
    assert delta_version("system.catalog.schemas") == before


def test_inserting_a_system_table_into_itself_is_refused(sql_spark) -> None:  # type: ignore[no-untyped-def]
    # Spark reuses the relation it loaded for the read as the write target, so the plugin's
    # write check never runs: io.lakehouse.LakehouseExtensions refuses the analyzed plan.
    before = delta_version("system.catalog.schemas")
    with pytest.raises(lh.ReservedNameError) as caught:
        lh.sql("INSERT INTO system.catalog.schemas SELECT * FROM system.catalog.schemas")
    assert str(caught.value) == "cannot write to table system.catalog.schemas: " + RESERVED
    assert delta_version("system.catalog.schemas") == before
