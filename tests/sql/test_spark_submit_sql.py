"""Spark SQL under ``spark-submit`` with the project's confs: one job, two parts.

Part 1 is a plain PySpark job that imports nothing from lakehouse: ``lakehouse spark-conf
--submit`` (from ``lakehouse.spark.delta_spark_conf()``) gives the jars, Delta, the
catalogs and the root, so three-part names work and ``system`` refuses writes.

Part 2 runs schema statements in the same JVM: before lakehouse's Python side is attached
only those with no metadata to keep are allowed (CREATE SCHEMA without a comment); the
others are refused with a clear error. After ``lh.spark()`` they write
``system.catalog.schemas`` like any session's statements (tests/sql/
test_schema_metadata_sql.py has the in-process cases).

One ``spark-submit`` runs both parts: each job pays a JVM start and Delta's warm-up.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import lakehouse as lh
from lakehouse import config
from lakehouse.config import username
from tests.spark_submit import conf_args, spark_submit, submit_env

JOB = textwrap.dedent(
    """
    import re
    import sys

    from pyspark.sql import SparkSession

    # Part 1: a plain job, nothing of lakehouse imported.
    spark = SparkSession.builder.getOrCreate()
    orders = spark.createDataFrame(
        [(1, 10.0), (1, 5.0), (2, 7.5)], "customer_id INT, amount DOUBLE"
    )
    orders.write.saveAsTable("main.ml.orders")
    features = spark.sql(
        "SELECT customer_id, count(*) AS n_orders FROM main.ml.orders GROUP BY customer_id"
    )
    features.write.saveAsTable("main.ml.churn_scores")
    print("scored", spark.table("main.ml.churn_scores").count())
    try:
        spark.sql("INSERT INTO system.catalog.schemas SELECT * FROM system.catalog.schemas")
    except Exception as exc:
        print("refused:", str(exc).splitlines()[0])
    print("lakehouse imported:", any(m.split(".")[0] == "lakehouse" for m in sys.modules))

    # Part 2: schema statements, before and after lakehouse's Python side is attached.
    spark.sql("CREATE SCHEMA main.plain")  # no metadata to keep: allowed
    for statement in ("CREATE SCHEMA main.noted COMMENT 'x'", "DROP SCHEMA main.old"):
        try:
            spark.sql(statement)
        except Exception as exc:
            print("refused:", re.search(r"cannot [^:]*", str(exc)).group(0))

    import lakehouse as lh

    spark = lh.spark()  # attaches lakehouse's Python side to this JVM
    spark.sql("CREATE SCHEMA main.noted COMMENT 'made in a job'")
    spark.sql("DROP SCHEMA main.old")
    spark.sql("COMMENT ON SCHEMA main.plain IS 'adopted'")
    print("done")
    """
)


@pytest.mark.slow
def test_spark_submit_job_uses_three_part_names_and_schema_statements(tmp_path: Path) -> None:
    home = tmp_path / "lh"
    with config.config_overrides(home=str(home)):
        lh.create_schema("main.ml")
        lh.create_schema("main.old", comment="old team")
    env = submit_env(home)
    args = conf_args(env)
    assert "spark.sql.catalog.main=io.lakehouse.LakehouseCatalog" in args
    assert (
        "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension,"
        "io.lakehouse.LakehouseExtensions"
    ) in args
    job = tmp_path / "job.py"
    job.write_text(JOB)
    out = spark_submit(*args, str(job), env=env)
    assert "done" in out.stdout, out.stdout[-2000:] + out.stderr[-3000:]
    # Part 1: the plain job.
    assert "scored 2" in out.stdout
    assert "refused: cannot write to table system.catalog.schemas: the 'system'" in out.stdout
    assert "lakehouse imported: False" in out.stdout
    # Part 2: refused without lakehouse's Python side, recorded with it.
    assert "refused: cannot create schema with a comment in this session" in out.stdout
    assert "refused: cannot drop schema 'main.old' in this session" in out.stdout
    with config.config_overrides(home=str(home)):
        assert lh.list_tables("main.ml") == ["main.ml.churn_scores", "main.ml.orders"]
        assert lh.describe_table("main.ml.churn_scores").columns[1].name == "n_orders"
        listed = sorted((s.name, s.comment, s.owner) for s in lh.list_schemas("main"))
        assert listed == [
            ("default", "The default schema.", username()),
            ("ml", None, username()),
            ("noted", "made in a job", username()),
            ("plain", "adopted", None),
        ]
