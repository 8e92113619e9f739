"""Spark SQL over the system.tracking.* Delta tables answers like search_runs."""

from __future__ import annotations

from typing import Any

import lakehouse as lh

# Current state per run (runs and tags are append-only; the latest row wins),
# latest metric per (run, key) as MLflow defines it, params as logged.
QUESTION = """
WITH runs AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (
      PARTITION BY run_id ORDER BY updated_at DESC, writer_id DESC, seq DESC) AS rn
    FROM system.tracking.runs) WHERE rn = 1 AND lifecycle_stage = 'active'),
metrics AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (
      PARTITION BY run_id, key ORDER BY step DESC, timestamp DESC, value DESC) AS rn
    FROM system.tracking.latest_metrics) WHERE rn = 1)
SELECT r.run_id, m.value AS accuracy
FROM runs r
JOIN metrics m ON m.run_id = r.run_id AND m.key = 'accuracy'
JOIN system.tracking.params p ON p.run_id = r.run_id AND p.key = 'depth'
WHERE r.experiment_id = '{exp_id}' AND r.status = 'FINISHED'
  AND m.value > 0.6 AND p.value IN ('2', '3')
ORDER BY m.value DESC
"""


def _five_runs() -> str:
    """Runs with depth 1..5 and accuracy 0.6..1.0 (two points each); the last run's id."""
    for depth in range(1, 6):
        with lh.start_run() as run:
            lh.log_param("depth", depth)
            lh.log_metric("accuracy", 0.5, step=0)
            lh.log_metric("accuracy", 0.5 + depth / 10, step=1)
    return run.info.run_id


def _assert_sql_answers_like_search(spark: Any, exp_id: str) -> None:
    expected = lh.search_runs(
        filter_string="attributes.status = 'FINISHED' AND metrics.accuracy > 0.6 "
        "AND params.depth IN ('2', '3')",
        order_by=["metrics.accuracy DESC"],
    )
    lh.Client().flush()
    got = spark.sql(QUESTION.format(exp_id=exp_id)).collect()
    assert [(r.run_id, r.accuracy) for r in got] == list(
        zip(expected["run_id"], expected["metrics.accuracy"], strict=True)
    )
    assert len(got) == 2


def test_spark_sql_equals_search_runs(spark: Any, home: str) -> None:
    exp = lh.set_experiment("main.ml.sql")
    last = _five_runs()
    lh.delete_run(last)  # deleted runs are left out by both
    client = lh.Client()
    running = client.create_run(exp.experiment_id).info.run_id  # never ended: RUNNING
    client.log_param(running, "depth", 3)
    client.log_metric(running, "accuracy", 0.99)
    _assert_sql_answers_like_search(spark, exp.experiment_id)
    spark_df = lh.search_runs(filter_string="params.depth = '2'", output_format="spark")
    assert spark_df.select("`metrics.accuracy`").collect()[0][0] == 0.7


def test_spark_sql_reads_compacted_tables_and_later_appends(spark: Any, home: str) -> None:
    from lakehouse.config import get_config
    from lakehouse.tracking import maintenance

    exp = lh.set_experiment("main.ml.sql_compacted")
    last = _five_runs()
    lh.Client().flush()
    results = {r.table: r.mode for r in maintenance.compact(get_config(), full=True)}
    assert results["runs"] == results["latest_metrics"] == "full"
    lh.delete_run(last)  # appended after the compaction: supersedes a resolved row
    lh.Client().flush()
    counts = spark.sql(
        "SELECT (SELECT count(*) FROM system.tracking.latest_metrics) AS metrics, "
        "(SELECT count(*) FROM system.tracking.runs) AS runs"
    ).first()
    assert (counts.metrics, counts.runs) == (5, 6)  # one row per run and key; one new state
    _assert_sql_answers_like_search(spark, exp.experiment_id)
