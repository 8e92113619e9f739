"""Lineage: a version records its input tables with Delta versions; time travel reads them back.

Inputs come from the run (``log_input`` in tracking, read at registration) or
are declared with ``register_model(..., inputs=...)``.
"""

from __future__ import annotations

import pytest
from chispa import assert_df_equality

import lakehouse as lh
from lakehouse.registry import LineageInput, RegistryClient
from lakehouse.store.layout import system_table_uri, table_uri


def test_training_data_reads_back_exactly_as_it_was(spark, home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    lh.create_schema("main.demo")
    first = spark.createDataFrame([(1, 0.5, 0), (2, 1.5, 1)], "id long, x double, label int")
    lh.create_table("main.demo.train", first)
    more = spark.createDataFrame([(3, 2.5, 1)], "id long, x double, label int")
    more.write.format("delta").mode("append").save(table_uri("main", "demo", "train"))
    # Trained on the table as it is now (Delta version 1); registered with it as lineage.
    mv = lh.register_model(
        str(make_package("m")), "main.demo.churn_model", inputs=[("main.demo.train", None)]
    )
    trained_on = lh.table("main.demo.train").collect()
    # The table moves on after training.
    spark.createDataFrame([(4, 9.9, 0)], "id long, x double, label int").write.format("delta").mode(
        "overwrite"
    ).save(table_uri("main", "demo", "train"))

    lineage = lh.lineage("main.demo.churn_model", mv.version)
    assert lineage.inputs == [LineageInput(table_name="main.demo.train", version=1)]
    assert (lineage.run_id, lineage.source) == (None, str(make_package("m")))
    (entry,) = lineage.inputs
    name = entry.table_name.split(".")
    then = (
        spark.read.format("delta")
        .option("versionAsOf", entry.version)
        .load(table_uri(name[0], name[1], name[2]))
    )
    assert_df_equality(then, spark.createDataFrame(trained_on, then.schema), ignore_row_order=True)
    assert lh.table("main.demo.train").count() == 1


def test_explicit_versions_and_registry_tables_in_spark(spark, home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    lh.register_model(
        str(make_package("m")), "main.ml.churn", inputs=[("main.fs.features", 7), ("x.y.z", 2)]
    )
    client = RegistryClient()
    client.set_registered_model_alias("main.ml.churn", "champion", 1)
    assert client.lineage("main.ml.churn", 1).inputs == [
        LineageInput(table_name="main.fs.features", version=7),
        LineageInput(table_name="x.y.z", version=2),
    ]
    # The registry is plain Delta: Spark reads what delta-rs wrote.
    versions = spark.read.format("delta").load(system_table_uri("registry", "model_versions"))
    row = versions.where("name = 'main.ml.churn'").collect()[0]
    assert (row.version, row.status, row.deleted) == (1, "READY", False)
    assert [(i.table_name, i.version) for i in row.inputs] == [
        ("main.fs.features", 7),
        ("x.y.z", 2),
    ]
    history = spark.read.format("delta").load(system_table_uri("registry", "alias_history"))
    assert [(r.alias, r.to_version) for r in history.collect()] == [("champion", 1)]
    # And by name, with Spark SQL, through the lakehouse catalog of the `system` tables.
    rows = lh.sql(
        "SELECT v.version, a.alias FROM system.registry.model_versions v "
        "JOIN system.registry.alias_history a ON a.name = v.name AND a.to_version = v.version"
    ).collect()
    assert [(r.version, r.alias) for r in rows] == [(1, "champion")]


def test_runs_uri_records_the_run_and_its_logged_inputs(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    from lakehouse.tracking.client import TrackingClient

    tracking = TrackingClient()
    run = tracking.create_run()
    run_id = run.info.run_id
    tracking.log_artifacts(run_id, make_package("trained"), "model")
    tracking.log_input(run_id, "main.demo.train", version=3)
    tracking.log_input(run_id, "main.demo.labels", version=5)
    mv = lh.register_model(f"runs:/{run_id}/model", "main.demo.churn_model")
    assert (mv.run_id, mv.source) == (run_id, f"runs:/{run_id}/model")
    assert lh.lineage("main.demo.churn_model", mv.version).inputs == [
        LineageInput(table_name="main.demo.train", version=3),
        LineageInput(table_name="main.demo.labels", version=5),
    ]
    assert RegistryClient().search_model_versions(f"run_id = '{run_id}'")[0].version == 1
    with pytest.raises(lh.NotFoundError, match="no MLmodel file"):
        lh.register_model(f"runs:/{run_id}/nothing", "main.demo.churn_model")
