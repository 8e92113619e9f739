"""Spark ML autologging: a Pipeline fitted on a namespace table, read back from tracking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lakehouse as lh
from lakehouse.tracking.entities import RunStatus


@pytest.fixture
def train_table(spark, home: str) -> str:  # type: ignore[no-untyped-def]
    rows = [
        (float(i % 7), float(i % 5) / 2.0, 1 if (i % 7) + (i % 5) / 2.0 > 4 else 0)
        for i in range(80)
    ]
    df = spark.createDataFrame(pd.DataFrame(rows, columns=["x1", "x2", "label"]))
    lh.create_schema("main.ml")
    lh.create_table("main.ml.train", df)
    df.write.mode("append").saveAsTable("main.ml.train")  # version 1
    return "main.ml.train"


@pytest.mark.slow
def test_a_pipeline_on_a_namespace_table_logs_stages_model_and_table_version(
    spark, train_table: str
) -> None:  # type: ignore[no-untyped-def]
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.ml.feature import VectorAssembler

    lh.autolog()
    train = lh.table(train_table)
    test = spark.sql(f"SELECT * FROM {train_table} VERSION AS OF 0")
    pipeline = Pipeline(
        stages=[
            VectorAssembler(inputCols=["x1", "x2"], outputCol="features"),
            LogisticRegression(maxIter=7, regParam=0.01),
        ]
    )
    model = pipeline.fit(train)
    assert lh.active_run() is None
    (run,) = lh.search_runs(output_format="list")
    assert run.info.status is RunStatus.FINISHED
    params = run.data.params
    assert params["stages"] == "['VectorAssembler', 'LogisticRegression']"
    assert params["VectorAssembler.inputCols"] == "['x1', 'x2']"
    assert params["LogisticRegression.maxIter"] == "7"
    assert params["LogisticRegression.regParam"] == "0.01"
    assert run.data.tags["estimator_name"] == "Pipeline"
    assert lh.Client().get_run_inputs(run.info.run_id)[0].table_name == "main.ml.train"
    assert [(i.table_name, i.version) for i in lh.Client().get_run_inputs(run.info.run_id)] == [
        ("main.ml.train", 1)
    ]
    (ds,) = run.inputs.dataset_inputs
    assert ds.dataset.source_type == "delta_table" and ds.dataset.name == "main.ml.train@v1"

    loaded = lh.spark_ml.load_model(f"runs:/{run.info.run_id}/model")
    got = loaded.transform(test).select("prediction").toPandas()
    want = model.transform(test).select("prediction").toPandas()
    pd.testing.assert_frame_equal(got, want)
    sig = lh.pyfunc.load_model(f"runs:/{run.info.run_id}/model").metadata.signature
    assert [c.name for c in sig.inputs.inputs] == ["x1", "x2"]

    auc = BinaryClassificationEvaluator().evaluate(model.transform(test))
    metrics = lh.get_run(run.info.run_id).data.metrics
    assert metrics["areaUnderROC_test"] == pytest.approx(auc)
    lh.autolog(disable=True)
    from pyspark.ml.base import Estimator, Model

    assert "transform" not in Model.__dict__
    assert not hasattr(Estimator.__dict__["fit"], "__lakehouse_original__")


@pytest.mark.slow
def test_a_cross_validator_gives_a_parent_run_and_one_child_per_candidate(
    spark, train_table: str
) -> None:  # type: ignore[no-untyped-def]
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

    lh.spark_ml.autolog()
    lr = LogisticRegression(maxIter=5)
    pipeline = Pipeline(stages=[VectorAssembler(inputCols=["x1", "x2"], outputCol="f"), lr])
    lr.setFeaturesCol("f")
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.01, 0.5]).build()
    cv = CrossValidator(
        estimator=pipeline,
        estimatorParamMaps=grid,
        evaluator=BinaryClassificationEvaluator(),
        numFolds=2,
        parallelism=2,  # candidate fits run in threads: still no runs of their own
    )
    model = cv.fit(lh.table(train_table))
    runs = lh.search_runs(output_format="list")
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(parents) == 1 and len(children) == 2
    parent = parents[0]
    assert parent.data.tags["estimator_name"] == "CrossValidator"
    assert parent.data.params["estimator"] == "Pipeline"
    assert "estimatorParamMaps" not in parent.data.params
    best = int(np.argmax(model.avgMetrics))
    assert parent.data.params["best_LogisticRegression.regParam"] == str([0.01, 0.5][best])
    artifacts = {f.path for f in lh.Client().list_artifacts(parent.info.run_id)}
    assert {"model", "best_model", "search_results.csv", "best_parameters.json"} <= artifacts
    got = sorted(
        (c.data.params["LogisticRegression.regParam"], c.data.metrics["avg_areaUnderROC"])
        for c in children
    )
    assert got == sorted(zip(["0.01", "0.5"], model.avgMetrics, strict=True))
    best_model = lh.spark_ml.load_model(f"runs:/{parent.info.run_id}/best_model")
    test = lh.table(train_table)
    pd.testing.assert_frame_equal(
        best_model.transform(test).select("prediction").toPandas(),
        model.bestModel.transform(test).select("prediction").toPandas(),
    )
