"""spark_udf: outputs equal pandas predict; pinned versions; driver-side errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from chispa import assert_approx_df_equality
from pyspark.sql import functions as F

import lakehouse as lh
from lakehouse.errors import InvalidArgumentError, SchemaMismatchError
from lakehouse.scoring import predict_df, spark_udf

from .udf_support import FEATURES, MODEL, features, labels, register


@pytest.fixture
def frame() -> pd.DataFrame:
    return features(rows=300, seed=5)


def _expected(spark, frame: pd.DataFrame, values, column: str = "p"):  # type: ignore[no-untyped-def]
    out = frame.copy()
    out[column] = list(values) if np.ndim(values) == 2 else values
    return spark.createDataFrame(out)


def test_double_matches_pandas_predict(spark, home, frame) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LinearRegression

    x = features()
    model = LinearRegression().fit(x, x["a"] * 2 + x["b"])
    register(model)
    udf = spark_udf(spark, f"models:/{MODEL}@champion")
    scored = spark.createDataFrame(frame).repartition(3).withColumn("p", udf())
    expected = _expected(spark, frame, model.predict(frame[FEATURES]))
    assert_approx_df_equality(scored, expected, 1e-9, ignore_row_order=True, ignore_nullable=True)
    assert (udf.model_name, udf.model_version, udf.alias) == (MODEL, 1, "champion")


def test_array_of_class_probabilities(spark, home, frame) -> None:  # type: ignore[no-untyped-def]
    from sklearn.ensemble import RandomForestClassifier

    x = features()
    model = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(x, labels(x))
    register(model, pyfunc_predict_fn="predict_proba")
    udf = spark_udf(spark, f"models:/{MODEL}/1", result_type="array<double>")
    scored = spark.createDataFrame(frame).withColumn("p", udf(*FEATURES))
    rows = scored.orderBy("a").toPandas()
    want = model.predict_proba(rows[FEATURES])
    np.testing.assert_allclose(np.stack(rows["p"].to_numpy()), want, rtol=1e-6)
    first = spark_udf(spark, f"models:/{MODEL}/1", result_type="float")  # MLflow: column 0
    got = spark.createDataFrame(frame).select(first().alias("p")).toPandas()["p"]
    np.testing.assert_allclose(got, model.predict_proba(frame[FEATURES])[:, 0], rtol=1e-6)


def test_struct_from_a_pyfunc_returning_a_dataframe(spark, home, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.models.churn_model import CustomChurnModel, churn_frame, write_artifacts

    data, _ = churn_frame(120, seed=3)
    artifacts = write_artifacts(tmp_path)
    lh.create_schema("main.udf")
    with lh.start_run():
        info = lh.pyfunc.log_model(
            "model", CustomChurnModel(), artifacts=artifacts, input_example=data.head(5)
        )
    udf = spark_udf(spark, info.model_uri, result_type="struct<churn_probability: double>")
    assert udf.model_version is None and udf.run_id == info.run_id
    scored = spark.createDataFrame(data).withColumn("p", udf())
    scored = scored.select(*data.columns, "p.churn_probability")
    want = lh.pyfunc.load_model(info.model_uri).predict(data)
    expected = spark.createDataFrame(data.assign(churn_probability=want["churn_probability"]))
    assert_approx_df_equality(scored, expected, 1e-9, ignore_row_order=True, ignore_nullable=True)


def test_spark_ml_pipeline_scores_in_the_jvm(spark, home, frame) -> None:  # type: ignore[no-untyped-def]
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler

    train = features().assign(label=labels(features()).astype(float))
    pipeline = Pipeline(
        stages=[VectorAssembler(inputCols=FEATURES, outputCol="features"), LogisticRegression()]
    ).fit(spark.createDataFrame(train))
    lh.create_schema("main.udf")
    with lh.start_run():
        info = lh.spark_ml.log_model(pipeline, "model", registered_model_name=MODEL)
    df = spark.createDataFrame(frame)
    scored = predict_df(df, f"models:/{MODEL}/1", prediction_column="p")
    prediction = F.col("prediction").alias("p", metadata={})
    expected = pipeline.transform(df).select(*frame.columns, prediction)
    assert_approx_df_equality(scored, expected, 1e-12, ignore_row_order=True, ignore_nullable=True)
    probabilities = predict_df(
        df, info.model_uri, prediction_column="p", result_type="array<float>"
    )
    assert probabilities.schema["p"].dataType.simpleString() == "array<float>"
    with pytest.raises(InvalidArgumentError, match="Spark ML model.*predict_df"):
        spark_udf(spark, info.model_uri)


def test_alias_is_resolved_once_when_the_udf_is_made(spark, home, frame) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LinearRegression

    x = features()
    v1 = register(LinearRegression().fit(x, x["a"]))
    udf = spark_udf(spark, f"models:/{MODEL}@champion")
    v2 = register(LinearRegression().fit(x, -x["a"]))  # champion now points to v2
    assert (v1, v2) == (1, 2)
    got = spark.createDataFrame(frame).select(udf().alias("p")).toPandas()["p"]
    np.testing.assert_allclose(got, frame["a"], atol=1e-9)
    assert udf.model_version == 1
    fresh = spark_udf(spark, f"models:/{MODEL}@champion")
    got = spark.createDataFrame(frame).select(fresh().alias("p")).toPandas()["p"]
    np.testing.assert_allclose(got, -frame["a"], atol=1e-9)


def _no_job_runs(spark, call) -> None:  # type: ignore[no-untyped-def]
    context = spark.sparkContext
    context.setJobGroup("udf-check", "driver-side check")
    try:
        call()
    finally:
        jobs = context.statusTracker().getJobIdsForGroup("udf-check")
        context.setLocalProperty("spark.jobGroup.id", None)
    assert list(jobs) == []


def test_missing_and_mistyped_columns_fail_on_the_driver(spark, home, frame) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LinearRegression

    x = features()
    register(LinearRegression().fit(x, x["a"]))
    udf = spark_udf(spark, f"models:/{MODEL}@champion")
    df = spark.createDataFrame(frame)
    with pytest.raises(SchemaMismatchError, match=r"missing column\(s\) \['n'\]"):
        _no_job_runs(spark, lambda: udf.check(df.drop("n")))
    wrong = df.withColumn("b", F.col("b").cast("string"))
    with pytest.raises(SchemaMismatchError, match="column 'b'.*expects type double.*string"):
        _no_job_runs(spark, lambda: predict_df(wrong, f"models:/{MODEL}@champion"))
    narrow = df.withColumn("n", F.col("n").cast("double"))  # double -> long loses values
    with pytest.raises(SchemaMismatchError, match="column 'n'.*long"):
        udf.check(narrow)
    udf.check(df.withColumn("n", F.col("n").cast("int")))  # int -> long widens safely
    with pytest.raises(SchemaMismatchError, match=r"lacks field\(s\) \['b'\]"):
        udf.check(df, F.struct("a", "n"))


def test_bad_arguments_are_refused(spark, home) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LinearRegression

    x = features()
    register(LinearRegression().fit(x, x["a"]))
    with pytest.raises(InvalidArgumentError, match="env_manager='conda' is not supported"):
        spark_udf(spark, f"models:/{MODEL}/1", env_manager="conda")
    with pytest.raises(InvalidArgumentError, match="result_type map<string,double>"):
        spark_udf(spark, f"models:/{MODEL}/1", result_type="map<string,double>")
    with pytest.raises(InvalidArgumentError, match=r"needs 3 input columns \['a', 'b', 'n'\]"):
        spark_udf(spark, f"models:/{MODEL}/1")("a", "b")
    with pytest.raises(lh.NotFoundError):
        spark_udf(spark, f"models:/{MODEL}@nope")


def test_struct_and_positional_binding(spark, home, frame) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LinearRegression

    x = features()
    model = LinearRegression().fit(x, x["a"] - x["n"])
    register(model)
    udf = spark_udf(spark, f"models:/{MODEL}/1")
    df = spark.createDataFrame(frame.rename(columns={"a": "x1"}))
    by_position = df.select(udf("x1", "b", "n").alias("p")).toPandas()["p"]
    by_name = df.select(udf(F.struct(F.col("x1").alias("a"), "n", "b")).alias("p"))
    want = model.predict(frame[FEATURES])
    np.testing.assert_allclose(by_position, want, atol=1e-9)
    np.testing.assert_allclose(by_name.toPandas()["p"], want, atol=1e-9)


def test_requirements_that_differ_give_one_warning(spark, home) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LinearRegression

    x = features()
    register(
        LinearRegression().fit(x, x["a"]),
        pip_requirements=["scikit-learn==0.0.1", "numpy==0.0.2"],
    )
    with pytest.warns(UserWarning, match=r"scikit-learn==0.0.1 \(installed: .*numpy==0.0.2"):
        spark_udf(spark, f"models:/{MODEL}/1")


def test_a_lakehouse_folder_in_the_working_directory_is_warned_about(  # type: ignore[no-untyped-def]
    spark, home, tmp_path, monkeypatch
) -> None:
    import site
    import warnings
    from pathlib import Path

    from sklearn.linear_model import LinearRegression

    package = Path(lh.__file__).resolve().parent
    if any(package.is_relative_to(Path(p).resolve()) for p in site.getsitepackages()):
        pytest.skip("lakehouse is installed as a regular package: no folder can shadow it")
    x = features()
    register(LinearRegression().fit(x, x["a"]))
    (tmp_path / "lakehouse" / "models").mkdir(parents=True)  # like a root named lakehouse
    monkeypatch.chdir(tmp_path)
    with pytest.warns(UserWarning, match=r"holds a folder 'lakehouse'.*Rename that folder"):
        spark_udf(spark, f"models:/{MODEL}/1")
    monkeypatch.chdir(tmp_path / "lakehouse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spark_udf(spark, f"models:/{MODEL}/1")
    assert not [w for w in caught if "holds a folder" in str(w.message)]
