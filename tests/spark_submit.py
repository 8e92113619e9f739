"""Run a job under the real ``spark-submit`` of the venv, with lakehouse's settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
# A job starts a JVM and Python workers: on a loaded 2-core machine that alone can take
# minutes, so the limit only catches a hung job.
TIMEOUT_SECONDS = 1800


def submit_env(home: Path) -> dict[str, str]:
    """The environment of a job against the root ``home``."""
    return {**os.environ, "LAKEHOUSE_HOME": str(home), "PYSPARK_PYTHON": sys.executable}


def conf_args(env: dict[str, str]) -> list[str]:
    """What ``lakehouse spark-conf --submit`` prints, as arguments."""
    out = subprocess.run(
        [str(BIN / "lakehouse"), "spark-conf", "--submit"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return out.stdout.split()


def spark_submit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``spark-submit --master local[1] <args>`` with the UI off."""
    return subprocess.run(
        [
            str(BIN / "spark-submit"),
            "--master",
            "local[1]",
            "--conf",
            "spark.ui.enabled=false",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_SECONDS,
    )
