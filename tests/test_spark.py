"""The Spark session: lakehouse's own, or the caller's if it is set up for Delta."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from lakehouse import config
from lakehouse.errors import SparkSetupError
from lakehouse.spark import delta_spark_conf, jar_paths


def test_session_has_delta_safe_commits_and_defaults(spark) -> None:  # type: ignore[no-untyped-def]
    conf = spark.conf
    assert conf.get("spark.delta.logStore.file.impl") == "io.lakehouse.HardLinkLogStore"
    assert conf.get("spark.sql.sources.default") == "delta"
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    assert "DeltaSparkSessionExtension" in conf.get("spark.sql.extensions")
    assert all(j.startswith("/") for j in conf.get("spark.jars").split(","))
    assert conf.get("spark.jars.packages", "") == ""


def test_spark_reuses_the_active_session_and_follows_the_root(spark, home: str) -> None:  # type: ignore[no-untyped-def]
    from lakehouse.spark import spark as get

    assert get() is spark
    assert spark.conf.get("spark.lakehouse.home") == home


def test_missing_jars_say_how_to_fetch_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with (
        config.config_overrides(jars_dir=str(tmp_path)),
        pytest.raises(SparkSetupError, match="Run `make setup`"),
    ):
        jar_paths()


def test_delta_spark_conf_lists_what_spark_submit_needs() -> None:
    conf = delta_spark_conf()
    assert {
        "spark.jars",
        "spark.sql.extensions",
        "spark.sql.catalog.spark_catalog",
        "spark.delta.logStore.file.impl",
    } <= set(conf)
    assert any(j.endswith("lakehouse-jvm.jar") for j in conf["spark.jars"].split(","))


@pytest.mark.slow
def test_a_session_without_delta_gets_a_clear_error() -> None:
    script = textwrap.dedent(
        """
        from pyspark.sql import SparkSession
        SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
        import lakehouse as lh
        try:
            lh.spark()
        except lh.SparkSetupError as exc:
            print("ERROR:", exc)
        """
    )
    env = {"PYSPARK_PYTHON": sys.executable, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env
    )
    assert "ERROR: the active Spark session is not set up for Delta" in out.stdout, out.stderr
    assert "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension" in out.stdout
    assert "restart" in out.stdout


def test_set_home_moves_a_running_session_to_the_new_root(spark, home: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import lakehouse as lh

    other = tmp_path / "other-root"
    with config.config_overrides():
        lh.set_home(str(other))
        assert spark.conf.get("spark.lakehouse.home") == other.as_uri()
        lh.create_schema("main.moved")
        assert "moved" in [r.namespace for r in spark.sql("SHOW SCHEMAS IN main").collect()]
    lh.spark()  # back to the test's root
    assert spark.conf.get("spark.lakehouse.home") == home
