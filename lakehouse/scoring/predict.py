"""``predict_df``: add a prediction column to a DataFrame with a model of any flavor.

Python flavors (sklearn, custom pyfunc) go through :func:`~lakehouse.scoring.udf.spark_udf`
after a driver-side column check; Spark ML models are scored in the JVM with the
pipeline's ``transform`` (no Python worker), their ``prediction`` column renamed
(``array<double>`` gives the ``probability`` vector as an array).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse.errors import InvalidArgumentError
from lakehouse.models.flavors import spark as spark_flavor
from lakehouse.models.mlmodel import PYFUNC
from lakehouse.registry.uris import ResolvedModelUri, resolve_model_uri
from lakehouse.scoring.udf import ModelUdf, _result_type, load_package_meta, udf_for

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["is_spark_ml", "predict_df"]


def is_spark_ml(resolved: ResolvedModelUri) -> bool:
    """True when the package is a Spark ML model (scored with ``transform``)."""
    _, meta = load_package_meta(resolved)
    loader = str(meta.flavors.get(PYFUNC, {}).get("loader_module", ""))
    return spark_flavor.FLAVOR_NAME in meta.flavors and loader.endswith("spark")


def _transform(
    df: DataFrame, resolved: ResolvedModelUri, column: str, result_type: Any
) -> DataFrame:
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, StructType

    folder, _ = load_package_meta(resolved)
    pipeline = spark_flavor.load_model(folder)
    wanted = _result_type(result_type)
    if isinstance(wanted, StructType):
        raise InvalidArgumentError(
            f"model {resolved.uri} is a Spark ML model; it gives a prediction (scalar types) "
            "or class probabilities (array<double>), not a struct"
        )
    out = pipeline.transform(df)
    if isinstance(wanted, ArrayType):
        value = vector_to_array(F.col("probability")).cast(wanted)
    else:
        value = F.col("prediction").cast(wanted)
    # Spark ML's attribute metadata describes its own column, not the renamed prediction.
    return out.select(*[F.col(f"`{c}`") for c in df.columns], value.alias(column, metadata={}))


def predict_df(
    df: DataFrame,
    model: str | Path | ResolvedModelUri | ModelUdf,
    *,
    prediction_column: str = "prediction",
    result_type: Any = "double",
    params: Mapping[str, Any] | None = None,
) -> DataFrame:
    """``df`` plus a ``prediction_column`` scored by ``model``, whatever its flavor.

    ``model`` is a model URI, an already resolved URI (to keep a version pinned
    across calls) or a :class:`ModelUdf`. Missing or mistyped input columns are
    reported here, on the driver, before any task runs. Example::

        scored = predict_df(spark.table("main.ml.features"), "models:/main.ml.churn@champion")
    """
    if prediction_column in df.columns:
        raise InvalidArgumentError(
            f"the DataFrame already has a column {prediction_column!r}; choose another "
            "prediction_column or drop that column first"
        )
    if isinstance(model, ModelUdf):
        udf = model
    else:
        resolved = model if isinstance(model, ResolvedModelUri) else resolve_model_uri(model)
        if is_spark_ml(resolved):
            return _transform(df, resolved, prediction_column, result_type)
        udf = udf_for(df.sparkSession, resolved, result_type, params=params)
    udf.check(df)
    return df.withColumn(prediction_column, udf())
