"""Scoring: models applied to Spark DataFrames (the data plane's hot path).

Public API::

    from lakehouse.scoring import spark_udf, predict_df, ModelUdf

    udf = spark_udf(spark, "models:/main.ml.churn@champion", result_type="double")
    udf.model_name, udf.model_version        # the version pinned now, on the driver
    udf.check(df)                            # missing/mistyped columns, before any task
    df.withColumn("churn_probability", udf())            # signature's columns by name
    df.withColumn("p", udf("a", "b"))                    # by position
    df.withColumn("p", udf(F.struct("a", "b")))          # struct fields by name

    predict_df(df, "models:/main.ml.churn@champion", prediction_column="prediction")
    # any flavor: Spark ML models via transform() in the JVM, Python ones via the UDF

- ``spark_udf(spark, model_uri, result_type="double", env_manager="local", params=None)``
  (MLflow's signature; ``lh.pyfunc.spark_udf`` forwards to it) resolves the URI once
  and returns a :class:`ModelUdf` pinned to that version. ``result_type``: double,
  float, int, long, boolean, string, ``array<...>`` or a struct DDL string.
- ``udf_for(spark, resolved, result_type="double", params=None)``: the same for a
  :class:`~lakehouse.registry.uris.ResolvedModelUri` the caller already resolved.
- ``predict_df(df, model, *, prediction_column="prediction", result_type="double",
  params=None)``: ``df`` plus the prediction column; ``model`` is a URI, a
  ``ResolvedModelUri`` or a ``ModelUdf``.
- ``is_spark_ml(resolved)``: whether a package scores in the JVM.

Each Python worker loads the model once (module-level cache) and scores Arrow
batches; ``spark.sql.execution.arrow.maxRecordsPerBatch`` sets the batch size.

The names are imported on first use: Python workers import
:mod:`lakehouse.scoring.worker` through this package, and should not pay for the
registry and tracking modules that only the driver needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lakehouse.scoring.predict import is_spark_ml, predict_df
    from lakehouse.scoring.udf import ModelUdf, spark_udf, udf_for

_FORWARDS = {
    "is_spark_ml": "lakehouse.scoring.predict",
    "predict_df": "lakehouse.scoring.predict",
    "ModelUdf": "lakehouse.scoring.udf",
    "spark_udf": "lakehouse.scoring.udf",
    "udf_for": "lakehouse.scoring.udf",
}


def __getattr__(name: str) -> object:
    """Import a public name on first use, then keep it."""
    if name not in _FORWARDS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_FORWARDS[name]), name)
    globals()[name] = value
    return value


__all__ = ["ModelUdf", "is_spark_ml", "predict_df", "spark_udf", "udf_for"]
