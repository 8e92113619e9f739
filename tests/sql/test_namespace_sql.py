"""Schemas, listings, current catalog and catalog registration through Spark SQL.

Where the DataFrame API has no call (CREATE/DROP SCHEMA, DROP TABLE), the other side is
lakehouse's Python API: each change made on one side is checked on the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest
from pyspark.errors import AnalysisException

import lakehouse as lh
from lakehouse.catalog.namespace import table_location
from lakehouse.paths import to_local_path
from tests.sql.sql_helpers import rows


def test_show_schemas_and_tables(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.range(1).write.saveAsTable("main.ml.a")
    lh.create_table("main.ml.b", sql_spark.range(1))
    assert rows(sql_spark.sql("SHOW SCHEMAS IN main")) == [("default",), ("ml",)]
    tables = sql_spark.sql("SHOW TABLES IN main.ml").select("tableName")
    assert rows(tables) == [("a",), ("b",)]
    # The DataFrame API's catalog calls read the same folders.
    sql_spark.catalog.setCurrentCatalog("main")
    assert sorted(d.name for d in sql_spark.catalog.listDatabases()) == ["default", "ml"]
    assert sorted(t.name for t in sql_spark.catalog.listTables("main.ml")) == ["a", "b"]
    assert sql_spark.catalog.tableExists("main.ml.a")
    assert not sql_spark.catalog.tableExists("main.ml.c")


def test_create_and_drop_schema(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("CREATE SCHEMA main.sales")
    assert [s.name for s in lh.list_schemas("main")] == ["default", "ml", "sales"]
    lh.create_schema("main.py_made")
    assert ("py_made",) in rows(sql_spark.sql("SHOW SCHEMAS IN main"))
    sql_spark.range(1).write.saveAsTable("main.sales.t")
    with pytest.raises(AnalysisException, match="SCHEMA_NOT_EMPTY"):
        sql_spark.sql("DROP SCHEMA main.sales")
    assert lh.list_tables("main.sales") == ["main.sales.t"]  # nothing dropped
    sql_spark.sql("DROP SCHEMA main.sales CASCADE")
    sql_spark.sql("DROP SCHEMA main.py_made")
    assert [s.name for s in lh.list_schemas("main")] == ["default", "ml"]
    lh.drop_schema("main.ml")
    assert rows(sql_spark.sql("SHOW SCHEMAS IN main")) == [("default",)]


def test_drop_table_on_both_sides(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.range(3).write.saveAsTable("main.ml.t")
    sql_spark.sql("DROP TABLE main.ml.t")
    assert lh.list_tables("main.ml") == []
    with pytest.raises(lh.NotFoundError, match=r"table main.ml.t does not exist"):
        lh.describe_table("main.ml.t")
    # The same name again starts from version 0 with the new rows (no stale Delta cache).
    sql_spark.range(7, 8).write.saveAsTable("main.ml.t")
    assert rows(sql_spark.table("main.ml.t")) == [(7,)]
    assert lh.describe_table("main.ml.t").version == 0
    lh.drop_table("main.ml.t")
    with pytest.raises(AnalysisException, match=r"TABLE_OR_VIEW_NOT_FOUND.*`main`.`ml`.`t`"):
        sql_spark.table("main.ml.t")
    sql_spark.sql("DROP TABLE IF EXISTS main.ml.t")


def test_set_catalog_and_use_then_short_names(sql_spark) -> None:  # type: ignore[no-untyped-def]
    lh.create_schema("main.other")
    sql_spark.range(2).write.saveAsTable("main.ml.t")
    sql_spark.range(5).write.saveAsTable("main.other.t")
    sql_spark.sql("SET CATALOG main")
    assert sql_spark.sql("SELECT count(*) FROM ml.t").first()[0] == 2
    sql_spark.sql("USE main.other")
    assert sql_spark.sql("SELECT count(*) FROM t").first()[0] == 5
    sql_spark.sql("USE ml")
    assert sql_spark.sql("SELECT count(*) FROM t").first()[0] == 2
    with pytest.raises(AnalysisException, match="PARSE_SYNTAX_ERROR"):
        sql_spark.sql("USE CATALOG main")  # Databricks' spelling: not OSS Spark SQL
    sql_spark.catalog.setCurrentCatalog("spark_catalog")
    sql_spark.catalog.setCurrentCatalog("main")
    sql_spark.catalog.setCurrentDatabase("other")
    assert sql_spark.catalog.currentCatalog() == "main"
    assert sql_spark.table("t").count() == 5
    assert sql_spark.table("ml.t").count() == 2
    sql_spark.createDataFrame([(9,)], "id LONG").write.mode("append").saveAsTable("t")
    assert lh.table("main.other.t").count() == 6
    # lh.create_table writes by path: that must not resolve against the current catalog.
    lh.create_table("main.other.u", sql_spark.range(4))
    assert sql_spark.table("u").count() == 4


def test_a_catalog_created_later_works_without_restart(sql_spark) -> None:  # type: ignore[no-untyped-def]
    name = f"later_{uuid.uuid4().hex[:8]}"  # never registered in this session before
    assert sql_spark.conf.get(f"spark.sql.catalog.{name}", None) is None
    lh.create_catalog(name)
    sql_spark.sql(f"CREATE SCHEMA {name}.q1")
    sql_spark.range(3).write.saveAsTable(f"{name}.q1.t")
    assert lh.list_tables(f"{name}.q1") == [f"{name}.q1.t"]
    # Another process makes a catalog: the next lh.spark() / lh.sql() call registers it.
    script = textwrap.dedent(
        """
        import lakehouse as lh
        lh.create_catalog("finance")
        lh.create_schema("finance.ledger")
        print("created")
        """
    )
    env_home = to_local_path(lh.get_config().home_uri)
    out = subprocess.run(  # not check=True: deltalake may abort at exit (NOTES, harmless)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LAKEHOUSE_HOME": env_home},
    )
    assert out.stdout.strip() == "created", out.stderr
    lh.sql("CREATE TABLE finance.ledger.entries AS SELECT 1 AS id")
    assert rows(sql_spark.sql("SHOW TABLES IN finance.ledger").select("tableName")) == [
        ("entries",)
    ]
    assert table_location("finance.ledger.entries").endswith("/warehouse/finance/ledger/entries")


def test_unknown_names_give_spark_not_found_with_the_full_name(sql_spark) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnalysisException, match=r"TABLE_OR_VIEW_NOT_FOUND.*`main`.`ml`.`nope`"):
        sql_spark.sql("SELECT * FROM main.ml.nope")
    with pytest.raises(AnalysisException, match=r"TABLE_OR_VIEW_NOT_FOUND.*`main`.`nope`.`t`"):
        sql_spark.table("main.nope.t")
    with pytest.raises(AnalysisException, match=r"SCHEMA_NOT_FOUND.*`main`.`nope`"):
        sql_spark.sql("SHOW TABLES IN main.nope")
    # A catalog registered in the session but absent from this root is not found either.
    sql_spark.conf.set("spark.sql.catalog.elsewhere", "io.lakehouse.LakehouseCatalog")
    with pytest.raises(AnalysisException, match=r"TABLE_OR_VIEW_NOT_FOUND.*`elsewhere`.`s`.`t`"):
        sql_spark.table("elsewhere.s.t")
    with pytest.raises(AnalysisException, match="SCHEMA_NOT_FOUND"):
        sql_spark.sql("SHOW SCHEMAS IN elsewhere")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM nope.s.t",
        "CREATE TABLE nope.s.t (id INT)",
        "SHOW TABLES IN nope.s",
        "USE nope.s",
        "SET CATALOG nope",
    ],
)
def test_lh_sql_names_an_unknown_catalog(sql_spark, query: str) -> None:  # type: ignore[no-untyped-def]
    # Plain Spark says "spark_catalog requires a single-part namespace" (or similar).
    with pytest.raises(lh.NotFoundError) as caught:
        lh.sql(query)
    assert str(caught.value) == (
        "catalog 'nope' does not exist (known catalogs: main, system); "
        "create it with lh.create_catalog('nope')"
    )


def test_translate_error_for_the_dataframe_api(sql_spark) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnalysisException) as caught:
        sql_spark.range(1).write.saveAsTable("nope.s.t")
    assert isinstance(lh.translate_error(caught.value), lh.NotFoundError)
    with pytest.raises(AnalysisException) as caught:
        sql_spark.table("nope.s.t")
    error = lh.translate_error(caught.value)
    assert isinstance(error, lh.NotFoundError)
    assert "catalog 'nope' does not exist" in str(error)
    with pytest.raises(AnalysisException) as caught:
        sql_spark.table("main.ml.nope")
    assert lh.translate_error(caught.value) is None  # Spark's own error already names it
