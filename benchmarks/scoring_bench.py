"""Scoring benchmark: lakehouse's spark_udf against mlflow.pyfunc.spark_udf, one session.

One run, one SparkSession (local[2]), one Delta input (``--rows`` x 20 float features,
8 partitions), the ``noop`` sink, for a RandomForest (100 trees, depth 10) and a
LogisticRegression (issue 13):

(a) raw ``predict`` on numpy over 2 processes (the model's own limit on 2 cores);
(b) a pass-through pandas UDF (20 columns in, a constant out: Spark's transfer floor);
(c) a hand-written minimal iterator pandas UDF (model loaded once per task);
(d) ``mlflow.pyfunc.spark_udf`` (``env_manager="local"``);
(e) ``lakehouse.scoring.spark_udf`` on ``models:/...@champion``.

Reports rows/s, the ratios, the additive limit ``1 / (1/raw + 1/pass-through)``, the
peak RSS of the Python workers during each run, and the time to create the first UDF.

    .venv/bin/python benchmarks/scoring_bench.py --rows 2000000
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

N_FEATURES = 20
COLUMNS = [f"f{i}" for i in range(N_FEATURES)]
MODEL_PREFIX = "main.bench"


# -- set-up ---------------------------------------------------------------------------------
def _session(home: str, batch: int) -> Any:
    from lakehouse import config
    from lakehouse.spark import spark

    config.set_config(
        home=home,
        spark_master="local[2]",
        shuffle_partitions=2,
        spark_conf={
            "spark.ui.enabled": "false",
            "spark.driver.memory": "3g",
            "spark.sql.execution.arrow.maxRecordsPerBatch": str(batch),
        },
    )
    return spark()


def _write_input(session: Any, rows: int, path: str) -> Any:
    from pyspark.sql import functions as F

    data = session.range(rows, numPartitions=8).select(
        *[F.rand(seed=i).cast("double").alias(c) for i, c in enumerate(COLUMNS)]
    )
    data.write.format("delta").mode("overwrite").save(path)
    return session.read.format("delta").load(path)


def _train(kind: str) -> Any:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((20_000, N_FEATURES)), columns=COLUMNS)
    y = ((x["f0"] + x["f1"] * x["f2"] + 0.2 * rng.normal(size=len(x))) > 0.8).astype(int)
    if kind == "rf":
        model = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0, n_jobs=2)
        model.fit(x, y)
        model.set_params(n_jobs=None)  # scoring runs one process per core already
        return model
    return LogisticRegression(max_iter=500).fit(x, y)


def _register(kind: str, model: Any, folder: Path) -> tuple[str, str]:
    """Log and register the model (lakehouse) and save it for MLflow; returns both URIs."""
    import mlflow.sklearn

    import lakehouse as lh
    from lakehouse.models.signature import infer_signature

    x = pd.DataFrame(np.random.default_rng(1).random((50, N_FEATURES)), columns=COLUMNS)
    name = f"{MODEL_PREFIX}.{kind}"
    lh.create_schema(MODEL_PREFIX)
    with lh.start_run():
        info = lh.sklearn.log_model(model, "model", signature=infer_signature(x, model.predict(x)))
    version = lh.register_model(info.model_uri, name).version
    lh.Client().set_registered_model_alias(name, "champion", version)
    mlflow_path = folder / f"mlflow-{kind}"
    mlflow.sklearn.save_model(
        model, str(mlflow_path), serialization_format="cloudpickle", input_example=x.head(3)
    )
    return f"models:/{name}@champion", str(mlflow_path)


# -- measurements ---------------------------------------------------------------------------
class WorkerMemory:
    """Samples the RSS of the Python worker processes (children of pyspark.daemon)."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _workers(self) -> list[Any]:
        found = []
        for proc in self._psutil.process_iter(["cmdline", "ppid"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if "pyspark.daemon" in cmd or "pyspark.worker" in cmd:
                found.append(proc)
        daemons = {p.pid for p in found}
        return [p for p in found if p.info["ppid"] in daemons]  # forked workers only

    def _run(self) -> None:
        while not self._stop.is_set():
            for proc in self._workers():
                with contextlib.suppress(self._psutil.Error):
                    self.peak = max(self.peak, proc.memory_info().rss)
            self._stop.wait(0.25)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _sink(column: Any, df: Any) -> tuple[float, float]:
    """Seconds to score every row into the noop sink, and the workers' peak RSS (MiB)."""
    with WorkerMemory() as memory:
        start = time.perf_counter()
        df.select(column.alias("p")).write.format("noop").mode("overwrite").save()
        seconds = time.perf_counter() - start
    return seconds, memory.peak / 2**20


def _raw_worker(args: tuple[bytes, int, int]) -> float:
    import pickle
    import warnings

    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    blob, rows, batch = args
    model = pickle.loads(blob)
    x = np.random.default_rng(os.getpid()).random((rows, N_FEATURES))
    model.predict(x[:batch])  # warm-up
    start = time.perf_counter()
    for i in range(0, rows, batch):
        model.predict(x[i : i + batch])
    return time.perf_counter() - start


def raw_rate(model: Any, rows: int, batch: int) -> float:
    """(a) rows/s of predict on numpy batches in 2 processes at once."""
    import pickle

    blob = pickle.dumps(model)
    half = rows // 2
    with mp.get_context("spawn").Pool(2) as pool:
        times = pool.map(_raw_worker, [(blob, half, batch)] * 2)
    return 2 * half / max(times)


def pass_through_udf() -> Any:
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("double")  # type: ignore[call-overload]
    def constant(batches: Iterator[tuple[pd.Series, ...]]) -> Iterator[pd.Series]:
        for cols in batches:
            yield pd.Series(np.zeros(len(cols[0])))

    return constant


def arrow_pass_through_udf() -> Any:
    import pyarrow as pa
    from pyspark.sql.functions import ArrowUDFType, arrow_udf

    def constant(batches: Iterator[tuple[pa.Array, ...]]) -> Iterator[pa.Array]:
        for cols in batches:
            yield pa.array(np.zeros(len(cols[0])))

    return arrow_udf(constant, "double", ArrowUDFType.SCALAR_ITER)  # type: ignore[call-overload]


def hand_written_udf(model_file: str) -> Any:
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("double")  # type: ignore[call-overload]
    def predict(batches: Iterator[tuple[pd.Series, ...]]) -> Iterator[pd.Series]:
        import pickle
        import warnings

        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        with open(model_file, "rb") as handle:
            model = pickle.load(handle)
        for cols in batches:
            x = np.column_stack([c.to_numpy() for c in cols])
            yield pd.Series(model.predict(x).astype("float64"))

    return predict


def _timed(make: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = make()
    return out, time.perf_counter() - start


def bench_model(session: Any, df: Any, kind: str, folder: Path, args: Any) -> dict[str, Any]:
    """All five measurements for one model."""
    import pickle

    import mlflow.pyfunc
    from pyspark.sql import functions as F

    from lakehouse.scoring import spark_udf

    model = _train(kind)
    uri, mlflow_path = _register(kind, model, folder)
    model_file = folder / f"{kind}.pkl"
    model_file.write_bytes(pickle.dumps(model))
    cols = [F.col(c) for c in COLUMNS]
    out: dict[str, Any] = {"raw": raw_rate(model, args.rows, args.batch)}
    ours, out["create_ours"] = _timed(lambda: spark_udf(session, uri, result_type="double"))
    _, out["create_ours_again"] = _timed(lambda: spark_udf(session, uri, result_type="double"))
    hand, out["create_hand"] = _timed(lambda: hand_written_udf(str(model_file)))
    theirs = None
    if not args.skip_mlflow:
        theirs, out["create_mlflow"] = _timed(
            lambda: mlflow.pyfunc.spark_udf(session, mlflow_path, result_type="double")
        )
    runs: list[tuple[str, Any]] = [
        ("pass_through", pass_through_udf()(*cols)),
        ("hand_written", hand(*cols)),
        ("ours", ours()),
    ]
    if theirs is not None:
        runs.insert(2, ("mlflow", theirs(*cols)))
    runs.insert(1, ("arrow_pass_through", arrow_pass_through_udf()(*cols)))
    for name, column in runs:
        seconds, peak = _sink(column, df)
        out[name] = args.rows / seconds
        out[f"{name}_peak_mib"] = peak
        print(f"  {kind} {name}: {out[name]:,.0f} rows/s, workers' peak {peak:,.0f} MiB")
    conf = "spark.sql.execution.arrow.maxRecordsPerBatch"
    session.conf.set(conf, str(args.batch * 5))
    seconds, out["ours_big_batch_peak_mib"] = _sink(ours(), df)
    out["ours_big_batch"] = args.rows / seconds
    session.conf.set(conf, str(args.batch))
    out["additive"] = 1 / (1 / out["raw"] + 1 / out["pass_through"])
    return out


# -- report ---------------------------------------------------------------------------------
def report(results: dict[str, dict[str, Any]], args: Any, load: tuple[float, ...]) -> str:
    lines = [
        f"rows={args.rows:,}, 20 float features, 8 partitions, batch={args.batch:,}, "
        f"local[2]; load average at start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
        "",
        "| measure | RandomForest | LogisticRegression |",
        "|---|---|---|",
    ]
    rf, lr = results.get("rf", {}), results.get("lr", {})

    def row(label: str, key: str, fmt: str = "{:,.0f}") -> None:
        cells = [fmt.format(r[key]) if key in r else "-" for r in (rf, lr)]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")

    row("(a) raw predict, 2 processes (rows/s)", "raw")
    row("(b) pass-through pandas UDF (rows/s)", "pass_through")
    row("(b') pass-through Arrow UDF (rows/s)", "arrow_pass_through")
    row("additive limit 1/(1/a+1/b) (rows/s)", "additive")
    row("(c) hand-written iterator pandas UDF (rows/s)", "hand_written")
    row("(d) mlflow.pyfunc.spark_udf (rows/s)", "mlflow")
    row("(e) lakehouse spark_udf (rows/s)", "ours")
    for r in (rf, lr):
        if "ours" in r:
            r["vs_mlflow"] = r["ours"] / r["mlflow"] if "mlflow" in r else float("nan")
            r["vs_additive"] = r["ours"] / r["additive"]
            r["vs_pass"] = r["ours"] / r["pass_through"]
            r["vs_hand"] = r["ours"] / r["hand_written"]
    row(f"(e) with batches of {args.batch * 5:,} rows (rows/s)", "ours_big_batch")
    row("(e) / (d) MLflow", "vs_mlflow", "{:.2f}x")
    row("(e) / additive limit", "vs_additive", "{:.2f}x")
    row("(e) / (b) pass-through", "vs_pass", "{:.2f}x")
    row("(e) / (c) hand-written", "vs_hand", "{:.2f}x")
    for name in ("pass_through", "hand_written", "mlflow", "ours", "ours_big_batch"):
        row(f"peak RSS per Python worker, {name} (MiB)", f"{name}_peak_mib")
    row("first UDF creation, lakehouse (s)", "create_ours", "{:.3f}")
    row("second UDF creation, lakehouse (s)", "create_ours_again", "{:.3f}")
    row("first UDF creation, MLflow (s)", "create_mlflow", "{:.3f}")
    row("UDF creation, hand-written (s)", "create_hand", "{:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=10_000, help="maxRecordsPerBatch")
    parser.add_argument("--models", default="rf,lr", help="comma list of rf, lr")
    parser.add_argument("--skip-mlflow", action="store_true")
    args = parser.parse_args(argv)
    # mlflow 3.17 refuses pickled sklearn models without this (workers inherit it).
    os.environ["MLFLOW_ALLOW_PICKLE_DESERIALIZATION"] = "true"
    os.environ.setdefault("MLFLOW_TRACKING_URI", "file:" + tempfile.mkdtemp())
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as tmp:
        folder = Path(tmp)
        session = _session(str(folder / "home"), args.batch)
        df = _write_input(session, args.rows, str(folder / "input"))
        # Start the Python workers and warm the input's files before anything is timed.
        _sink(pass_through_udf()(*COLUMNS), df)
        results = {}
        for kind in args.models.split(","):
            print(f"{kind}: measuring ...", file=sys.stderr)
            results[kind] = bench_model(session, df, kind, folder, args)
        print(report(results, args, load))
        session.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
