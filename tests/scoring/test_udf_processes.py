"""spark_udf across processes: one load per Python worker, streaming, separate executors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from chispa import assert_approx_df_equality

import lakehouse as lh
from lakehouse.pyfunc import PythonModel
from lakehouse.scoring import spark_udf

from .udf_support import FEATURES, MODEL, features, register


class CountingModel(PythonModel):
    """Writes one file per load (named by the process id) into ``folder``."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def load_context(self, context: Any) -> None:
        Path(self.folder, f"{os.getpid()}-{uuid.uuid4().hex}").touch()

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> Any:
        return model_input["a"].to_numpy() * 2


def test_model_loads_once_per_python_worker(spark, home, tmp_path) -> None:  # type: ignore[no-untyped-def]
    loads = tmp_path / "loads"
    loads.mkdir()
    frame = features(rows=400)
    with lh.start_run():
        info = lh.pyfunc.log_model("model", CountingModel(str(loads)), input_example=frame.head(3))
    for file in loads.iterdir():  # log_model loaded it here to check the example
        file.unlink()
    udf = lh.pyfunc.spark_udf(spark, info.model_uri)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "10")
    try:
        df = spark.createDataFrame(frame).repartition(8)  # 8 tasks, 40+ batches
        got = df.select("a", udf().alias("p")).toPandas()
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    np.testing.assert_allclose(got["p"], got["a"] * 2)
    pids = [f.name.split("-")[0] for f in loads.iterdir()]
    assert str(os.getpid()) not in pids  # the driver never loads the model
    assert 1 <= len(pids) <= 2  # local[2]: two reused workers at most, each loads once
    assert len(set(pids)) == len(pids)


def test_structured_streaming_from_a_delta_source(spark, home, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sklearn.tree import DecisionTreeRegressor

    x = features()
    # A tree scores in the Python worker (a linear model would be a SQL expression).
    model = DecisionTreeRegressor(max_depth=5, random_state=0).fit(x, x["a"] + 2 * x["n"])
    register(model)
    frame = features(rows=120, seed=9)
    source, sink = str(tmp_path / "source"), str(tmp_path / "sink")
    spark.createDataFrame(frame).write.format("delta").save(source)
    udf = spark_udf(spark, f"models:/{MODEL}@champion")
    stream = spark.readStream.format("delta").load(source)
    udf.check(stream)
    query = (
        stream.withColumn("p", udf())
        .writeStream.format("delta")
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .trigger(availableNow=True)
        .start(sink)
    )
    assert query.awaitTermination(300)
    expected = spark.createDataFrame(frame.assign(p=model.predict(frame[FEATURES])))
    scored = spark.read.format("delta").load(sink)
    assert_approx_df_equality(scored, expected, 1e-9, ignore_row_order=True, ignore_nullable=True)


CLUSTER_SCRIPT = """
import shutil, sys
import numpy as np
from sklearn.tree import DecisionTreeRegressor
from lakehouse import config
config.set_config(home=sys.argv[1], spark_master="local-cluster[2,1,1024]",
                  shuffle_partitions=2, spark_conf={"spark.ui.enabled": "false"})
import lakehouse as lh
from lakehouse.scoring import spark_udf
from lakehouse.spark import spark as build
from tests.scoring.udf_support import FEATURES, MODEL, features, register

session = build()
x = features()
# A tree scores in the Python workers (a linear model would be a SQL expression).
model = DecisionTreeRegressor(max_depth=5, random_state=0).fit(x, x["a"] - x["b"])
register(model)
package = sys.argv[2]
lh.sklearn.save_model(model, package, input_example=x.head(3))
by_alias = spark_udf(session, f"models:/{MODEL}@champion")
by_path = spark_udf(session, package)
shutil.rmtree(package)  # executors must use the shipped copy, not this folder
frame = features(rows=500, seed=4)
df = session.createDataFrame(frame).repartition(4)
out = df.select("a", "b", "n", by_alias().alias("p1"), by_path().alias("p2")).toPandas()
want = model.predict(out[FEATURES])
np.testing.assert_allclose(out["p1"], want, atol=1e-9)
np.testing.assert_allclose(out["p2"], want, atol=1e-9)
executors = session.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1
print(f"SCORED {len(out)} rows on {executors} executors")
session.stop()
"""


@pytest.mark.slow
def test_executors_in_other_processes_get_the_package_shipped(tmp_path) -> None:
    script = tmp_path / "cluster.py"
    script.write_text(textwrap.dedent(CLUSTER_SCRIPT))
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK")}
    env["PYTHONPATH"] = str(root)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "home"), str(tmp_path / "pkg")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "SCORED 500 rows on 2 executors" in done.stdout
