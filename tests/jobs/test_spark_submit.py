"""A job under real ``spark-submit``: the submitted master is kept, Delta works."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse import config
from lakehouse.catalog import namespace
from tests.spark_submit import conf_args, spark_submit, submit_env

ROOT = config.project_root()


@pytest.mark.slow
def test_demo_job_under_spark_submit(tmp_path: Path) -> None:
    home = tmp_path / "lh"
    env = submit_env(home)
    out = spark_submit(
        *conf_args(env),
        str(ROOT / "jobs" / "demo_data.py"),
        "--rows",
        "40",
        "--days",
        "14",
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "wrote main.demo.orders" in out.stdout
    with config.config_overrides(home=str(home)):
        assert namespace.list_tables("main.demo") == [
            "main.demo.churn_labels",
            "main.demo.customers",
            "main.demo.orders",
        ]


@pytest.mark.slow
def test_spark_submit_without_delta_says_what_to_add(tmp_path: Path) -> None:
    env = submit_env(tmp_path)
    script = tmp_path / "job.py"
    script.write_text("import lakehouse as lh\nlh.spark()\n")
    out = spark_submit(str(script), env=env)
    assert out.returncode != 0
    # spark-submit sends the Python driver's traceback to stdout.
    printed = out.stdout + out.stderr
    assert "SparkSetupError: the active Spark session is not set up for Delta" in printed
    assert "missing the Delta jars on spark.jars / --jars" in printed
