"""Counts and keys for the UI's tables, read from the cached run states."""

from __future__ import annotations

import pytest

import lakehouse as lh
from lakehouse.config import get_config
from lakehouse.errors import InvalidArgumentError
from lakehouse.tracking import search
from lakehouse.tracking.entities import ViewType


def _runs(experiment: str, count: int) -> tuple[str, list[str]]:
    exp = lh.set_experiment(experiment)
    ids = []
    for i in range(count):
        with lh.start_run(run_name=f"{experiment}-{i}") as run:
            lh.log_param(f"p{i % 2}", i)
            lh.log_metric("acc", i / 10)
        ids.append(run.info.run_id)
    lh.Client().flush()
    return exp.experiment_id, ids


def test_runs_by_experiment_counts_runs_and_finds_the_newest_time(home: str) -> None:
    first, first_ids = _runs("main.ml.first", 3)
    second, _ = _runs("main.ml.second", 2)
    client = lh.Client()
    client.delete_run(first_ids[0])
    client.flush()
    summary = search.runs_by_experiment(get_config())
    assert summary[first].count == 2
    assert summary[second].count == 2
    newest = max(
        r.info.end_time or r.info.start_time for r in client.search_runs([second], max_results=10)
    )
    assert summary[second].last_time == newest
    assert search.runs_by_experiment(get_config(), ViewType.ALL)[first].count == 3


def test_count_runs_applies_the_filter_and_rejects_a_bad_one(home: str) -> None:
    first, _ = _runs("main.ml.counted", 5)
    _runs("main.ml.other", 2)
    cfg = get_config()
    assert search.count_runs(cfg, [first]) == 5
    assert search.count_runs(cfg, [first], "metrics.acc >= 0.3") == 2
    assert search.count_runs(cfg, None) == 7
    with pytest.raises(InvalidArgumentError, match="metrics.acc >>> 1"):
        search.count_runs(cfg, [first], "metrics.acc >>> 1")


def test_run_keys_lists_the_keys_of_the_experiments_runs_only(home: str) -> None:
    first, _ = _runs("main.ml.keyed", 2)
    other = lh.set_experiment("main.ml.unkeyed")
    with lh.start_run():
        lh.log_param("elsewhere", 1)
        lh.log_metric("loss", 0.5)
    lh.Client().flush()
    keys = search.run_keys(get_config(), [first])
    assert keys["params"] == ["p0", "p1"]
    assert keys["metrics"] == ["acc"]
    assert "mlflow.runName" in keys["tags"]
    everything = search.run_keys(get_config(), [first, other.experiment_id])
    assert everything["params"] == ["elsewhere", "p0", "p1"]
    assert everything["metrics"] == ["acc", "loss"]
