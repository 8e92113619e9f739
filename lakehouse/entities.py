"""``lakehouse.entities``: the module MLflow users know as ``mlflow.entities``.

Re-exports the tracking and registry entities under MLflow's names (``Dataset``,
``DatasetInput``, ``InputTag`` and ``RunInputs`` among them), and adds thin, frozen
records for the MLflow 3 names the tracking layer does not define yet (``LoggedModel``):
code that builds or type-annotates them imports the same names it used with MLflow.
Example::

    from lakehouse.entities import ViewType
    lh.search_runs(run_view_type=ViewType.ALL)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lakehouse.registry.entities import ModelVersion, ModelVersionStatus, RegisteredModel
from lakehouse.tracking.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    FileInfo,
    InputTag,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunData,
    RunInfo,
    RunInput,
    RunInputs,
    RunStatus,
    RunTag,
    ViewType,
)

__all__ = [
    "Dataset",
    "ExperimentTag",
    "DatasetInput",
    "Experiment",
    "FileInfo",
    "InputTag",
    "LifecycleStage",
    "LoggedModel",
    "Metric",
    "ModelVersion",
    "ModelVersionStatus",
    "Param",
    "RegisteredModel",
    "Run",
    "RunData",
    "RunInfo",
    "RunInput",
    "RunInputs",
    "RunStatus",
    "RunTag",
    "SourceType",
    "ViewType",
]


class SourceType(enum.StrEnum):
    """Where a run's code came from (the ``mlflow.source.type`` tag)."""

    NOTEBOOK = "NOTEBOOK"
    JOB = "JOB"
    PROJECT = "PROJECT"
    LOCAL = "LOCAL"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExperimentTag:
    """A tag of an experiment (experiments keep theirs as a dict: ``Experiment.tags``)."""

    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedModel:
    """An MLflow 3 logged model: a package with its own id (``models:/m-<model_id>``)."""

    model_id: str
    experiment_id: str
    name: str
    artifact_location: str
    creation_timestamp: int
    last_updated_timestamp: int
    source_run_id: str | None = None
    model_type: str | None = None
    status: str = "READY"
    tags: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Sequence[Metric] = ()

    @property
    def model_uri(self) -> str:
        """``models:/m-<model_id>``."""
        return f"models:/{self.model_id}"
