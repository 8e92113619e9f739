"""Table statements on ``catalog.schema.table``, each through Spark SQL and the DataFrame API.

Results are read back with delta-rs where it matters: the other engine sees the same table.
"""

from __future__ import annotations

import pytest
from delta.tables import DeltaTable
from pyspark.errors import AnalysisException
from pyspark.sql import functions as F

import lakehouse as lh
from tests.sql.sql_helpers import delta_rows, delta_version, rows


def _orders(spark):  # type: ignore[no-untyped-def]
    return spark.createDataFrame(
        [(1, 10.0, "2024-01-01"), (1, 5.0, "2024-01-02"), (2, 7.5, "2024-01-02")],
        "customer_id INT, amount DOUBLE, day STRING",
    )


def test_select_joins_across_schemas(sql_spark) -> None:  # type: ignore[no-untyped-def]
    lh.create_schema("main.crm")
    _orders(sql_spark).write.saveAsTable("main.ml.orders")
    sql_spark.sql(
        "CREATE TABLE main.crm.customers AS SELECT * FROM VALUES (1, 'gold'), (2, 'free') "
        "AS c(customer_id, plan)"
    )
    by_sql = sql_spark.sql(
        "SELECT c.plan, sum(o.amount) AS total FROM main.ml.orders o "
        "JOIN main.crm.customers c ON o.customer_id = c.customer_id GROUP BY c.plan"
    )
    by_api = (
        sql_spark.table("main.ml.orders")
        .join(sql_spark.table("main.crm.customers"), "customer_id")
        .groupBy("plan")
        .agg(F.sum("amount").alias("total"))
    )
    assert rows(by_sql) == rows(by_api) == [("free", 7.5), ("gold", 15.0)]


def test_create_table_partitioned_by(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql(
        "CREATE TABLE main.ml.events (id INT, day STRING) USING delta PARTITIONED BY (day)"
    )
    sql_spark.sql("INSERT INTO main.ml.events VALUES (1, 'a'), (2, 'b')")
    (
        sql_spark.createDataFrame([(3, "c")], "id INT, day STRING")
        .writeTo("main.ml.events_api")
        .using("delta")
        .partitionedBy(F.col("day"))
        .create()
    )
    assert lh.describe_table("main.ml.events").partition_columns == ("day",)
    assert lh.describe_table("main.ml.events_api").partition_columns == ("day",)
    assert delta_rows("main.ml.events", ["id", "day"]) == [(1, "a"), (2, "b")]
    assert delta_rows("main.ml.events_api", ["id", "day"]) == [(3, "c")]


def test_ctas_and_create_or_replace_are_atomic(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("CREATE TABLE main.ml.t AS SELECT id FROM range(3)")
    sql_spark.sql("CREATE OR REPLACE TABLE main.ml.t AS SELECT id * 10 AS id FROM range(2)")
    assert delta_rows("main.ml.t", ["id"]) == [(0,), (10,)]
    assert delta_version("main.ml.t") == 1
    with pytest.raises(Exception, match="boom"):
        sql_spark.sql(
            "CREATE OR REPLACE TABLE main.ml.t AS "
            "SELECT CAST(raise_error('boom') AS BIGINT) AS id FROM range(2)"
        )
    with pytest.raises(Exception, match="boom"):
        sql_spark.sql("CREATE TABLE main.ml.never AS SELECT CAST(raise_error('boom') AS INT) AS x")
    assert delta_rows("main.ml.t", ["id"]) == [(0,), (10,)]  # the failed replace left no trace
    assert delta_version("main.ml.t") == 1
    assert lh.list_tables("main.ml") == ["main.ml.t"]


def test_create_and_replace_through_the_dataframe_api(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.range(3).writeTo("main.ml.t").create()
    sql_spark.range(1).writeTo("main.ml.t").createOrReplace()
    failing = sql_spark.range(2).select(F.raise_error(F.lit("boom")).cast("bigint").alias("id"))
    with pytest.raises(Exception, match="boom"):
        failing.writeTo("main.ml.t").createOrReplace()
    assert delta_rows("main.ml.t", ["id"]) == [(0,)]
    assert delta_version("main.ml.t") == 1


def test_insert_into_and_insert_overwrite(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("CREATE TABLE main.ml.t (id INT, tag STRING) USING delta")
    sql_spark.sql("INSERT INTO main.ml.t VALUES (1, 'sql')")
    sql_spark.createDataFrame([(2, "api")], "id INT, tag STRING").write.insertInto("main.ml.t")
    assert delta_rows("main.ml.t", ["id", "tag"]) == [(1, "sql"), (2, "api")]
    sql_spark.sql("INSERT OVERWRITE main.ml.t VALUES (3, 'sql')")
    assert delta_rows("main.ml.t", ["id", "tag"]) == [(3, "sql")]
    df = sql_spark.createDataFrame([(4, "api")], "id INT, tag STRING")
    df.write.insertInto("main.ml.t", overwrite=True)
    assert delta_rows("main.ml.t", ["id", "tag"]) == [(4, "api")]


def test_save_as_table_modes_and_default_format(sql_spark) -> None:  # type: ignore[no-untyped-def]
    df = sql_spark.range(2)
    df.write.saveAsTable("main.ml.scores")  # no format: delta, as on Databricks
    with pytest.raises(AnalysisException, match=r"TABLE_OR_VIEW_ALREADY_EXISTS.*`ml`.`scores`"):
        df.write.mode("error").saveAsTable("main.ml.scores")
    df.write.mode("append").saveAsTable("main.ml.scores")
    assert delta_rows("main.ml.scores", ["id"]) == [(0,), (0,), (1,), (1,)]
    sql_spark.range(5, 6).write.mode("overwrite").saveAsTable("main.ml.scores")
    assert delta_rows("main.ml.scores", ["id"]) == [(5,)]
    sql_spark.sql("CREATE TABLE main.ml.plain (id INT)")  # no USING: delta too
    formats = sql_spark.sql("DESCRIBE DETAIL main.ml.plain").union(
        sql_spark.sql("DESCRIBE DETAIL main.ml.scores")
    )
    assert [r.format for r in formats.collect()] == ["delta", "delta"]


def test_describe_history_and_time_travel(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("CREATE TABLE main.ml.t (id INT, tag STRING) USING delta")
    sql_spark.sql("INSERT INTO main.ml.t VALUES (1, 'v1')")
    sql_spark.sql("INSERT INTO main.ml.t VALUES (2, 'v2')")
    described = sql_spark.sql("DESCRIBE TABLE main.ml.t").collect()
    assert [(r.col_name, r.data_type) for r in described[:2]] == [("id", "int"), ("tag", "string")]
    history = sql_spark.sql("DESCRIBE HISTORY main.ml.t").collect()
    assert [r.version for r in history] == [2, 1, 0]
    ts_v1 = next(r.timestamp for r in history if r.version == 1)
    assert rows(sql_spark.sql("SELECT id FROM main.ml.t VERSION AS OF 1")) == [(1,)]
    at_v1 = sql_spark.sql(f"SELECT id FROM main.ml.t TIMESTAMP AS OF '{ts_v1}'")
    assert rows(at_v1) == [(1,)]
    # The DataFrame API: reader options and DeltaTable.forName on the three-part name.
    api = DeltaTable.forName(sql_spark, "main.ml.t")
    assert [r.version for r in api.history().collect()] == [2, 1, 0]
    assert api.detail().collect()[0].location.endswith("/warehouse/main/ml/t")
    assert rows(sql_spark.read.option("versionAsOf", 1).table("main.ml.t").select("id")) == [(1,)]
    by_ts = sql_spark.read.option("timestampAsOf", str(ts_v1)).table("main.ml.t")
    assert rows(by_ts.select("id")) == [(1,)]


def test_merge_update_delete_in_sql(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.sql("CREATE TABLE main.ml.t AS SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(k, v)")
    sql_spark.sql(
        "MERGE INTO main.ml.t t USING (SELECT * FROM VALUES (2, 'B'), (3, 'C') AS s(k, v)) s "
        "ON t.k = s.k WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *"
    )
    sql_spark.sql("UPDATE main.ml.t SET v = 'A' WHERE k = 1")
    sql_spark.sql("DELETE FROM main.ml.t WHERE k = 3")
    assert delta_rows("main.ml.t", ["k", "v"]) == [(1, "A"), (2, "B")]
    assert delta_version("main.ml.t") == 3


def test_merge_update_delete_through_delta_table_for_name(sql_spark) -> None:  # type: ignore[no-untyped-def]
    sql_spark.createDataFrame([(1, "a"), (2, "b")], "k INT, v STRING").write.saveAsTable(
        "main.ml.t"
    )
    table = DeltaTable.forName(sql_spark, "main.ml.t")
    source = sql_spark.createDataFrame([(2, "B"), (3, "C")], "k INT, v STRING")
    (
        table.alias("t")
        .merge(source.alias("s"), "t.k = s.k")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
    )
    table.update("k = 1", {"v": F.lit("A")})
    table.delete("k = 3")
    assert delta_rows("main.ml.t", ["k", "v"]) == [(1, "A"), (2, "B")]
    assert rows(sql_spark.table("main.ml.t")) == [(1, "A"), (2, "B")]
