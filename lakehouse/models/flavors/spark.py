"""The Spark ML flavor: a ``pyspark.ml`` model, in MLflow's ``spark`` layout (``sparkml/``).

``load_model`` gives back a ``PipelineModel`` whose ``transform`` scores Spark
DataFrames natively (the way to score big data). The pyfunc face scores small pandas
inputs: it turns them into a Spark DataFrame on the active session, transforms, and
returns the ``prediction`` column as a numpy array. A model that is not a
``PipelineModel`` is wrapped in one, as MLflow does. Example::

    save_model(pipeline_model, "/tmp/churn_spark", input_example=train_df.limit(5))
    load_model("/tmp/churn_spark").transform(spark_df)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lakehouse.errors import InvalidArgumentError, InvalidModelError
from lakehouse.models.mlmodel import PYFUNC, MLModel
from lakehouse.models.package import (
    PackageOptions,
    copy_code_paths,
    finish_package,
    staged_package,
)
from lakehouse.models.signature import ModelSignature

__all__ = ["FLAVOR_NAME", "load_model", "save_model"]

FLAVOR_NAME = "spark"
_DATA = "sparkml"


def _as_pipeline(model: Any) -> Any:
    # pyspark is the flavor's framework; imported here to keep `import lakehouse` fast.
    from pyspark.ml import PipelineModel, Transformer

    if isinstance(model, PipelineModel):
        return model
    if isinstance(model, Transformer):
        return PipelineModel([model])
    raise InvalidArgumentError(
        f"a Spark ML model must be a pyspark.ml Transformer (e.g. a fitted PipelineModel); "
        f"got {type(model).__name__}. Fit the pipeline first: pipeline.fit(df)."
    )


def save_model(
    spark_model: Any,
    path: str | Path,
    *,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    code_paths: Sequence[str] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> MLModel:
    """Save a fitted Spark ML model as a package at ``path``; returns its MLmodel."""
    import pyspark

    pipeline = _as_pipeline(spark_model)
    opts = PackageOptions(
        signature=signature,
        input_example=input_example,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )
    with staged_package(path) as folder:
        pipeline.write().save(str(folder / _DATA))
        code = copy_code_paths(folder, code_paths)
        meta = MLModel()
        meta.add_flavor(
            FLAVOR_NAME,
            pyspark_version=pyspark.__version__,
            model_data=_DATA,
            code=code,
            model_class=f"{type(spark_model).__module__}.{type(spark_model).__name__}",
        )
        meta.add_flavor(PYFUNC, loader_module="mlflow.spark", data=_DATA, code=code)
        predict = SparkPyfunc(pipeline).predict if input_example is not None else None
        return finish_package(
            folder, meta, opts, serialized=[], base_requirements=["pyspark"], predict=predict
        )


def load_model(path: str) -> Any:
    """The ``PipelineModel`` stored in the package folder ``path``."""
    from pyspark.ml import PipelineModel

    from lakehouse.spark import spark

    spark()  # PipelineModel.load needs an active session
    conf = MLModel.load(path).flavors.get(FLAVOR_NAME)
    if conf is None:
        raise InvalidModelError(f"the model at {path} has no '{FLAVOR_NAME}' flavor")
    return PipelineModel.load(str(Path(path) / conf.get("model_data", _DATA)))


class SparkPyfunc:
    """Scores pandas input with a Spark ML pipeline; returns the ``prediction`` column."""

    def __init__(self, pipeline: Any) -> None:
        self.spark_model = pipeline

    def predict(self, data: Any, params: Mapping[str, Any] | None = None) -> Any:
        """``transform`` on a Spark DataFrame built from ``data``; the predictions as numpy."""
        import pandas as pd

        from lakehouse.spark import spark

        if type(data).__module__.startswith("pyspark."):
            return self.spark_model.transform(data)
        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        out = self.spark_model.transform(spark().createDataFrame(frame))
        return out.select("prediction").toPandas()["prediction"].to_numpy()

    def get_raw_model(self) -> Any:
        """The ``PipelineModel``."""
        return self.spark_model


def _load_pyfunc(path: str, model_config: dict[str, Any] | None = None) -> SparkPyfunc:
    """Load the package as a pyfunc model (MLflow passes the ``sparkml`` data folder)."""
    folder = Path(path)
    if folder.name == _DATA and not (folder / "MLmodel").exists():
        folder = folder.parent  # MLflow's loader hands us <package>/sparkml
    return SparkPyfunc(load_model(str(folder)))
