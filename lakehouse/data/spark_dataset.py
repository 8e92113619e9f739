"""``SparkDataset``, ``from_spark`` and ``load_delta`` (MLflow's ``mlflow.data.spark_dataset``).

A DataFrame read from a namespace table is recorded with the table's **Delta
version** (``source_type`` ``delta_table``): logging it also records that table
version as the run's lineage (``lh.Client().get_run_inputs``), which MLflow cannot.
"""

from __future__ import annotations

import logging
import uuid
from functools import cached_property
from typing import TYPE_CHECKING, Any

from lakehouse.data.dataset import Dataset, colspec_json, column_schema
from lakehouse.data.digest_utils import get_normalized_md5_digest
from lakehouse.data.sources import (
    DatasetSource,
    DeltaDatasetSource,
    SparkDatasetSource,
    resolve_dataset_source,
)
from lakehouse.errors import InvalidArgumentError, InvalidNameError, NotFoundError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from lakehouse.models.signature import Schema

__all__ = ["SparkDataset", "from_spark", "load_delta"]

_logger = logging.getLogger(__name__)


class SparkDataset(Dataset):
    """A Spark DataFrame; its digest is a hash of its analyzed plan (no data is read)."""

    def __init__(
        self,
        df: DataFrame,
        source: DatasetSource,
        targets: str | None = None,
        name: str | None = None,
        digest: str | None = None,
        predictions: str | None = None,
    ):
        for column, what in ((targets, "targets"), (predictions, "predictions")):
            if column is not None and column not in df.columns:
                raise InvalidArgumentError(
                    f"The specified Spark dataset does not contain the specified {what} column "
                    f"'{column}'; its columns are {df.columns}"
                )
        self._df = df
        self._targets = targets
        self._predictions = predictions
        super().__init__(source=source, name=name, digest=digest)

    def _compute_digest(self) -> str:
        import numpy as np

        return get_normalized_md5_digest([np.int64(self._df.semanticHash())])

    @property
    def df(self) -> DataFrame:
        return self._df

    @property
    def targets(self) -> str | None:
        return self._targets

    @property
    def predictions(self) -> str | None:
        return self._predictions

    @cached_property
    def profile(self) -> dict[str, Any] | None:
        """``{"approx_count": n}``: a count bounded to 5 s, as MLflow takes it."""
        try:
            return {"approx_count": _approx_count(self._df)}
        except Exception as exc:  # noqa: BLE001 - a profile is optional, as in MLflow
            _logger.warning("could not count the rows of the Spark dataset: %s", exc)
            return None

    @cached_property
    def schema(self) -> Schema | None:
        """The columns as a :class:`~lakehouse.types.Schema` (None if a type has no spec)."""
        return column_schema(self._df)

    def _schema_json(self) -> str | None:
        return colspec_json(self.schema)


def _approx_count(df: DataFrame) -> int | str:
    """Rows counted with Spark's ``sumApprox`` (5 s, confidence 0.9), as MLflow counts them.

    ``"unknown"`` when no estimate came within the 5 s (MLflow's value), e.g. on a
    busy cluster: the profile is informational and never holds up ``log_input``.
    """
    from pyspark.rdd import BoundedFloat

    sc = df.sparkSession.sparkContext
    # The approximate job keeps running after its answer is taken: cancel it then.
    group = f"lakehouse-dataset-profile-{uuid.uuid4().hex}"
    sc.setJobGroup(group, "dataset profile (approximate row count)", interruptOnCancel=True)
    try:
        partial = df.rdd.mapPartitions(lambda it: [float(sum(1 for _ in it))])
        jrdd = partial.mapPartitions(lambda it: [float(sum(it))])._to_java_object_rdd()
        jvm = partial.ctx._jvm
        assert jvm is not None
        result = jvm.JavaDoubleRDD.fromRDD(jrdd.rdd()).sumApprox(5000, 0.9).initialValue()
    finally:
        sc.cancelJobGroup(group)
        sc.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
        sc.setLocalProperty("spark.job.description", None)  # type: ignore[arg-type]
        sc.setLocalProperty("spark.job.interruptOnCancel", None)  # type: ignore[arg-type]
    count = int(
        BoundedFloat(
            mean=result.mean(),
            confidence=result.confidence(),
            low=result.low(),
            high=result.high(),
        )
    )
    return count if count > 0 else "unknown"


def _table_version(table_name: str) -> int | None:
    """The current Delta version of a namespace table, or None if it is not one."""
    from lakehouse.catalog.namespace import describe_table

    try:
        return describe_table(table_name).version
    except (NotFoundError, InvalidNameError):
        return None


def _path_version(df: DataFrame, path: str) -> int | None:
    """The current version of the Delta table at ``path``, or None if it is not one."""
    from delta.tables import DeltaTable

    session = df.sparkSession
    if not DeltaTable.isDeltaTable(session, path):
        return None
    row = DeltaTable.forPath(session, path).history(1).select("version").first()
    return None if row is None else int(row[0])


def _source(
    df: DataFrame,
    path: str | None,
    table_name: str | None,
    version: int | str | None,
    sql: str | None,
) -> DatasetSource:
    if sum(x is not None for x in (path, table_name, sql)) > 1:
        raise InvalidArgumentError("Must specify at most one of `path`, `table_name`, or `sql`.")
    if sql is not None and version is not None:
        raise InvalidArgumentError(
            "`version` may not be specified when `sql` is specified. `version` may only be "
            "specified when `table_name` or `path` is specified."
        )
    if sql is not None:
        return SparkDatasetSource(sql=sql)
    if path is not None:
        current = _path_version(df, path)
        if current is None and version is not None:
            raise InvalidArgumentError(
                f"Version '{version}' was specified, but the path '{path}' does not refer to "
                "a Delta table."
            )
        if current is None:
            return SparkDatasetSource(path=path)
        return DeltaDatasetSource(path=path, delta_table_version=_int(version, current))
    if table_name is not None:
        current = _table_version(table_name)
        if current is None and version is not None:
            raise InvalidArgumentError(
                f"Version '{version}' was specified, but could not find a Delta table with "
                f"name '{table_name}' in the namespace (lh.list_tables() lists them)."
            )
        if current is None:
            return SparkDatasetSource(table_name=table_name)
        from lakehouse.catalog.names import parse_name

        return DeltaDatasetSource(
            delta_table_name=str(parse_name(table_name)),
            delta_table_version=_int(version, current),
        )
    return resolve_dataset_source(None)


def _int(version: int | str | None, current: int) -> int:
    if version is None:
        return current
    try:
        return int(version)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"version must be a Delta table version (an integer), got {version!r}"
        ) from None


def from_spark(
    df: DataFrame,
    path: str | None = None,
    table_name: str | None = None,
    version: int | str | None = None,
    sql: str | None = None,
    targets: str | None = None,
    name: str | None = None,
    digest: str | None = None,
    predictions: str | None = None,
) -> SparkDataset:
    """A dataset of a Spark DataFrame, for ``lh.log_input``.

    ``table_name`` (a namespace table) or ``path`` (a Delta folder) records where it was
    read and at which Delta version (the current one when ``version`` is None); ``sql``
    records the query. Example::

        df = lh.table("main.ml.orders")
        lh.log_input(lh.data.from_spark(df, table_name="main.ml.orders"), context="training")
    """
    return SparkDataset(
        df=df,
        source=_source(df, path, table_name, version, sql),
        targets=targets,
        name=name,
        digest=digest,
        predictions=predictions,
    )


def load_delta(
    path: str | None = None,
    table_name: str | None = None,
    version: int | str | None = None,
    targets: str | None = None,
    name: str | None = None,
    digest: str | None = None,
) -> SparkDataset:
    """Read a Delta table (a namespace name or a path) at ``version`` as a dataset.

    Named ``<table_name>@v<version>`` unless ``name`` is given, as MLflow names it.
    """
    from lakehouse.spark import spark

    if (path is None) == (table_name is None):
        raise InvalidArgumentError("Must specify exactly one of `table_name` or `path`.")
    session = spark()
    if table_name is not None:
        from lakehouse.catalog.names import parse_name, sql_name

        full = str(parse_name(table_name))
        current = _table_version(full)
        if current is None:
            raise NotFoundError(f"table {full!r} does not exist; lh.list_tables() lists tables")
        v = _int(version, current)
        df = session.sql(f"SELECT * FROM {sql_name(full)} VERSION AS OF {v}")
        source = DeltaDatasetSource(delta_table_name=full, delta_table_version=v)
        name = name if name is not None else f"{full}@v{v}"
    else:
        assert path is not None
        reader = session.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", _int(version, 0))
        df = reader.load(path)
        current = _path_version(df, path)
        source = DeltaDatasetSource(path=path, delta_table_version=_int(version, current or 0))
    return SparkDataset(df=df, source=source, targets=targets, name=name, digest=digest)
