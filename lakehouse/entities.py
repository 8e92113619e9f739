"""``lakehouse.entities``: the module MLflow users know as ``mlflow.entities``.

Re-exports the tracking and registry entities under MLflow's names (``Dataset``,
``DatasetInput``, ``InputTag`` and ``RunInputs`` among them), and adds thin, frozen
records for the MLflow names the tracking layer has no use for (``ExperimentTag``,
``SourceType``): code that builds or type-annotates them imports the same names it used
with MLflow.
Example::

    from lakehouse.entities import ViewType
    lh.search_runs(run_view_type=ViewType.ALL)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lakehouse.registry.entities import ModelVersion, ModelVersionStatus, RegisteredModel
from lakehouse.tracking.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    FileInfo,
    InputTag,
    LifecycleStage,
    LoggedModel,
    LoggedModelStatus,
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
    "LoggedModelStatus",
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
