"""Two processes merging into one feature table at once lose nothing.

One writer is the test's own process (its session is running already), the other a
spawned process with its own JVM: two JVMs committing to one Delta log, for the price of
one JVM start (two spawned writers cost 175 CPU-seconds here, this 127). The spawned
writer starts its JVM while the test creates the table; both read the table's location
once it exists, then go together.

Which writer made each version is read back from the Delta history (the shared key holds
the writer's number after each of its merges), and each writer notes the version it saw
before each write: a write whose commit landed more than one version later had the
other writer's commit land while it ran, which is the race this test is about.
"""

from __future__ import annotations

from typing import Any

import pytest
from deltalake import DeltaTable

from lakehouse import paths
from tests.features.conftest import day
from tests.processes import SPAWN, spawned_pool

TABLE = "main.default.f"
ROWS = 3
MERGES = 2
SCHEMA = "id long, ts timestamp, x double"


def _write(worker: int, created: Any, barrier: Any) -> list[int]:
    """Merge ``MERGES`` frames into ``TABLE`` after the barrier; the version before each.

    ``created`` is passed once the table exists (the test's writer creates it).
    """
    from lakehouse.feature_store import FeatureEngineeringClient
    from lakehouse.spark import spark

    session = spark()
    fe = FeatureEngineeringClient()
    frames = [
        session.createDataFrame(
            [(worker * 1000 + m * 100 + i, day(1), float(worker)) for i in range(ROWS)]
            + [(0, day(1), float(worker))],  # one key both workers update
            SCHEMA,
        )
        for m in range(MERGES)
    ]
    created.wait(timeout=600)
    location = paths.to_local_path(fe.get_table(name=TABLE).location)
    barrier.wait(timeout=600)
    before = []
    for frame in frames:
        before.append(DeltaTable(location).version())
        fe.write_table(name=TABLE, df=frame)
    return before


def _spawned_writer(home: str, worker: int, created: Any, barrier: Any) -> list[int]:
    """:func:`_write` in a fresh process, with a session of its own."""
    from lakehouse import config

    config.set_config(
        home=home,
        spark_master="local[1]",
        shuffle_partitions=1,
        spark_conf={"spark.ui.enabled": "false"},
    )
    return _write(worker, created, barrier)


def _writers(location: str, versions: int) -> list[int]:
    """Who made each version 1..``versions``: the shared key's value, read with delta-rs."""
    found = []
    for version in range(1, versions + 1):
        rows = DeltaTable(location, version=version).to_pyarrow_table().to_pylist()
        found.append(int(next(r["x"] for r in rows if r["id"] == 0)))
    return found


@pytest.mark.slow
def test_two_writer_processes_lose_nothing(fe, spark, home: str) -> None:  # type: ignore[no-untyped-def]
    with SPAWN.Manager() as manager:
        created, barrier = manager.Barrier(2), manager.Barrier(2)
        with spawned_pool(1) as pool:
            other = pool.apply_async(_spawned_writer, (home, 2, created, barrier))
            before: dict[int, list[int]] = {}
            try:
                seed = spark.createDataFrame([(0, day(1), -1.0)], SCHEMA)
                fe.create_table(name=TABLE, primary_keys=["id", "ts"], df=seed)
                before[1] = _write(1, created, barrier)
            except BaseException:
                created.abort()  # the spawned writer stops waiting and fails at once
                barrier.abort()
                raise
            finally:
                before[2] = other.get(timeout=1200)
    rows = {r["id"]: r["x"] for r in fe.read_table(name=TABLE).collect()}
    expected = {w * 1000 + m * 100 + i for w in (1, 2) for m in range(MERGES) for i in range(ROWS)}
    assert set(rows) == expected | {0}
    commits = 2 * MERGES
    assert fe.get_table(name=TABLE).version == commits
    writers = _writers(paths.to_local_path(fe.get_table(name=TABLE).location), commits)
    assert sorted(writers) == [1] * MERGES + [2] * MERGES, writers
    assert rows[0] == writers[-1]  # the shared key holds the last writer's value
    # A write that committed more than one version after the one it saw: the other
    # writer committed while it ran. The first writes start together, so one must.
    raced = [
        (w, version)
        for w in (1, 2)
        for seen, version in zip(
            before[w], [v for v, by in enumerate(writers, 1) if by == w], strict=True
        )
        if version > seen + 1
    ]
    assert raced, f"no write overlapped the other writer's commit: {writers}, {before}"
