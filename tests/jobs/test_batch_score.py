"""The nightly scoring job as real processes: spark-submit, and a SIGKILL mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import cloudpickle
import pandas as pd
import pytest
import yaml

import lakehouse as lh
from lakehouse import config, paths
from lakehouse.catalog import namespace
from lakehouse.models.signature import infer_signature
from lakehouse.pyfunc import PythonModel
from lakehouse.scoring.batch import score_table
from tests.scoring.batch_support import DATES, INPUT, MODEL, OUTPUT, register_version, write_input
from tests.spark_submit import BIN, TIMEOUT_SECONDS, conf_args, submit_env

ROOT = config.project_root()
JOB = str(ROOT / "jobs" / "batch_score.py")
GATED_MODEL = "main.scoring.gated"


class GatedModel(PythonModel):
    """``a + b``; every batch after the first waits until the file ``release`` appears.

    The first batch passes (its task writes an output file), the next one holds the
    job's write stage open, so the test kills the job mid-write whatever the machine's
    load, and the rerun (with ``release`` present) scores straight through.
    """

    def __init__(self, gate: str) -> None:
        self.gate = gate

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.Series:
        gate = Path(self.gate)
        try:
            (gate / "first").mkdir()  # atomic: exactly one batch passes unreleased
        except FileExistsError:
            deadline = time.monotonic() + 1800  # no worker waits forever if a test breaks
            while not (gate / "release").exists():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{gate / 'release'} did not appear") from None
                time.sleep(0.1)
        return model_input["a"] + model_input["b"]


def _submit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``spark-submit`` as tests/spark_submit.py runs it, with room for a loaded machine."""
    command = [str(BIN / "spark-submit"), "--master", "local[1]"]
    command += ["--conf", "spark.ui.enabled=false", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS)


def _conf(tmp_path: Path, model_uri: str, keys: list[str] | None = None) -> Path:
    path = tmp_path / "batch_score.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "model_uri": model_uri,
                "input_table": INPUT,
                "output_table": OUTPUT,
                "date_column": "d",
                "keys": keys,
            }
        )
    )
    return path


@pytest.mark.slow
def test_job_under_spark_submit(home: str, spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_input(spark)
    register_version((1.0, 2.0))
    env = submit_env(Path(paths.to_local_path(home)))
    conf = _conf(tmp_path, f"models:/{MODEL}@champion", ["customer_id"])
    out = _submit(*conf_args(env), JOB, "--conf-file", str(conf), "--date", "2026-11-28", env=env)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    flat = " ".join(out.stdout.split())
    version = namespace.describe_table(OUTPUT).version
    assert f"to {OUTPUT} version {version}" in flat
    assert f"prediction: {MODEL} version 1 (from models:/{MODEL}@champion)" in flat
    scores = lh.table(OUTPUT).toPandas()
    assert set(scores["d"]) == {DATES[2]} and set(scores["model_version"]) == {1}
    # The script exits with main's code: 2 and the message on a lakehouse error. A missing
    # file fails before Spark starts, so a plain run shows it without a second JVM; a
    # missing alias (exit 2, nothing written) is tests/scoring/test_batch_errors.py's.
    absent = tmp_path / "absent.yaml"
    out = subprocess.run(
        [sys.executable, JOB, "--conf-file", str(absent)],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_SECONDS,
    )
    assert out.returncode == 2, out.stdout[-2000:] + out.stderr[-3000:]
    assert "error:" in out.stderr and str(absent) in " ".join(out.stderr.split())
    assert namespace.describe_table(OUTPUT).version == version


def _data_files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.parquet")} if folder.is_dir() else set()


@pytest.mark.slow
def test_job_killed_mid_write_leaves_the_previous_version(home: str, spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = write_input(spark)
    # Four input files for the date, each its own task below (one core): a write stage of
    # four tasks, the second of which the gated model holds open.
    day = frame[frame.d == DATES[2]]
    spark.createDataFrame(day).repartition(4).write.format("delta").mode("overwrite").option(
        "replaceWhere", f"d = '{DATES[2]}'"
    ).save(paths.to_local_path(namespace.describe_table(INPUT).location))
    register_version((1.0, 2.0))
    score_table(f"models:/{MODEL}@champion", INPUT, OUTPUT, partition={"d": DATES[2]})
    before = lh.table(OUTPUT).toPandas().sort_values("customer_id").reset_index(drop=True)
    version = namespace.describe_table(OUTPUT).version
    gate = tmp_path / "gate"
    gate.mkdir()
    # By value: the job's Python workers run in tmp_path, where this module is not importable.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        with lh.start_run():
            info = lh.pyfunc.log_model(
                "model",
                python_model=GatedModel(str(gate)),
                signature=infer_signature(day[["a", "b"]], day["a"]),
            )
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    lh.register_model(info.model_uri, GATED_MODEL)

    partition = Path(paths.to_local_path(namespace.describe_table(OUTPUT).location)) / (
        f"d={DATES[2]}"
    )
    old_files = _data_files(partition)
    env = {
        **submit_env(Path(paths.to_local_path(home))),
        "LAKEHOUSE_SPARK_MASTER": "local[1]",
        "LAKEHOUSE_SHUFFLE_PARTITIONS": "2",
        # One task per input file, so files of the output appear one by one.
        "LAKEHOUSE_SPARK_CONF": "spark.ui.enabled=false,spark.sql.files.openCostInBytes=1073741824",
    }
    conf = _conf(tmp_path, f"models:/{GATED_MODEL}/1")
    log = tmp_path / "job.log"
    with log.open("w") as out:
        job = subprocess.Popen(
            [sys.executable, JOB, "--conf-file", str(conf), "--date", str(DATES[2])],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Observable state, not time: the first task's file, then the second task held.
        deadline = time.monotonic() + 900  # a loaded machine starts Spark slowly
        while not (_data_files(partition) - old_files and (gate / "first").exists()):
            assert job.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the job wrote no file within 15 minutes"
            time.sleep(0.05)
        assert job.poll() is None, log.read_text()[-3000:]
        os.killpg(job.pid, signal.SIGKILL)  # the driver and its JVM
        job.wait(timeout=120)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
        (gate / "release").touch()  # a held Python worker (own process group) ends too
    assert job.returncode == -signal.SIGKILL
    assert namespace.describe_table(OUTPUT).version == version
    after = lh.table(OUTPUT).toPandas().sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(after, before)
    # The rerun completes and replaces the partition with the gated model's scores.
    result = score_table(f"models:/{GATED_MODEL}/1", INPUT, OUTPUT, partition={"d": DATES[2]})
    assert result.output_version == version + 1
    rerun = lh.table(OUTPUT).toPandas().sort_values("customer_id").reset_index(drop=True)
    assert len(rerun) == len(before) and set(rerun["model_name"]) == {GATED_MODEL}
    assert rerun["prediction"].tolist() == pytest.approx((rerun["a"] + rerun["b"]).tolist())
