"""``FeatureEngineeringClient``: Databricks' feature-engineering calls on lakehouse.

Every method takes keyword arguments with Databricks' names and forwards to one
function of this package, so code written for ``databricks.feature_engineering``
runs with a changed import.

Example::

    from lakehouse.feature_store import FeatureEngineeringClient, FeatureLookup
    fe = FeatureEngineeringClient()
    fe.create_table(name="main.ml.customer_features", primary_keys=["customer_id"],
                    df=features_df, description="order activity per customer")
    ts = fe.create_training_set(df=labels_df, label="churned",
                                feature_lookups=[FeatureLookup(
                                    table_name="main.ml.customer_features",
                                    lookup_key="customer_id")])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lakehouse.features import functions, tables, training
from lakehouse.features import model as model_module
from lakehouse.features.entities import FeatureFunction, FeatureLookup, FeatureTable
from lakehouse.models.info import ModelInfo

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = ["FeatureEngineeringClient"]


class FeatureEngineeringClient:
    """Feature tables, training sets, models logged with them, and batch scoring."""

    def create_table(
        self,
        *,
        name: str,
        primary_keys: str | Sequence[str],
        df: DataFrame | None = None,
        schema: StructType | None = None,
        timeseries_column: str | None = None,
        partition_columns: str | Sequence[str] | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        **_: Any,
    ) -> FeatureTable:
        """Create a feature table (a Delta table in the namespace) from ``df`` or ``schema``.

        The timeseries column must be one of ``primary_keys``; keys must be non-null
        and unique in ``df``.
        """
        return tables.create_table(
            name=name,
            primary_keys=primary_keys,
            df=df,
            schema=schema,
            timeseries_column=timeseries_column,
            partition_columns=partition_columns,
            description=description,
            tags=tags,
        )

    def write_table(self, *, name: str, df: DataFrame, mode: str = "merge") -> None:
        """Upsert ``df`` on the primary keys; new columns become new features."""
        tables.write_table(name=name, df=df, mode=mode)

    def read_table(
        self,
        *,
        name: str,
        as_of_version: int | None = None,
        as_of_timestamp: str | dt.datetime | None = None,
    ) -> DataFrame:
        """The feature table's rows, now or at a Delta version or time."""
        return tables.read_table(
            name=name, as_of_version=as_of_version, as_of_timestamp=as_of_timestamp
        )

    def get_table(self, *, name: str) -> FeatureTable:
        """Keys, timeseries column, features, description, version, location, last refresh."""
        return tables.get_table(name=name)

    def drop_table(self, *, name: str) -> None:
        """Drop a feature table and its data."""
        tables.drop_table(name=name)

    def list_tables(self, *, schema: str | None = None) -> list[FeatureTable]:
        """The feature tables of ``catalog.schema`` (the default schema when none)."""
        return tables.list_tables(schema)

    def create_function(
        self,
        *,
        name: str,
        func: Callable[..., Any],
        return_type: str = "double",
        description: str | None = None,
    ) -> functions.RegisteredFunction:
        """Register a Python function as ``catalog.schema.name`` for ``FeatureFunction``."""
        return functions.create_function(
            name=name, func=func, return_type=return_type, description=description
        )

    def create_training_set(
        self,
        *,
        df: DataFrame,
        feature_lookups: Sequence[FeatureLookup | FeatureFunction],
        label: str | Sequence[str] | None,
        exclude_columns: Sequence[str] | None = None,
        bucket_seconds: int | None = None,
        **_: Any,
    ) -> training.TrainingSet:
        """A point-in-time training set over ``df``; tables are pinned at their current version."""
        return training.create_training_set(
            df=df,
            feature_lookups=feature_lookups,
            label=label,
            exclude_columns=exclude_columns,
            bucket_seconds=bucket_seconds,
        )

    def log_model(
        self,
        *,
        model: Any,
        artifact_path: str = "model",
        flavor: Any,
        training_set: training.TrainingSet,
        registered_model_name: str | None = None,
        **kwargs: Any,
    ) -> ModelInfo:
        """Log ``model`` (saved by ``flavor``, e.g. ``lh.sklearn``) with its feature spec.

        Only the spine's columns are required inputs of the logged model; the feature
        tables' versions become the run's inputs (registry lineage).
        """
        return model_module.log_model(
            model=model,
            artifact_path=artifact_path,
            flavor=flavor,
            training_set=training_set,
            registered_model_name=registered_model_name,
            **kwargs,
        )

    def score_batch(
        self, *, model_uri: str, df: DataFrame, result_type: str = "double", **_: Any
    ) -> DataFrame:
        """``df`` with the model's features looked up and a ``prediction`` column."""
        return model_module.score_batch(model_uri=model_uri, df=df, result_type=result_type)
