"""Tracking entities: MLflow's shapes as small frozen records (STYLE.md #3).

Times on entities are epoch milliseconds (``int``) as in MLflow; the Delta
tables under ``system.tracking`` hold them as UTC timestamps where that reads
better in SQL (run start and end times), and as MLflow's milliseconds for metric
points.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Dataset",
    "DatasetInput",
    "Experiment",
    "FileInfo",
    "InputTag",
    "LifecycleStage",
    "LoggedModel",
    "LoggedModelStatus",
    "Metric",
    "Param",
    "Run",
    "RunData",
    "RunInfo",
    "RunInput",
    "RunInputs",
    "RunStatus",
    "RunTag",
    "ViewType",
]


class RunStatus(enum.StrEnum):
    """Status of a run (MLflow's names)."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    @classmethod
    def parse(cls, value: str | RunStatus) -> RunStatus:
        """``"finished"`` or ``RunStatus.FINISHED`` -> ``RunStatus.FINISHED``."""
        if isinstance(value, RunStatus):
            return value
        try:
            return cls(str(value).upper())
        except ValueError:
            from lakehouse.errors import InvalidArgumentError

            names = ", ".join(s.value for s in cls)
            raise InvalidArgumentError(
                f"unknown run status {value!r}; expected one of {names}"
            ) from None

    def is_terminated(self) -> bool:
        return self in (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)


class LifecycleStage(enum.StrEnum):
    """Whether an experiment or run is deleted (soft delete, restorable)."""

    ACTIVE = "active"
    DELETED = "deleted"


class ViewType(enum.StrEnum):
    """Which lifecycle stages a search returns (MLflow's ``ViewType``)."""

    ACTIVE_ONLY = "ACTIVE_ONLY"
    DELETED_ONLY = "DELETED_ONLY"
    ALL = "ALL"

    def stages(self) -> tuple[str, ...]:
        return {
            ViewType.ACTIVE_ONLY: ("active",),
            ViewType.DELETED_ONLY: ("deleted",),
            ViewType.ALL: ("active", "deleted"),
        }[self]


@dataclass(frozen=True, slots=True, kw_only=True)
class Experiment:
    """An experiment: a named group of runs, named ``catalog.schema.name``."""

    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str = LifecycleStage.ACTIVE.value
    tags: Mapping[str, str] = field(default_factory=dict)
    creation_time: int | None = None
    last_update_time: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric:
    """One metric point."""

    key: str
    value: float
    timestamp: int
    step: int = 0
    run_id: str | None = None
    model_id: str | None = None
    """The logged model the point is about (``log_metric(..., model_id=)``), as MLflow 3."""
    dataset_name: str | None = None
    """The dataset the point was measured on (``log_metric(..., dataset=)``): its name..."""
    dataset_digest: str | None = None
    """... and its digest."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunTag:
    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    """Identity, status and times of a run."""

    run_id: str
    experiment_id: str
    run_name: str
    status: RunStatus
    start_time: int
    end_time: int | None
    user_id: str
    artifact_uri: str
    """URI of the run's artifact root: ``<home>/artifacts/<experiment_id>/<run_id>/artifacts``."""
    lifecycle_stage: str = LifecycleStage.ACTIVE.value

    @property
    def run_uuid(self) -> str:
        """MLflow's older name for ``run_id``."""
        return self.run_id


@dataclass(frozen=True, slots=True, kw_only=True)
class RunData:
    """Params, latest metric values and tags of a run, as dicts."""

    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInput:
    """A table version a run read (``lh.log_input``): lineage for the registry."""

    table_name: str
    version: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Dataset:
    """A dataset a run used, with MLflow's fields (``digest`` identifies its content).

    ``source`` is the JSON of where it came from (``source_type`` says how to read it,
    e.g. ``delta_table`` with ``delta_table_name`` and ``delta_table_version``);
    ``schema`` and ``profile`` are JSON as MLflow writes them.
    """

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
class Run:
    """A run: ``info`` (identity, status), ``data`` (params, metrics, tags) and ``inputs``."""

    info: RunInfo
    data: RunData = field(default_factory=RunData)
    inputs: RunInputs = field(default_factory=RunInputs)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileInfo:
    """An entry of ``list_artifacts``: a path relative to the run's artifact root."""

    path: str
    is_dir: bool
    file_size: int | None = None


class LoggedModelStatus(enum.StrEnum):
    """Status of a logged model (MLflow 3's names): PENDING while its package is written."""

    UNSPECIFIED = "UNSPECIFIED"
    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"

    @staticmethod
    def is_finalized(status: str) -> bool:
        """READY and FAILED are final (as MLflow)."""
        return status in (LoggedModelStatus.READY, LoggedModelStatus.FAILED)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedModel:
    """An MLflow 3 logged model: a package with its own id, ``models:/m-<32 hex>``.

    Every ``log_model`` creates one. ``artifact_location`` is the package folder (in
    the source run's artifacts, so ``runs:/<run_id>/<name>`` names it too); ``params``
    are the ones given to ``log_model(params=)`` plus the run's; ``metrics`` are the
    points logged with ``model_id=``, oldest step first.
    """

    model_id: str
    experiment_id: str
    name: str
    artifact_location: str
    creation_timestamp: int
    last_updated_timestamp: int
    source_run_id: str | None = None
    model_type: str | None = None
    status: LoggedModelStatus = LoggedModelStatus.READY
    status_message: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Sequence[Metric] = ()

    @property
    def model_uri(self) -> str:
        """``models:/m-<model_id>``: loads with ``lh.pyfunc.load_model``."""
        return f"models:/{self.model_id}"
