"""Alias of :mod:`lakehouse.feature_store` under the Databricks module name."""

from lakehouse.feature_store import (
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
