"""The model registry: ``catalog.schema.model`` names, versions, aliases, stages, lineage.

State lives in ``system.registry.*`` Delta tables (delta-rs); packages are copied
to ``<home>/models/<catalog>/<schema>/<model>/<version>/`` and made read-only.
"""

from lakehouse.registry.client import RegistryClient
from lakehouse.registry.entities import (
    AliasMove,
    Lineage,
    LineageInput,
    ModelVersion,
    ModelVersionStatus,
    RegisteredModel,
    Stage,
)
from lakehouse.registry.fluent import lineage, register_model, rollback_alias

__all__ = [
    "AliasMove",
    "Lineage",
    "LineageInput",
    "ModelVersion",
    "ModelVersionStatus",
    "RegisteredModel",
    "RegistryClient",
    "Stage",
    "lineage",
    "register_model",
    "rollback_alias",
]
