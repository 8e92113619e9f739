"""Shared fixtures: one Spark session for the whole run, a fresh lakehouse root per test."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse import config

# Tests must not pick up a developer's conf/lakehouse.yaml or LAKEHOUSE_* settings.
for _key in [k for k in os.environ if k.startswith("LAKEHOUSE_")]:
    del os.environ[_key]
os.environ["LAKEHOUSE_CONF"] = str(Path(__file__).with_name("no-such-conf.yaml"))

# The JVMs the tests start (spawned writers', spark-submit jobs', notebook kernels') live
# seconds to a minute on a few rows: the C2 compiler's threads only compete for the 2
# cores with the work. C1 alone (the JIT's first tier) halves the demo's wall time here;
# it changes how fast, never what, the JVM computes. A TieredStopAtLevel already in
# JAVA_TOOL_OPTIONS wins (=4 is the JVM's default: C1 and C2). Each worker's own session
# JVM is the exception (see `_full_jit`).
JIT_OPTION = "-XX:TieredStopAtLevel=1"
_USER_JAVA_TOOL_OPTIONS = os.environ.get("JAVA_TOOL_OPTIONS")
if "TieredStopAtLevel" not in os.environ.get("JAVA_TOOL_OPTIONS", ""):
    os.environ["JAVA_TOOL_OPTIONS"] = (
        f"{os.environ.get('JAVA_TOOL_OPTIONS', '')} {JIT_OPTION}".strip()
    )

SESSION_SETTINGS = {
    "spark_master": "local[2]",
    "shuffle_partitions": 2,
    "spark_conf": {"spark.ui.enabled": "false", "spark.driver.memory": "2g"},
}


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("lakehouse-session"))


@contextlib.contextmanager
def _full_jit() -> Iterator[None]:
    """JVMs started inside get the JVM's default JIT (C1, then C2 for hot code).

    A worker's session JVM runs the in-process Spark tests of its whole share (a quarter
    of an hour): there C2's faster code pays for its compiling (C1 alone measured 15%
    slower over tests/sql and the point-in-time tests).
    """
    saved = os.environ.get("JAVA_TOOL_OPTIONS")
    if _USER_JAVA_TOOL_OPTIONS is None:
        os.environ.pop("JAVA_TOOL_OPTIONS", None)
    else:
        os.environ["JAVA_TOOL_OPTIONS"] = _USER_JAVA_TOOL_OPTIONS
    try:
        yield
    finally:
        if saved is not None:
            os.environ["JAVA_TOOL_OPTIONS"] = saved


@pytest.fixture(scope="session")
def spark(session_home: str):  # type: ignore[no-untyped-def]
    """The one SparkSession of the test run (local[2], UI off, small partitions)."""
    from lakehouse.spark import spark as build

    config.set_config(home=session_home, **SESSION_SETTINGS)
    with _full_jit():
        session = build()
    yield session
    session.stop()


@pytest.fixture
def home(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty lakehouse root for one test; returns its URI."""
    # Not "lakehouse": a script run from tmp_path would import that folder as the package.
    root = tmp_path / "lakehouse-root"
    from lakehouse.spark import sync_active_session

    with config.config_overrides(home=str(root), **SESSION_SETTINGS) as cfg:
        sync_active_session()  # Spark SQL resolves catalogs under this root too
        yield cfg.home_uri


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, reorder so that each worker's share starts with its slowest tests."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        from tests.durations import schedule

        items[:] = schedule(items, int(workerinput["workercount"]))
