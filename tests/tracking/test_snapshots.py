"""The search cache never goes stale: other processes' appends, compaction, deletes, tags."""

from __future__ import annotations

import pyarrow as pa

import lakehouse as lh
from lakehouse.config import get_config
from lakehouse.tracking import snapshots
from lakehouse.tracking.tables import latest, store_for
from tests.processes import spawned_pool


def _log_elsewhere(home: str, exp_id: str, run_id: str) -> str:
    """In another process: a new metric value for ``run_id`` and a new run."""
    from lakehouse import config

    config.set_config(home=home)
    client = lh.Client()
    client.log_metric(run_id, "acc", 0.99, step=5)
    client.set_tag(run_id, "stage", "tuned")
    new = client.create_run(exp_id, run_name="other-process")
    client.log_param(new.info.run_id, "depth", "9")
    client.log_metric(new.info.run_id, "acc", 0.5)
    client.set_terminated(new.info.run_id)
    client.flush()
    return new.info.run_id


def _search(filter_string: str = "") -> dict[str, float]:
    df = lh.search_runs(filter_string=filter_string, order_by=["metrics.acc DESC"])
    if df.empty:
        return {}
    return dict(zip(df["tags.mlflow.runName"], df["metrics.acc"], strict=True))


def _three_tagged_runs() -> list[str]:
    """Runs r0, r1, r2 with acc 0.0, 0.1, 0.2, each tagged t=x."""
    ids = []
    for i in range(3):
        with lh.start_run(run_name=f"r{i}") as run:
            lh.log_metric("acc", i / 10)
            lh.set_tag("t", "x")
        ids.append(run.info.run_id)
    return ids


def test_search_sees_another_process_append_after_a_cached_search(home: str) -> None:
    exp = lh.set_experiment("main.ml.cache")
    with lh.start_run(run_name="here") as run:
        lh.log_param("depth", "3")
        lh.log_metric("acc", 0.7, step=1)
    assert _search() == {"here": 0.7}
    assert _search("metrics.acc > 0.8") == {}
    with spawned_pool(1) as pool:
        pool.apply(_log_elsewhere, (home, exp.experiment_id, run.info.run_id))
    assert _search() == {"here": 0.99, "other-process": 0.5}
    assert _search("metrics.acc > 0.8") == {"here": 0.99}
    assert _search("params.depth = '9'") == {"other-process": 0.5}
    tagged = lh.search_runs(filter_string="tags.stage = 'tuned'")
    assert list(tagged["tags.mlflow.runName"]) == ["here"]


def test_search_after_compaction_and_delete_matches_a_fresh_read(home: str) -> None:
    lh.set_experiment("main.ml.cache")
    ids = _three_tagged_runs()
    assert _search() == {"r2": 0.2, "r1": 0.1, "r0": 0.0}
    cfg = get_config()
    for name in ("runs", "latest_metrics", "tags"):
        store_for(name, cfg).compact()  # rewrites files: the cache must reload, not duplicate
    lh.Client().delete_run(ids[1])
    lh.Client().delete_tag(ids[0], "t")
    assert _search() == {"r2": 0.2, "r0": 0.0}
    assert len(lh.search_runs(filter_string="tags.t = 'x'")) == 1
    cached = snapshots.current(cfg, "runs")
    snapshots.clear()
    fresh = snapshots.current(cfg, "runs")
    assert cached.sort_by("run_id").equals(fresh.sort_by("run_id"))


def test_latest_keeps_the_last_row_of_repeated_keys_only() -> None:
    rows = pa.table(
        {
            "run_id": ["a", "a", "b", "a", "c", "c"],
            "key": ["k", "k", "k", "j", "k", "k"],
            "value": [1.0, 3.0, 2.0, 5.0, 9.0, 4.0],
            "step": [0, 2, 0, 0, 1, 1],
        }
    )
    out = latest(rows, ("run_id", "key"), ("step", "value"))
    assert out.sort_by([("run_id", "ascending"), ("key", "ascending")]).to_pylist() == [
        {"run_id": "a", "key": "j", "value": 5.0, "step": 0},
        {"run_id": "a", "key": "k", "value": 3.0, "step": 2},
        {"run_id": "b", "key": "k", "value": 2.0, "step": 0},
        {"run_id": "c", "key": "k", "value": 9.0, "step": 1},
    ]


def test_a_repeated_search_sees_changes_to_the_keys_it_filters_on(home: str) -> None:
    lh.set_experiment("main.ml.cache")
    client = lh.Client()
    ids = _three_tagged_runs()
    assert _search("tags.t = 'x' and metrics.acc >= 0.1") == {"r2": 0.2, "r1": 0.1}
    client.delete_tag(ids[2], "t")
    client.log_metric(ids[0], "acc", 0.3, step=1)
    client.flush()
    assert _search("tags.t = 'x' and metrics.acc >= 0.1") == {"r0": 0.3, "r1": 0.1}
    with lh.start_run(run_name="r3"):
        lh.log_metric("acc", 0.9)
        lh.set_tag("t", "x")
    assert _search("tags.t = 'x' and metrics.acc >= 0.1") == {"r3": 0.9, "r0": 0.3, "r1": 0.1}
