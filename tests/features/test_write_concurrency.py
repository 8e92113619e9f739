"""Two Spark processes merging into one feature table at once lose nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.features.conftest import day
from tests.processes import race

ROWS = 5
MERGES = 3


def _merge_rows(home: str, worker: int, barrier: Any) -> int:
    from lakehouse import config
    from lakehouse.feature_store import FeatureEngineeringClient
    from lakehouse.spark import spark

    config.set_config(
        home=home,
        spark_master="local[1]",
        shuffle_partitions=1,
        spark_conf={"spark.ui.enabled": "false"},
    )
    session = spark()
    fe = FeatureEngineeringClient()
    frames = [
        session.createDataFrame(
            [(worker * 1000 + m * 100 + i, day(1), float(worker)) for i in range(ROWS)]
            + [(0, day(1), float(worker))],  # one key both workers update
            "id long, ts timestamp, x double",
        )
        for m in range(MERGES)
    ]
    barrier.wait(timeout=300)
    for frame in frames:
        fe.write_table(name="main.default.f", df=frame)
    return MERGES


@pytest.mark.slow
def test_two_writer_processes_lose_nothing(fe, spark, home: str) -> None:  # type: ignore[no-untyped-def]
    seed = spark.createDataFrame([(0, day(1), -1.0)], "id long, ts timestamp, x double")
    fe.create_table(name="main.default.f", primary_keys=["id", "ts"], df=seed)
    assert race(_merge_rows, [(home, 1), (home, 2)]) == [MERGES, MERGES]
    rows = {r["id"]: r["x"] for r in fe.read_table(name="main.default.f").collect()}
    expected = {w * 1000 + m * 100 + i for w in (1, 2) for m in range(MERGES) for i in range(ROWS)}
    assert set(rows) == expected | {0}
    assert rows[0] in (1.0, 2.0)  # the shared key holds one writer's last value
    assert fe.get_table(name="main.default.f").version == 2 * MERGES
