"""The feature store: feature tables, point-in-time training sets, models that look up features.

The data plane (Spark). Users import the face :mod:`lakehouse.feature_store`.
"""

# Registers the last-refresh lookup that get_table reports (system.features.refreshes).
from lakehouse.features import refresh as _refresh  # noqa: F401
from lakehouse.features.client import FeatureEngineeringClient
from lakehouse.features.entities import FeatureFunction, FeatureLookup, FeatureSpec, FeatureTable
from lakehouse.features.training import TrainingSet

__all__ = [
    "FeatureEngineeringClient",
    "FeatureFunction",
    "FeatureLookup",
    "FeatureSpec",
    "FeatureTable",
    "TrainingSet",
]
