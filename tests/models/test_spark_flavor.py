"""The Spark ML flavor: save, native transform, pyfunc predict on pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lakehouse import pyfunc as lh_pyfunc
from lakehouse import spark_ml
from lakehouse.errors import InvalidArgumentError


def test_pipeline_round_trip(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler

    pdf = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "label": [0.0, 0, 0, 1, 1, 1]})
    train = spark.createDataFrame(pdf)
    pipeline = Pipeline(
        stages=[VectorAssembler(inputCols=["x"], outputCol="features"), LogisticRegression()]
    ).fit(train)
    meta = spark_ml.save_model(pipeline, tmp_path / "m", input_example=pdf[["x"]].head(2))
    assert meta.flavors["spark"]["model_data"] == "sparkml"
    assert meta.signature.inputs.input_names() == ["x"]
    native = spark_ml.load_model(str(tmp_path / "m"))
    expected = pipeline.transform(train).select("prediction").toPandas()["prediction"]
    got = native.transform(train).select("prediction").toPandas()["prediction"]
    assert got.tolist() == expected.tolist()
    model = lh_pyfunc.load_model(tmp_path / "m")
    np.testing.assert_array_equal(model.predict(pdf[["x"]]), expected.to_numpy())


def test_unfitted_estimator_is_refused(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pyspark.ml.classification import LogisticRegression

    with pytest.raises(InvalidArgumentError, match="must be a pyspark.ml Transformer"):
        spark_ml.save_model(LogisticRegression(), tmp_path / "m")
    assert list(tmp_path.iterdir()) == []
