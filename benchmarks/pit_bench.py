"""Point-in-time training sets: lakehouse's create_training_set against its peers, one run.

A spine (customer key, time, label) gets the newest row at or before its time from
two feature tables. Side by side, each in a fresh process (so time and peak memory
are its own):

* ``lakehouse``: ``FeatureEngineeringClient.create_training_set`` with two
  timestamp lookups, ``load_df()``;
* ``naive``: range join (key equal, feature time <= spine time) + ``row_number``;
* ``tempo``: dbl-tempo's ``TSDF.asofJoin`` (``skipNulls=False``: whole newest row);
* ``pandas``: ``pandas.merge_asof`` in one process (the single-process reference);
  its time is the sort and the two joins, the tables already in memory (loading them
  with delta-rs is reported beside it as ``pandas+load``);
* ``limit``: no join at all, only what any one-shuffle Spark as-of join must do: scan
  the spine and both tables, shuffle them by key and sort each key's rows by time (the
  raw limit for Spark on this machine).

Every method ends in the same aggregate (rows, sums of one feature of each table),
so Spark cannot skip work and the answers can be compared. Two shapes: ``uniform``
(at ``--scale 1``: 1M spine rows, 2 x 10M feature rows, 200k keys, ~50 rows per key)
and ``skewed`` (4 hot keys hold 20% of the feature rows, 500k each at scale 1, and
20% of the spine). Time excludes data generation and process start; memory is the
peak RSS of the method's process tree (Python and the JVM), sampled every 50 ms. CPU
seconds (user + system of the process tree, over the timed part) are reported beside
wall time: on a machine shared with other work they move far less, so the ratios are
of CPU seconds. A ``--home`` that already holds a shape's tables is reused.

    .venv/bin/python benchmarks/pit_bench.py --scale 0.05
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

METHODS = ("lakehouse", "window", "naive", "tempo", "pandas", "limit")
SHAPES = ("uniform", "skewed")
SPAN_SECONDS = 365 * 86400
START = "2025-01-01 00:00:00"


# -- sizes and data ----------------------------------------------------------------------
def sizes(scale: float) -> dict[str, int]:
    """Row counts at ``scale`` (1.0 = the issue's reference sizes)."""
    return {
        "spine": max(100, int(1_000_000 * scale)),
        "features": max(1000, int(10_000_000 * scale)),
        "keys": max(10, int(200_000 * scale)),
        "hot_keys": 4,
    }


def _feature_part(spark: Any, rows: int, keys: int, key_offset: int, seed: int) -> Any:
    """``rows`` feature rows over ``keys`` keys, evenly spread over a year (unique per key)."""
    from pyspark.sql import functions as F

    per_key = max(1, rows // keys)
    step = SPAN_SECONDS / per_key
    seq = F.floor(F.col("id") / keys)
    jitter = F.floor(F.rand(seed) * step * 0.9)
    return spark.range(rows).select(
        (F.col("id") % keys + key_offset).alias("key"),
        (F.unix_timestamp(F.lit(START)) + F.floor(seq * step) + jitter)
        .cast("timestamp")
        .alias("ts"),
        F.rand(seed + 1).alias("x"),
        F.when(F.rand(seed + 2) < 0.05, None).otherwise(F.rand(seed + 3)).alias("y"),
    )


def feature_table(spark: Any, shape: str, n: dict[str, int], seed: int) -> Any:
    """One feature table of ``shape`` (see the module doc)."""
    if shape == "uniform":
        return _feature_part(spark, n["features"], n["keys"], 0, seed)
    hot_rows = n["features"] // 5
    cold = _feature_part(spark, n["features"] - hot_rows, n["keys"], n["hot_keys"], seed)
    return cold.unionByName(_feature_part(spark, hot_rows, n["hot_keys"], 0, seed + 10))


def spine(spark: Any, shape: str, n: dict[str, int]) -> Any:
    """Spine rows: a key, a time within the year, a label; duplicates possible."""
    from pyspark.sql import functions as F

    hot = F.rand(7) < (0.2 if shape == "skewed" else 0.0)
    cold_key = F.floor(F.rand(8) * n["keys"]) + (n["hot_keys"] if shape == "skewed" else 0)
    return spark.range(n["spine"]).select(
        F.when(hot, F.floor(F.rand(9) * n["hot_keys"]))
        .otherwise(cold_key)
        .cast("long")
        .alias("key"),
        (F.unix_timestamp(F.lit(START)) + F.floor(F.rand(10) * SPAN_SECONDS))
        .cast("timestamp")
        .alias("ts"),
        (F.rand(11) < 0.3).cast("int").alias("label"),
    )


# -- one process per step -------------------------------------------------------------------
def _session(args: argparse.Namespace) -> Any:
    import lakehouse as lh
    from lakehouse import config

    config.set_config(
        home=args.home,
        spark_master=args.master,
        shuffle_partitions=args.shuffle_partitions,
        spark_conf={
            "spark.driver.memory": args.driver_memory,
            "spark.ui.enabled": "false",
            "spark.sql.adaptive.enabled": "true",
        },
    )
    return lh.spark()


def _names(shape: str) -> tuple[str, str, str]:
    return (f"main.pit_{shape}.f1", f"main.pit_{shape}.f2", f"main.pit_{shape}.spine")


def generate(args: argparse.Namespace) -> dict[str, Any]:
    """Write the spine and both feature tables of ``args.shape`` (not timed in results)."""
    from lakehouse.catalog import namespace
    from lakehouse.feature_store import FeatureEngineeringClient

    spark = _session(args)
    n = sizes(args.scale)
    f1, f2, sp = _names(args.shape)
    namespace.create_schema(f"main.pit_{args.shape}")
    fe = FeatureEngineeringClient()
    for name, seed in ((f1, 1), (f2, 100)):
        df = feature_table(spark, args.shape, n, seed)
        if name.endswith("f2"):
            df = df.withColumnRenamed("x", "z").withColumnRenamed("y", "w")
        fe.create_table(name=name, primary_keys=["key", "ts"], timeseries_column="ts", df=df)
    namespace.create_table(sp, spine(spark, args.shape, n), mode="overwrite")
    return {"sizes": n}


def _aggregate(df: Any) -> dict[str, Any]:
    from pyspark.sql import functions as F

    row = df.agg(
        F.count(F.lit(1)).alias("rows"),
        F.sum("x").alias("sum_x"),
        F.sum("z").alias("sum_z"),
        F.count("x").alias("found_x"),
        # A model trains on every feature: counting y and w keeps Spark from pruning them.
        (F.count("y") + F.count("w")).alias("found_yw"),
    ).collect()[0]
    return row.asDict()


def _lakehouse(spark: Any, shape: str) -> Any:
    from lakehouse.feature_store import FeatureEngineeringClient, FeatureLookup

    f1, f2, sp = _names(shape)
    fe = FeatureEngineeringClient()
    lookups = [
        FeatureLookup(table_name=f1, lookup_key="key", timestamp_lookup_key="ts"),
        FeatureLookup(table_name=f2, lookup_key="key", timestamp_lookup_key="ts"),
    ]
    training = fe.create_training_set(df=spark.table(sp), feature_lookups=lookups, label="label")
    return training.load_df()


def _window(spark: Any, shape: str) -> Any:
    """lakehouse's join with the window in place of the AsOfFill operator (its fallback)."""
    spark.conf.set("spark.lakehouse.pit.operator", "window")
    return _lakehouse(spark, shape)


def _naive(spark: Any, shape: str) -> Any:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    f1, f2, sp = _names(shape)
    out = spark.table(sp).withColumn("_rid", F.monotonically_increasing_id())
    for name in (f1, f2):
        feats = spark.table(name).withColumnRenamed("key", "_fk").withColumnRenamed("ts", "_fts")
        joined = out.join(
            feats, (out["key"] == feats["_fk"]) & (feats["_fts"] <= out["ts"]), "left"
        )
        newest = Window.partitionBy("_rid").orderBy(F.col("_fts").desc_nulls_last())
        out = (
            joined.withColumn("_rn", F.row_number().over(newest))
            .where("_rn = 1")
            .drop("_rn", "_fk", "_fts")
        )
    return out.drop("_rid")


def _tempo(spark: Any, shape: str) -> Any:
    from tempo import TSDF

    f1, f2, sp = _names(shape)
    left = TSDF(spark.table(sp), ts_col="ts", partition_cols=["key"])
    for name, prefix in ((f1, "a"), (f2, "b")):
        right = TSDF(spark.table(name), ts_col="ts", partition_cols=["key"])
        left = left.asofJoin(right, right_prefix=prefix, skipNulls=False)
    df = left.df
    renames = {"a_x": "x", "a_y": "y", "b_z": "z", "b_w": "w"}
    return df.withColumnsRenamed(renames)


def _limit(spark: Any, shape: str) -> Any:
    """The same rows through one shuffle by key and a sort by (key, time): no join."""
    from pyspark.sql import functions as F

    f1, f2, sp = _names(shape)
    columns = ("label", "x", "y", "z", "w")

    def leg(table: str, own: tuple[str, ...]) -> Any:
        nulls = [F.lit(None).cast("double").alias(c) for c in columns if c not in own]
        return spark.table(table).select("key", "ts", *own, *nulls).select("key", "ts", *columns)

    union = leg(sp, ("label",)).unionByName(leg(f1, ("x", "y"))).unionByName(leg(f2, ("z", "w")))
    return union.repartition("key").sortWithinPartitions("key", "ts")


def _pandas_run(args: argparse.Namespace) -> dict[str, Any]:
    """Load with delta-rs (timed apart), then sort + two merge_asof (timed)."""
    import pandas as pd
    from deltalake import DeltaTable

    from lakehouse.catalog import namespace
    from lakehouse.config import set_config

    set_config(home=args.home)
    loading, loading_cpu = time.perf_counter(), _cpu_seconds()
    frames = [
        DeltaTable(namespace.describe_table(n).location).to_pandas() for n in _names(args.shape)
    ]
    f1, f2, sp = frames
    started, started_cpu = time.perf_counter(), _cpu_seconds()
    out = sp.sort_values("ts", kind="stable")
    for feats in (f1, f2):
        out = pd.merge_asof(out, feats.sort_values("ts"), on="ts", by="key", direction="backward")
    result = {
        "rows": len(out),
        "sum_x": float(out["x"].sum()),
        "sum_z": float(out["z"].sum()),
        "found_x": int(out["x"].notna().sum()),
        "found_yw": int(out["y"].notna().sum() + out["w"].notna().sum()),
    }
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu_seconds() - started_cpu,
        "load_seconds": started - loading,
        "load_cpu_seconds": started_cpu - loading_cpu,
        "result": result,
    }


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its live children (the JVM, Python
    workers): unlike wall time, barely moved by other work on the machine."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = p.cpu_times()
            total += times.user + times.system
    return total


def run_method(args: argparse.Namespace) -> dict[str, Any]:
    """Time one method on one shape in this process."""
    if args.step == "pandas":
        return _pandas_run(args)
    spark = _session(args)
    build = {
        "lakehouse": _lakehouse,
        "window": _window,
        "naive": _naive,
        "tempo": _tempo,
        "limit": _limit,
    }[args.step]
    runs = []
    for _ in range(args.repeat):  # the first run is cold (a fresh JVM), the others warm
        cpu, started = _cpu_seconds(), time.perf_counter()
        result = _aggregate(build(spark, args.shape))
        seconds = time.perf_counter() - started
        runs.append({"seconds": seconds, "cpu_seconds": _cpu_seconds() - cpu, "result": result})
    data = runs[0]
    if runs[1:]:
        data["warm"] = min(runs[1:], key=lambda r: r["cpu_seconds"])
    return data


# -- the orchestrator -------------------------------------------------------------------------
def _peak_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    import psutil

    root = psutil.Process(pid)
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            total = 0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            peak[0] = max(peak[0], total)
        except psutil.Error:
            return
        stop.wait(0.05)


def _child(args: argparse.Namespace, step: str, shape: str) -> dict[str, Any]:
    import psutil

    out_file = Path(args.home.removeprefix("file://")) / f"result-{step}-{shape}.json"
    command = [
        sys.executable,
        __file__,
        "--worker",
        step,
        "--shape",
        shape,
        "--out",
        str(out_file),
        *args.passthrough,
    ]
    stop, peak = threading.Event(), [0]
    process = subprocess.Popen(command, env={**os.environ, "PYSPARK_PYTHON": sys.executable})
    sampler = threading.Thread(target=_peak_rss, args=(process.pid, stop, peak), daemon=True)
    sampler.start()
    try:
        code = process.wait(timeout=args.timeout if step != "generate" else None)
    except subprocess.TimeoutExpired:
        for child in psutil.Process(process.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
        process.kill()
        process.wait()
        return {"error": f"stopped after {args.timeout:.0f} s", "timeout": args.timeout}
    finally:
        stop.set()
        sampler.join()
    if code != 0 or not out_file.exists():
        return {"error": f"exit code {code}"}
    data: dict[str, Any] = json.loads(out_file.read_text())
    data["peak_rss_gib"] = peak[0] / 2**30
    return data


def _row(method: str, shape: str, data: dict[str, Any], bases: dict[str, float]) -> list[str]:
    """Table rows for one method; ratios are of CPU seconds to lakehouse's (cold to cold,
    warm to warm)."""
    if "error" in data:
        return [f"| {shape} | {method} | {data['error']} | | | | | |"]

    def ratio(cpu: float, kind: str = "cold") -> str:
        return f"{cpu / bases[kind]:.2f}x" if bases.get(kind) else ""

    r = data["result"]
    rows = [
        f"| {shape} | {method} | {data['seconds']:.1f} | {data['cpu_seconds']:.1f} | "
        f"{ratio(data['cpu_seconds'])} | {data['peak_rss_gib']:.2f} | "
        f"{r['rows']:,} | {r['found_x']:,} / {r['sum_x']:.3f} / {r.get('found_yw', 0):,} |"
    ]
    if "load_seconds" in data:
        wall = data["seconds"] + data["load_seconds"]
        cpu = data["cpu_seconds"] + data["load_cpu_seconds"]
        rows.append(f"| {shape} | {method}+load | {wall:.1f} | {cpu:.1f} | {ratio(cpu)} | | | |")
    if "warm" in data:
        warm = data["warm"]
        rows.append(
            f"| {shape} | {method}, warm | {warm['seconds']:.1f} | {warm['cpu_seconds']:.1f} | "
            f"{ratio(warm['cpu_seconds'], 'warm')} | | | |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the reference sizes")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--home", help="lakehouse root for the tables (default: a temp dir)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per Spark method; the 2nd+ are 'warm'"
    )
    parser.add_argument(
        "--timeout", type=float, help="stop a method after this many seconds (reported as >)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.home = args.home or tempfile.mkdtemp(prefix="pit-bench-")
    if args.worker:
        args.step = args.worker
        data = generate(args) if args.worker == "generate" else run_method(args)
        Path(args.out).write_text(json.dumps(data, default=str))
        return 0
    args.passthrough = [
        "--scale", str(args.scale), "--home", args.home, "--master", args.master,
        "--driver-memory", args.driver_memory,
        "--shuffle-partitions", str(args.shuffle_partitions), "--repeat", str(args.repeat),
    ]  # fmt: skip
    print(f"scale {args.scale}: {sizes(args.scale)}; root {args.home}", flush=True)
    lines = [
        "| shape | method | wall s | CPU s | CPU / lakehouse | peak RSS (GiB) | rows | "
        "rows with f1 / sum of f1.x / non-null f1.y + f2.w |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for shape in args.shapes.split(","):
        made_file = Path(args.home.removeprefix("file://")) / f"result-generate-{shape}.json"
        made = (
            json.loads(made_file.read_text())
            if made_file.exists()  # a --home already holding this shape's tables
            else _child(args, "generate", shape)
        )
        if "error" in made:
            print(f"generating {shape} failed: {made['error']}", flush=True)
            continue
        bases: dict[str, float] = {}
        for method in args.methods.split(","):
            data = _child(args, method, shape)
            if method == "lakehouse" and "cpu_seconds" in data:
                bases["cold"] = data["cpu_seconds"]
                bases["warm"] = data.get("warm", {}).get("cpu_seconds", 0.0)
            for line in _row(method, shape, data, bases):
                lines.append(line)
                print(line, flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
