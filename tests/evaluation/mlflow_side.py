"""Run real ``mlflow.evaluate`` on cases written by test_evaluate.py; print the metrics as JSON.

Run in its own process (``python mlflow_side.py <cases.json> <tracking dir>``) so that
MLflow's global tracking state never meets the test process.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # a file store: no SQLite migrations to wait on
os.environ["MLFLOW_ALLOW_PICKLE_DESERIALIZATION"] = "true"  # lakehouse saves with cloudpickle

import mlflow  # noqa: E402
import pandas as pd  # noqa: E402


def main(cases_file: str, tracking_dir: str) -> None:
    mlflow.set_tracking_uri(f"file://{tracking_dir}")
    out = {}
    for name, case in json.loads(Path(cases_file).read_text()).items():
        data = pd.read_parquet(case["data"])
        with mlflow.start_run() as run:
            result = mlflow.evaluate(
                case["model"],
                data,
                targets=case["targets"],
                predictions=case["predictions"],
                model_type=case["model_type"],
                evaluator_config=case["config"],
            )
        logged = mlflow.get_run(run.info.run_id).data.metrics
        out[name] = {
            "metrics": {k: float(v) for k, v in result.metrics.items()},
            "logged": logged,
            "artifacts": sorted(result.artifacts),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
