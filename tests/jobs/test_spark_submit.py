"""A job under real ``spark-submit``: the submitted master is kept, Delta works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse import config
from lakehouse.catalog import namespace

ROOT = config.project_root()


def _submit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    spark_submit = Path(sys.executable).with_name("spark-submit")
    return subprocess.run(
        [str(spark_submit), *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.slow
def test_demo_job_under_spark_submit(tmp_path: Path) -> None:
    home = tmp_path / "lh"
    env = {**os.environ, "LAKEHOUSE_HOME": str(home), "PYSPARK_PYTHON": sys.executable}
    conf_args = subprocess.run(
        [str(Path(sys.executable).with_name("lakehouse")), "spark-conf", "--submit"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.split()
    out = _submit(
        "--master",
        "local[1]",
        "--conf",
        "spark.ui.enabled=false",
        *conf_args,
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
    env = {**os.environ, "LAKEHOUSE_HOME": str(tmp_path), "PYSPARK_PYTHON": sys.executable}
    script = tmp_path / "job.py"
    script.write_text("import lakehouse as lh\nlh.spark()\n")
    out = _submit("--master", "local[1]", str(script), env=env)
    assert out.returncode != 0
    # spark-submit sends the Python driver's traceback to stdout.
    printed = out.stdout + out.stderr
    assert "SparkSetupError: the active Spark session is not set up for Delta" in printed
    assert "missing the Delta jars on spark.jars / --jars" in printed
