"""Tracking benchmark: lakehouse vs MLflow's SQLite store, side by side in one run.

Measures (issue 5): log_metric calls per second one at a time; log_batch points per
second; ``search_runs`` with a filter and ``order_by`` (top 100) and a listing of all
runs into pandas over N runs (10 params, 5 metrics each); ``import`` times.

Run sets of N runs are loaded in bulk (straight into the Delta tables for lakehouse,
straight into MLflow's SQLite tables for MLflow, after MLflow created its schema):
loading is set-up, not what is measured.

    .venv/bin/python benchmarks/tracking_bench.py --sizes 5000,100000 --mlflow-max 100000
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILTER = "metrics.m0 > 0.5 and params.p1 = 'v3'"
ORDER = ["metrics.m1 DESC"]
PARAMS, METRICS = 10, 5


def _timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def import_time(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


# -- lakehouse ----------------------------------------------------------------------------
def lh_logging(root: str, calls: int, batches: int) -> dict[str, float]:
    import lakehouse as lh
    from lakehouse.tracking.entities import Metric

    lh.set_home(root)
    client = lh.Client()
    run_id = client.create_run().info.run_id
    t = time.perf_counter()
    for i in range(calls):
        client.log_metric(run_id, "m", float(i), step=i)
    calls_s = time.perf_counter() - t
    client.flush()
    durable_s = time.perf_counter() - t
    now = int(time.time() * 1000)
    t = time.perf_counter()
    for b in range(batches):
        batch = [
            Metric(key="b", value=float(i), timestamp=now, step=b * 1000 + i) for i in range(1000)
        ]
        client.log_batch(run_id, metrics=batch)
    client.flush()
    batch_s = time.perf_counter() - t
    return {
        "log_metric/s": calls / calls_s,
        "log_metric/s incl. commit": calls / durable_s,
        "log_batch points/s (incl. commit)": batches * 1000 / batch_s,
    }


def lh_load(root: str, n: int) -> str:
    """Bulk-load n finished runs into system.tracking.* (set-up only)."""
    import numpy as np
    import pyarrow as pa

    import lakehouse as lh
    from lakehouse.tracking.tables import SPECS, store_for

    lh.set_home(root)
    exp_id = lh.set_experiment(f"main.bench.n{n}").experiment_id
    rng = np.random.default_rng(0)
    ids = [uuid.uuid4().hex for _ in range(n)]
    now = int(time.time() * 1_000_000)
    chunk = 200_000
    for lo in range(0, n, chunk):
        part = ids[lo : lo + chunk]
        k = len(part)
        start = pa.array(np.arange(lo, lo + k) * 1000 + now - n * 1000, pa.int64())
        runs = {
            "run_id": part,
            "experiment_id": [exp_id] * k,
            "run_name": part,
            "status": ["FINISHED"] * k,
            "start_time": start,
            "end_time": start,
            "user_id": ["bench"] * k,
            "artifact_uri": ["file:///tmp/a"] * k,
            "lifecycle_stage": ["active"] * k,
            "updated_at": start,
            "writer_id": ["bench"] * k,
            "seq": pa.array(np.arange(lo, lo + k), pa.int64()),
        }
        store_for("runs").append(pa.table(runs).cast(SPECS["runs"].schema))
        p_run = [r for r in part for _ in range(PARAMS)]
        params = {
            "run_id": p_run,
            "key": [f"p{j}" for _ in part for j in range(PARAMS)],
            "value": [f"v{x}" for x in rng.integers(0, 10, k * PARAMS)],
            "logged_at": pa.array([now] * (k * PARAMS), pa.int64()),
            "writer_id": ["bench"] * (k * PARAMS),
            "seq": pa.array(np.arange(k * PARAMS), pa.int64()),
        }
        store_for("params").append(pa.table(params).cast(SPECS["params"].schema))
        m_run = [r for r in part for _ in range(METRICS)]
        metrics = {
            "run_id": m_run,
            "key": [f"m{j}" for _ in part for j in range(METRICS)],
            "value": rng.random(k * METRICS),
            "timestamp": pa.array([now // 1000] * (k * METRICS)),
            "step": pa.array([0] * (k * METRICS), pa.int64()),
            "writer_id": ["bench"] * (k * METRICS),
            "seq": pa.array(np.arange(k * METRICS), pa.int64()),
        }
        for name in ("metrics", "latest_metrics"):
            store_for(name).append(pa.table(metrics).cast(SPECS[name].schema))
    return exp_id


def lh_search(root: str, exp_id: str) -> dict[str, float]:
    """Searches as loaded (one row per key, but never compacted), then after compaction."""
    import lakehouse as lh
    from lakehouse.config import get_config
    from lakehouse.tracking import maintenance, snapshots

    lh.set_home(root)
    search = lambda: lh.search_runs([exp_id], FILTER, order_by=ORDER, max_results=100)  # noqa: E731
    # The first search of a process loads the tables into the snapshot cache.
    snapshots.clear()
    first_raw = _timed(search, repeat=1)
    t = time.perf_counter()
    for result in maintenance.compact(get_config()):
        print(f"  {result}", flush=True)
    compact_s = time.perf_counter() - t
    snapshots.clear()
    first = _timed(search, repeat=1)
    top = _timed(search)
    cache_mb = snapshots.cached_bytes() / 2**20
    full = _timed(lambda: lh.search_runs([exp_id], max_results=10**9), repeat=1)
    return {
        "search top100": top,
        "search top100, first call": first,
        "search top100, first call before compaction": first_raw,
        "compaction of the tracking tables": compact_s,
        "search cache after top100 (MiB)": cache_mb,
        "all runs -> pandas": full,
    }


# -- mlflow -------------------------------------------------------------------------------
def mlflow_logging(root: str, calls: int, batches: int) -> dict[str, float]:
    import mlflow
    from mlflow.entities import Metric

    client = mlflow.MlflowClient(f"sqlite:///{root}/mlflow.db")
    run_id = client.create_run(client.create_experiment("log")).info.run_id
    t = time.perf_counter()
    for i in range(calls):
        client.log_metric(run_id, "m", float(i), step=i)
    calls_s = time.perf_counter() - t
    now = int(time.time() * 1000)
    t = time.perf_counter()
    for b in range(batches):
        batch = [Metric("b", float(i), now, b * 1000 + i) for i in range(1000)]
        client.log_batch(run_id, metrics=batch)
    batch_s = time.perf_counter() - t
    return {
        "log_metric/s": calls / calls_s,
        "log_batch points/s (incl. commit)": batches * 1000 / batch_s,
    }


def mlflow_load(root: str, n: int) -> str:
    import mlflow
    import numpy as np

    client = mlflow.MlflowClient(f"sqlite:///{root}/mlflow.db")
    exp_id = client.create_experiment(f"n{n}")
    rng = np.random.default_rng(0)
    con = sqlite3.connect(f"{root}/mlflow.db")
    now = int(time.time() * 1000)
    ids = [uuid.uuid4().hex for _ in range(n)]
    con.executemany(
        "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id,"
        " status, start_time, end_time, source_version, lifecycle_stage, artifact_uri,"
        " experiment_id) VALUES (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, '', 'active',"
        " '/tmp/a', ?)",
        [(r, r, now - n + i, now - n + i, int(exp_id)) for i, r in enumerate(ids)],
    )
    pv = rng.integers(0, 10, n * PARAMS)
    con.executemany(
        "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
        [(f"p{j}", f"v{pv[i * PARAMS + j]}", r) for i, r in enumerate(ids) for j in range(PARAMS)],
    )
    mv = rng.random(n * METRICS)
    rows = [
        (f"m{j}", float(mv[i * METRICS + j]), now, r, 0, False)
        for i, r in enumerate(ids)
        for j in range(METRICS)
    ]
    con.executemany(
        "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?,?,?,?,?,?)",
        rows,
    )
    con.executemany(
        "INSERT INTO latest_metrics (key, value, timestamp, run_uuid, step, is_nan)"
        " VALUES (?,?,?,?,?,?)",
        rows,
    )
    con.executemany(
        "INSERT INTO tags (key, value, run_uuid) VALUES ('mlflow.runName', ?, ?)",
        [(r, r) for r in ids],
    )
    con.commit()
    con.close()
    return exp_id


def mlflow_search(root: str, exp_id: str, full_listing: bool) -> dict[str, float]:
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root}/mlflow.db")
    top = _timed(
        lambda: mlflow.search_runs([exp_id], FILTER, order_by=ORDER, max_results=100), repeat=2
    )
    out = {"search top100": top}
    if full_listing:
        out["all runs -> pandas"] = _timed(
            lambda: mlflow.search_runs([exp_id], max_results=10**9), repeat=1
        )
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="5000,100000")
    ap.add_argument("--mlflow-max", type=int, default=100000, help="largest N run for MLflow")
    ap.add_argument("--mlflow-listing-max", type=int, default=5000)
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--mlflow-calls", type=int, default=500)
    ap.add_argument("--batches", type=int, default=20)
    args = ap.parse_args(argv)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    rows: list[tuple[str, str, float, float | None]] = []
    rows.append(("import time (s)", "", import_time("lakehouse"), import_time("mlflow")))
    with tempfile.TemporaryDirectory() as tmp:
        lh_root, ml_root = f"{tmp}/lh", f"{tmp}/ml"
        Path(ml_root).mkdir()
        a = lh_logging(lh_root, args.calls, args.batches)
        b = mlflow_logging(ml_root, args.mlflow_calls, max(2, args.batches // 4))
        rows.append(("log_metric calls/s", "", a["log_metric/s"], b["log_metric/s"]))
        rows.append(
            ("log_metric calls/s incl. final commit", "", a["log_metric/s incl. commit"], None)
        )
        key = "log_batch points/s (incl. commit)"
        rows.append((key, "", a[key], b[key]))
        for n in [int(s) for s in args.sizes.split(",")]:
            t = time.perf_counter()
            exp = lh_load(lh_root, n)
            print(f"loaded {n} runs into lakehouse in {time.perf_counter() - t:.1f}s", flush=True)
            ours = lh_search(lh_root, exp)
            theirs: dict[str, float] = {}
            if n <= args.mlflow_max:
                t = time.perf_counter()
                mexp = mlflow_load(ml_root, n)
                print(f"loaded {n} runs into MLflow in {time.perf_counter() - t:.1f}s", flush=True)
                theirs = mlflow_search(ml_root, mexp, n <= args.mlflow_listing_max)
            for key in (
                "search top100",
                "search top100, first call",
                "search top100, first call before compaction",
                "compaction of the tracking tables",
                "all runs -> pandas",
            ):
                rows.append((f"{key} (s)", f"{n:,}", ours[key], theirs.get(key)))
            key = "search cache after top100 (MiB)"
            rows.append((key, f"{n:,}", ours[key], None))
            _print(rows)
    _print(rows)


def _print(rows: list[tuple[str, str, float, float | None]]) -> None:
    print("\n| measure | runs | lakehouse | mlflow 3.17.2 (SQLite) | ratio |")
    print("|---|---|---|---|---|")
    for name, n, ours, theirs in rows:
        if theirs is None:
            ratio = "-"
        elif "/s" in name and "(s)" not in name:
            ratio = f"{ours / theirs:,.1f}x"
        else:
            ratio = f"{theirs / ours:,.1f}x faster"
        fmt = (
            (lambda v: f"{v:,.0f}")
            if "/s" in name and "(s)" not in name
            else (lambda v: f"{v:.3f}")
        )
        print(
            f"| {name} | {n} | {fmt(ours)} | {'-' if theirs is None else fmt(theirs)} | {ratio} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
