"""``from lakehouse.feature_store import FeatureEngineeringClient, FeatureLookup, FeatureFunction``.

The face of the feature store, shaped like ``databricks.feature_engineering``:
code written for Databricks runs with this import instead.

Example::

    fe = FeatureEngineeringClient()
    fe.create_table(name="main.ml.customer_features", primary_keys=["customer_id"], df=df)
"""

from lakehouse.features import (
    FeatureEngineeringClient,
    FeatureFunction,
    FeatureLookup,
    FeatureSpec,
    FeatureTable,
    TrainingSet,
)

__all__ = [
    "FeatureEngineeringClient",
    "FeatureFunction",
    "FeatureLookup",
    "FeatureSpec",
    "FeatureTable",
    "TrainingSet",
]
