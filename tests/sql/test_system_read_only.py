"""The ``system`` catalog is read-only to Spark: every write form is refused, reads work.

The catalog plugin refuses writes it is asked to load a table for; the session extension
``io.lakehouse.LakehouseExtensions`` refuses the rest at analysis (a write that reuses the
relation loaded for its read, Delta's own commands, the DeltaTable API, ``delta.`path```).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F

import lakehouse as lh
from lakehouse.store.layout import system_table_uri
from tests.sql.sql_helpers import delta_version, rows

TABLE = "system.catalog.schemas"
REFUSED = (
    "cannot write to table system.catalog.schemas: the 'system' catalog is reserved for "
    "lakehouse's own tables (tracking, registry, catalog) and is read-only to users; use "
    "another catalog such as 'main'."
)


@pytest.mark.parametrize(
    "statement",
    [
        f"INSERT OVERWRITE {TABLE} SELECT * FROM {TABLE}",
        f"INSERT INTO {TABLE} BY NAME SELECT * FROM {TABLE}",
        f"INSERT INTO {TABLE} REPLACE WHERE true SELECT * FROM {TABLE}",
        f"TRUNCATE TABLE {TABLE}",
        f"RESTORE TABLE {TABLE} TO VERSION AS OF 0",
        f"OPTIMIZE {TABLE}",
        f"VACUUM {TABLE}",
        f"REORG TABLE {TABLE} APPLY (PURGE)",
        f"ALTER TABLE {TABLE} ADD COLUMNS (z INT)",
        f"ALTER TABLE {TABLE} ADD CONSTRAINT positive CHECK (true)",
        f"COMMENT ON TABLE {TABLE} IS 'mine'",
        "INSERT INTO delta.`{path}` SELECT * FROM system.catalog.schemas",
        "VACUUM delta.`{path}`",
    ],
)
def test_sql_writes_the_plugin_does_not_see_are_refused(sql_spark, statement: str) -> None:  # type: ignore[no-untyped-def]
    statement = statement.replace("{path}", system_table_uri("catalog", "schemas"))
    before = delta_version(TABLE)
    with pytest.raises(lh.ReservedNameError) as caught:
        lh.sql(statement)
    assert str(caught.value) == REFUSED
    with pytest.raises(Exception, match=re.escape(REFUSED)):
        sql_spark.sql(statement)  # plain Spark: the same text
    assert delta_version(TABLE) == before


def _dataframe_writes(spark: Any) -> dict[str, Callable[[], object]]:
    df = spark.table(TABLE)
    table = DeltaTable.forName(spark, TABLE)
    by_path = DeltaTable.forPath(spark, system_table_uri("catalog", "schemas"))
    return {
        "insertInto": lambda: df.write.insertInto(TABLE),
        "insertInto overwrite": lambda: df.write.insertInto(TABLE, overwrite=True),
        "saveAsTable append": lambda: df.write.mode("append").saveAsTable(TABLE),
        "writeTo append": lambda: df.writeTo(TABLE).append(),
        "writeTo overwrite": lambda: df.writeTo(TABLE).overwrite(F.lit(True)),
        "writeTo overwritePartitions": lambda: df.writeTo(TABLE).overwritePartitions(),
        "save to the path": lambda: (
            df.write.format("delta").mode("append").save(system_table_uri("catalog", "schemas"))
        ),
        "DeltaTable delete": lambda: table.delete(),
        "DeltaTable update": lambda: table.update(set={"comment": F.lit("x")}),
        "DeltaTable merge": lambda: (
            table.alias("t")
            .merge(df.alias("s"), "t.schema_name = s.schema_name")
            .whenMatchedDelete()
            .execute()
        ),
        "DeltaTable optimize": lambda: table.optimize().executeCompaction(),
        "DeltaTable vacuum": lambda: table.vacuum(),
        "DeltaTable restore": lambda: table.restoreToVersion(0),
        "DeltaTable by path delete": lambda: by_path.delete(),
    }


def test_dataframe_and_delta_api_writes_are_refused(sql_spark) -> None:  # type: ignore[no-untyped-def]
    before = delta_version(TABLE)
    went_through = []
    for what, write in _dataframe_writes(sql_spark).items():
        try:
            write()
            went_through.append(what)
        except Exception as exc:
            assert REFUSED in str(exc), (what, str(exc)[:500])
    assert went_through == []
    assert delta_version(TABLE) == before


def test_reads_of_system_tables_and_copies_out_of_them_work(sql_spark) -> None:  # type: ignore[no-untyped-def]
    version = delta_version(TABLE)
    schemas = rows(sql_spark.table(TABLE).select("schema_name"))
    assert ("ml",) in schemas
    assert len(rows(sql_spark.sql(f"DESCRIBE HISTORY {TABLE}"))) == version + 1
    assert DeltaTable.forName(sql_spark, TABLE).history().count() == version + 1
    assert rows(sql_spark.sql(f"SELECT count(*) FROM {TABLE} VERSION AS OF 0")) == [(0,)]
    assert ("schema_name", "string") in {
        (r.col_name, r.data_type) for r in sql_spark.sql(f"DESCRIBE TABLE {TABLE}").collect()
    }
    assert sql_spark.sql(f"DESCRIBE DETAIL {TABLE}").first().format == "delta"
    # Writes out of system into another catalog are reads of system.
    sql_spark.sql(f"CREATE TABLE main.ml.copy AS SELECT * FROM {TABLE}")
    sql_spark.sql(f"INSERT INTO main.ml.copy SELECT * FROM {TABLE}")
    sql_spark.table(TABLE).write.insertInto("main.ml.copy")
    sql_spark.sql(
        f"MERGE INTO main.ml.copy t USING {TABLE} s ON t.schema_name = s.schema_name "
        "WHEN MATCHED THEN DELETE"
    )
    sql_spark.table(TABLE).writeTo("main.ml.copy").append()
    assert sql_spark.table("main.ml.copy").count() == len(schemas)
    assert delta_version(TABLE) == version
