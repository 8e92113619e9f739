"""Autologging overhead: lakehouse's ``lh.sklearn.autolog`` beside MLflow's on the same fits.

Each side runs in its own process (its own patches, its own store in a temp folder:
a lakehouse root, and MLflow 3.17.2 with a SQLite store). Per workload: one warm-up
fit with autolog (the stores create their tables), then ``--reps`` fits without
autolog and ``--reps`` with it, alternating; the overhead is the median autologged
fit minus the median plain fit. Workloads (issue 15): the seed's
GradientBoostingClassifier (n_estimators=200, max_depth=5, learning_rate=0.1) and a
GridSearchCV over 20 candidates (a parent run and 5 child runs on both sides).

    .venv/bin/python benchmarks/autolog_bench.py --reps 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

WORKER = r"""
import json, statistics, sys, time, warnings
warnings.filterwarnings("ignore")
engine, root, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
workloads = {
    "GradientBoostingClassifier(200, depth 5)": lambda: GradientBoostingClassifier(
        n_estimators=200, max_depth=5, learning_rate=0.1, random_state=0
    ).fit(X, y),
    "GridSearchCV, 20 candidates x 3 folds": lambda: GridSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": list(range(1, 11)), "criterion": ["gini", "entropy"]},
        cv=3,
    ).fit(X, y),
}
t0 = time.perf_counter()
if engine == "lakehouse":
    import lakehouse as lh
    lh.set_home(root)
    enable = lambda: lh.sklearn.autolog()
    disable = lambda: lh.sklearn.autolog(disable=True)
    def flush():
        lh.Client().flush()
else:
    import mlflow
    mlflow.set_tracking_uri(f"sqlite:///{root}/mlflow.db")
    # Artifacts in the temp root too (the default, ./mlruns, is the working directory).
    bench = mlflow.create_experiment("bench", artifact_location=f"{root}/artifacts")
    mlflow.set_experiment(experiment_id=bench)
    enable = lambda: mlflow.sklearn.autolog(silent=True)
    disable = lambda: mlflow.sklearn.autolog(disable=True)
    flush = lambda: None
import_s = time.perf_counter() - t0
out = {"import_s": import_s}
for name, fit in workloads.items():
    enable(); fit(); disable()  # warm-up: tables created, modules imported
    plain, logged = [], []
    for _ in range(reps):
        t = time.perf_counter(); fit(); plain.append(time.perf_counter() - t)
        enable()
        t = time.perf_counter(); fit(); logged.append(time.perf_counter() - t)
        disable()
    t = time.perf_counter(); flush(); flush_s = time.perf_counter() - t
    out[name] = {"plain": statistics.median(plain), "autolog": statistics.median(logged),
                 "flush_after": flush_s}
print("RESULT " + json.dumps(out))
"""


def run(engine: str, reps: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as root:
        proc = subprocess.run(
            [sys.executable, "-c", WORKER, engine, root, str(reps)],
            capture_output=True,
            text=True,
            check=True,
        )
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT ") :]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = {engine: run(engine, args.reps) for engine in ("lakehouse", "mlflow")}
    print(
        "| workload | plain fit (s) | lakehouse autolog (s) | overhead | "
        "mlflow autolog (s) | overhead |"
    )
    print("|---|---|---|---|---|---|")
    for name in results["lakehouse"]:
        if name == "import_s":
            continue
        lh_r, ml_r = results["lakehouse"][name], results["mlflow"][name]
        plain = statistics.median([lh_r["plain"], ml_r["plain"]])
        print(
            f"| {name} | {plain:.2f} | {lh_r['autolog']:.2f} | "
            f"{lh_r['autolog'] - lh_r['plain']:+.2f} | {ml_r['autolog']:.2f} | "
            f"{ml_r['autolog'] - ml_r['plain']:+.2f} |"
        )
    print(f"\n(whole run {time.perf_counter() - started:.0f} s; reps={args.reps})")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
