"""``lakehouse.data``: the module MLflow users know as ``mlflow.data``.

Build a dataset from pandas, numpy or Spark and log it with ``lh.log_input``: its
name, digest, source, schema and profile are computed as MLflow computes them and
kept in ``system.tracking.dataset_inputs`` (``run.inputs.dataset_inputs``;
``datasets.name``/``digest``/``context`` in ``search_runs`` filters). A Spark
DataFrame read from a namespace table records the table's Delta version, and that
version becomes the run's lineage too. Example::

    import lakehouse as lh
    df = lh.table("main.ml.orders")
    with lh.start_run():
        lh.log_input(lh.data.from_spark(df, table_name="main.ml.orders"), context="training")
        lh.log_input(lh.data.from_pandas(df.toPandas(), name="orders"), context="eval")
"""

from __future__ import annotations

from lakehouse.data.dataset import Dataset
from lakehouse.data.numpy_dataset import NumpyDataset, from_numpy
from lakehouse.data.pandas_dataset import PandasDataset, from_pandas
from lakehouse.data.sources import (
    CodeDatasetSource,
    DatasetSource,
    DeltaDatasetSource,
    SparkDatasetSource,
    UriDatasetSource,
    get_dataset_source_from_json,
)
from lakehouse.data.spark_dataset import SparkDataset, from_spark, load_delta
from lakehouse.errors import InvalidArgumentError
from lakehouse.tracking.entities import Dataset as DatasetEntity
from lakehouse.tracking.entities import DatasetInput

__all__ = [
    "CodeDatasetSource",
    "Dataset",
    "DatasetSource",
    "DeltaDatasetSource",
    "NumpyDataset",
    "PandasDataset",
    "SparkDataset",
    "SparkDatasetSource",
    "UriDatasetSource",
    "from_numpy",
    "from_pandas",
    "from_spark",
    "get_source",
    "load_delta",
]


def get_source(dataset: Dataset | DatasetEntity | DatasetInput) -> DatasetSource:
    """Where a dataset came from, e.g. the one a run logged; ``.load()`` reads it again.

    Example::

        logged = lh.get_run(run_id).inputs.dataset_inputs[0]
        df = lh.data.get_source(logged).load()  # the Delta table at the logged version
    """
    if isinstance(dataset, DatasetInput):
        dataset = dataset.dataset
    if isinstance(dataset, DatasetEntity):
        return get_dataset_source_from_json(dataset.source, dataset.source_type)
    if isinstance(dataset, Dataset):
        return dataset.source
    raise InvalidArgumentError(
        f"get_source takes a dataset (lh.data.from_*), an entities.Dataset or an "
        f"entities.DatasetInput, got {type(dataset).__name__}"
    )
