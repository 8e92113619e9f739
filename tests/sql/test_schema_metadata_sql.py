"""Schema comments and owners stay one truth between Spark SQL and lakehouse's Python API.

SQL's CREATE SCHEMA ... COMMENT, COMMENT ON SCHEMA and DROP SCHEMA write
``system.catalog.schemas`` through the Python side (delta-rs stays its one writer);
``lh.list_schemas``, ``DESCRIBE SCHEMA`` and ``SELECT * FROM system.catalog.schemas``
must then say the same thing, whichever side made the change. The same statements in a
``spark-submit`` job are in tests/sql/test_spark_submit_sql.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pyspark.errors import AnalysisException

import lakehouse as lh
from lakehouse.config import username
from lakehouse.paths import to_local_path
from tests.sql.sql_helpers import delta_version, rows


def _recorded(spark, catalog: str = "main") -> list[tuple]:  # type: ignore[no-untyped-def]
    """(schema, comment, owner) rows of system.catalog.schemas, read by Spark."""
    found = spark.sql(
        "SELECT schema_name, comment, owner FROM system.catalog.schemas "
        f"WHERE catalog_name = '{catalog}'"
    )
    return rows(found)


def _listed(catalog: str = "main") -> list[tuple]:
    """(schema, comment, owner) as lh.list_schemas reports them."""
    return sorted((s.name, s.comment, s.owner) for s in lh.list_schemas(catalog))


def _described(spark, name: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.info_name: r.info_value for r in spark.sql(f"DESCRIBE SCHEMA {name}").collect()}


def test_sql_create_schema_comment_is_recorded(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("CREATE SCHEMA main.sales COMMENT 'sales team'")
    me = username()
    assert ("sales", "sales team", me) in _listed()
    assert _recorded(sql_spark) == _listed()  # every schema here has a row
    assert lh.create_schema("main.sales").comment == "sales team"  # exist_ok: the same row
    described = _described(sql_spark, "main.sales")
    assert (described["Comment"], described["Owner"]) == ("sales team", me)
    created = next(s for s in lh.list_schemas("main") if s.name == "sales").created_at
    assert created is not None


def test_comment_on_schema_both_ways(sql_spark) -> None:  # type: ignore[no-untyped-def]
    made = lh.create_schema("main.sales", comment="first")
    assert _described(sql_spark, "main.sales")["Comment"] == "first"  # Python -> SQL
    sql_spark.sql("COMMENT ON SCHEMA main.sales IS 'second'")
    after = next(s for s in lh.list_schemas("main") if s.name == "sales")
    assert (after.comment, after.owner, after.created_at) == ("second", made.owner, made.created_at)
    assert ("sales", "second", made.owner) in _recorded(sql_spark)
    sql_spark.sql("COMMENT ON SCHEMA main.sales IS NULL")
    assert ("sales", None, made.owner) in _listed()
    assert _recorded(sql_spark) == _listed()


def test_comment_on_a_schema_without_a_row(sql_spark) -> None:  # type: ignore[no-untyped-def]
    # A schema folder made outside lakehouse's Python side has no metadata row yet.
    home = to_local_path(lh.get_config().home_uri)
    os.makedirs(Path(home, "warehouse", "main", "bare"))
    assert ("bare", None, None) in _listed()
    sql_spark.sql("COMMENT ON SCHEMA main.bare IS 'adopted'")
    assert ("bare", "adopted", None) in _listed()
    assert _recorded(sql_spark) == _listed()


def test_sql_drop_schema_removes_the_row(sql_spark) -> None:  # type: ignore[no-untyped-def]
    lh.create_schema("main.sales", comment="old team")
    sql_spark.range(1).write.saveAsTable("main.sales.t")
    sql_spark.sql("DROP SCHEMA main.sales CASCADE")
    assert "sales" not in [name for name, *_ in _listed()]
    assert "sales" not in [name for name, *_ in _recorded(sql_spark)]
    # The name is free again, with nothing of the old schema's metadata.
    again = lh.create_schema("main.sales", comment="new team", exist_ok=False)
    assert again.comment == "new team"
    sql_spark.sql("DROP SCHEMA main.sales")
    sql_spark.sql("CREATE SCHEMA main.sales")
    assert ("sales", None, username()) in _recorded(sql_spark)
    assert _recorded(sql_spark) == _listed()


def test_python_drop_schema_is_seen_by_sql(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("CREATE SCHEMA main.sales COMMENT 'sales team'")
    lh.drop_schema("main.sales")
    assert ("sales",) not in rows(sql_spark.sql("SHOW SCHEMAS IN main"))
    assert "sales" not in [name for name, *_ in _recorded(sql_spark)]
    with pytest.raises(AnalysisException, match="SCHEMA_NOT_FOUND"):
        sql_spark.sql("DESCRIBE SCHEMA main.sales")


def test_sql_drop_of_the_default_schema_brings_it_back(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("DROP SCHEMA main.default")
    assert "default" not in [name for name, *_ in _recorded(sql_spark)]
    assert ("default", "The default schema.", username()) in _listed()  # made on next use


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("COMMENT ON SCHEMA main.nope IS 'x'", "SCHEMA_NOT_FOUND"),
        ("ALTER SCHEMA main.ml SET DBPROPERTIES ('team' = 'x')", "except COMMENT ON SCHEMA"),
        ("COMMENT ON SCHEMA system.catalog IS 'x'", "the 'system' catalog is reserved"),
        ("CREATE SCHEMA main.ml COMMENT 'again'", "SCHEMA_ALREADY_EXISTS"),
    ],
)
def test_refused_schema_statements_change_nothing(sql_spark, statement: str, message: str) -> None:  # type: ignore[no-untyped-def]
    lh.create_schema("main.ml", comment="kept")  # exists already (fixture): no change
    before = delta_version("system.catalog.schemas")
    listed = _listed()
    with pytest.raises(Exception, match=message):
        sql_spark.sql(statement)
    assert delta_version("system.catalog.schemas") == before
    assert _listed() == listed
