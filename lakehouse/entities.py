"""``lakehouse.entities``: the module MLflow users know as ``mlflow.entities``.

Re-exports the tracking and registry entities under MLflow's names, and adds thin,
frozen records for the MLflow 3 names the tracking layer does not define yet
(``Dataset``, ``DatasetInput``, ``InputTag``, ``LoggedModel``): code that builds or
type-annotates them imports the same names it used with MLflow. Example::

    from lakehouse.entities import ViewType
    lh.search_runs(run_view_type=ViewType.ALL)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lakehouse.registry.entities import ModelVersion, ModelVersionStatus, RegisteredModel
from lakehouse.tracking.entities import (
    Experiment,
    FileInfo,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunData,
    RunInfo,
    RunInput,
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
class Dataset:
    """A dataset a run used, with MLflow's fields (``digest`` identifies its content)."""

    name: str
    digest: str
    source_type: str
    source: str
    schema: str | None = None
    profile: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InputTag:
    """A tag on a run's dataset input, e.g. ``mlflow.data.context=training``."""

    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetInput:
    """A dataset and the tags of its use by one run."""

    dataset: Dataset
    tags: Sequence[InputTag] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInputs:
    """A run's inputs: ``dataset_inputs`` as MLflow has them."""

    dataset_inputs: Sequence[DatasetInput] = ()


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
