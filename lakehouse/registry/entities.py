"""Registry entities: frozen records with MLflow's names and meanings.

Timestamps are milliseconds since the epoch (``creation_timestamp``,
``last_updated_timestamp``) as in MLflow; versions are ``int`` (MLflow's client
takes ``str | int``, and so do ours).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "AliasMove",
    "Lineage",
    "LineageInput",
    "ModelVersion",
    "ModelVersionStatus",
    "RegisteredModel",
    "Stage",
    "canonical_stage",
]


class ModelVersionStatus(enum.StrEnum):
    """Registration status, as MLflow names it."""

    PENDING_REGISTRATION = "PENDING_REGISTRATION"
    FAILED_REGISTRATION = "FAILED_REGISTRATION"
    READY = "READY"


class Stage(enum.StrEnum):
    """Legacy model version stages."""

    NONE = "None"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"


_STAGES = {s.value.lower(): s for s in Stage}


def canonical_stage(stage: str | Stage | None) -> Stage:
    """The stage for a case-insensitive name; MLflow's message for a bad one."""
    if isinstance(stage, Stage):
        return stage
    key = "none" if stage is None else str(stage).lower()
    if key not in _STAGES:
        raise InvalidArgumentError(
            f"Invalid Model Version stage: {stage}. Value must be one of "
            f"{', '.join(s.value for s in Stage)}."
        )
    return _STAGES[key]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisteredModel:
    """A registered model ``catalog.schema.model``."""

    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None = None
    user_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    """Alias -> version, as MLflow's ``RegisteredModel.aliases``."""
    latest_versions: list[ModelVersion] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelVersion:
    """One immutable version of a registered model."""

    name: str
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    source: str
    """The URI the package was registered from (``runs:/...``, a path...)."""
    storage_location: str
    """Where the registry's own read-only copy lives, under ``<home>/models/``."""
    run_id: str | None = None
    status: ModelVersionStatus = ModelVersionStatus.READY
    status_message: str | None = None
    current_stage: Stage = Stage.NONE
    description: str | None = None
    user_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class LineageInput:
    """A table a version's run read, at the Delta version it read."""

    table_name: str
    version: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Lineage:
    """Where a model version came from: its run, its source and its input tables."""

    name: str
    version: int
    run_id: str | None
    source: str
    inputs: list[LineageInput] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasMove:
    """One recorded alias move; ``to_version`` is None when the alias was deleted."""

    name: str
    alias: str
    sequence: int
    """1, 2, 3... per (model, alias): the order in which the moves committed."""
    from_version: int | None
    to_version: int | None
    action: str
    """``set``, ``delete`` or ``rollback``."""
    user_id: str
    timestamp: int
