"""Linear sklearn models score as one Spark SQL expression: no Python worker, same labels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lakehouse.scoring import spark_udf

from .udf_support import FEATURES, MODEL, features, labels, register


def _plan(df) -> str:  # type: ignore[no-untyped-def]
    return str(df._jdf.queryExecution().executedPlan().toString())


def _python_in(df) -> bool:  # type: ignore[no-untyped-def]
    plan = _plan(df)
    return "ArrowEvalPython" in plan or "BatchEvalPython" in plan or "PythonUDF" in plan


def test_binary_logistic_regression_scores_in_the_jvm(spark, home) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    x = features()
    model = LogisticRegression().fit(x, labels(x))
    register(model)
    frame = features(rows=500, seed=7)
    udf = spark_udf(spark, f"models:/{MODEL}@champion", result_type="long")
    scored = spark.createDataFrame(frame).withColumn("p", udf())
    assert not _python_in(scored)
    got = scored.toPandas()
    np.testing.assert_array_equal(got["p"].to_numpy(), model.predict(got[FEATURES]))
    by_position = spark.createDataFrame(frame).select(udf("a", "b", "n").alias("p")).toPandas()
    np.testing.assert_array_equal(by_position["p"].to_numpy(), model.predict(frame[FEATURES]))


def test_multiclass_takes_the_first_best_class(spark, home) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    x = features(rows=600, seed=3)
    y = np.digitize(x["a"] + 0.2 * x["b"], [0.3, 0.7]) * 10  # classes 0, 10, 20
    model = LogisticRegression(max_iter=500).fit(x, y)
    register(model)
    frame = features(rows=800, seed=11)
    scored = spark.createDataFrame(frame).withColumn("p", spark_udf(spark, f"models:/{MODEL}/1")())
    assert not _python_in(scored)
    got = scored.toPandas()
    np.testing.assert_array_equal(got["p"].to_numpy(), model.predict(got[FEATURES]).astype(float))
    assert set(got["p"]) <= {0.0, 10.0, 20.0}


def test_a_null_feature_gives_a_null_prediction(spark, home) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    x = features()
    register(LogisticRegression().fit(x, labels(x)))
    rows = spark.createDataFrame(
        pd.DataFrame({"a": [0.5, None], "b": [0.1, 0.2], "n": [1, 2]}),
        "a double, b double, n long",
    )
    got = rows.select(spark_udf(spark, f"models:/{MODEL}/1")().alias("p")).collect()
    assert got[0]["p"] is not None and got[1]["p"] is None


def test_other_models_and_string_classes_score_in_the_python_worker(spark, home) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    x = features()
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x, labels(x))
    register(tree)
    strings = LogisticRegression().fit(x, np.where(labels(x) == 1, "churn", "stay"))
    register(strings)
    frame = spark.createDataFrame(features(rows=100, seed=2))
    by_tree = frame.withColumn("p", spark_udf(spark, f"models:/{MODEL}/1")())
    by_strings = frame.withColumn(
        "p", spark_udf(spark, f"models:/{MODEL}/2", result_type="string")()
    )
    assert _python_in(by_tree) and _python_in(by_strings)
    got = by_strings.toPandas()
    np.testing.assert_array_equal(got["p"].to_numpy(), strings.predict(got[FEATURES]))
