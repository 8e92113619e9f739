"""A plain PySpark job under ``spark-submit`` speaks the namespace with the project's confs.

The job imports nothing from lakehouse: ``lakehouse spark-conf --submit`` (from
``lakehouse.spark.delta_spark_conf()``) gives the jars, Delta, the catalogs and the root.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import lakehouse as lh
from lakehouse import config
from tests.spark_submit import conf_args, spark_submit, submit_env

JOB = textwrap.dedent(
    """
    from pyspark.sql import SparkSession

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
    """
)


@pytest.mark.slow
def test_a_plain_spark_submit_job_uses_three_part_names(tmp_path: Path) -> None:
    home = tmp_path / "lh"
    with config.config_overrides(home=str(home)):
        lh.create_schema("main.ml")
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
    assert "scored 2" in out.stdout, out.stderr[-3000:]
    assert "refused: cannot write to table system.catalog.schemas: the 'system'" in out.stdout
    with config.config_overrides(home=str(home)):
        assert lh.list_tables("main.ml") == ["main.ml.churn_scores", "main.ml.orders"]
        assert lh.describe_table("main.ml.churn_scores").columns[1].name == "n_orders"
