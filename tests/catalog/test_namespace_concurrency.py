"""Four processes create one schema and four tables in it at the same moment.

Two create the schema exclusively, two with ``exist_ok``: every kind of collision (two
exclusive creators, an exclusive and a tolerant one, two tolerant ones) is in the race.
Each process starts its own JVM, so more processes add minutes and no new collision; the
test's own process (its session is running already) is the fourth.
"""

from __future__ import annotations

from typing import Any

import pytest

import lakehouse as lh
from lakehouse.catalog import namespace
from tests.processes import SPAWN, spawned_pool

PROCESSES = 4


def _spawned_create(home: str, index: int, exclusive: bool, barrier: Any) -> str:
    """:func:`_create` in a fresh process, with a session of its own."""
    from lakehouse import config

    config.set_config(
        home=home,
        spark_master="local[1]",
        shuffle_partitions=1,
        spark_conf={"spark.ui.enabled": "false"},
    )
    return _create(index, exclusive, barrier)


def _create(index: int, exclusive: bool, barrier: Any) -> str:
    from pyspark.sql import types as T

    from lakehouse.spark import spark

    spark()  # start the JVM before the race
    schema = T.StructType([T.StructField("id", T.LongType())])
    barrier.wait(timeout=600)
    outcome = "created"
    try:
        lh.create_schema("main.race", comment="shared", exist_ok=not exclusive)
    except lh.AlreadyExistsError:
        outcome = "already-exists"
    lh.create_table(f"main.race.t{index}", schema, comment=f"table {index}")
    return outcome


@pytest.mark.slow
def test_four_processes_one_schema_four_tables(spark, home: str) -> None:  # type: ignore[no-untyped-def]
    last = PROCESSES - 1  # this process: a tolerant creator (odd index)
    with SPAWN.Manager() as manager:
        barrier = manager.Barrier(PROCESSES)
        with spawned_pool(last) as pool:
            pending = [
                pool.apply_async(_spawned_create, (home, i, i % 2 == 0, barrier))
                for i in range(last)
            ]
            mine = "not run"
            try:
                mine = _create(last, last % 2 == 0, barrier)
            finally:
                outcomes = [result.get(timeout=1200) for result in pending] + [mine]
    assert [s.full_name for s in lh.list_schemas("main")] == ["main.default", "main.race"]
    assert lh.list_tables("main.race") == [f"main.race.t{i}" for i in range(PROCESSES)]
    rows = [r for r in namespace._schemas_table().read().to_pylist() if r["schema_name"] == "race"]
    assert len(rows) == 1 and rows[0]["comment"] == "shared"
    for i in range(PROCESSES):
        assert lh.describe_table(f"main.race.t{i}").comment == f"table {i}"
    # Exclusive creators (even indexes) got AlreadyExistsError unless they won the race;
    # the others never see an error.
    assert all(outcomes[i] == "created" for i in range(1, PROCESSES, 2))
    assert [outcomes[i] for i in range(0, PROCESSES, 2)].count("created") <= 1
