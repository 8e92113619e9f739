"""The command line, run as a real process against a real root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lakehouse as lh

LAKEHOUSE = str(Path(sys.executable).with_name("lakehouse"))


def _run(home: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAKEHOUSE_HOME": home}
    return subprocess.run([LAKEHOUSE, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def filled(home: str, spark) -> str:  # type: ignore[no-untyped-def]
    lh.create_schema("main.ml", comment="ML work")
    lh.create_table(
        "main.ml.scores",
        spark.createDataFrame([(1, 0.5, "2026-01-01")], "id long, score double, day string"),
        comment="Nightly scores",
        partition_by=["day"],
    )
    return home


def test_listings_for_people_and_for_scripts(filled: str) -> None:
    out = _run(filled, "catalogs")
    assert out.returncode == 0 and "main" in out.stdout and "system" in out.stdout
    out = _run(filled, "schemas", "main", "--json")
    assert [s["name"] for s in json.loads(out.stdout)] == ["default", "ml"]
    out = _run(filled, "tables", "main.ml")
    assert "main.ml.scores" in out.stdout and "day" in out.stdout
    out = _run(filled, "describe", "main.ml.scores", "--json")
    desc = json.loads(out.stdout)
    assert desc["comment"] == "Nightly scores" and desc["partition_columns"] == ["day"]
    assert [c["name"] for c in desc["columns"]] == ["id", "score", "day"]
    out = _run(filled, "describe", "main.ml.scores")
    assert "Nightly scores" in out.stdout and "location:" in out.stdout


def test_errors_are_one_clear_line(filled: str) -> None:
    out = _run(filled, "describe", "main.ml.nope")
    assert out.returncode == 2
    assert "error: table main.ml.nope does not exist" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    out = _run(filled, "describe", "main.ml.a/b")
    assert out.returncode == 2 and "part 'a/b' holds '/'" in out.stdout
