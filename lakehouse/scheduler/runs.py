"""``system.jobs.runs``: one row per scheduled run of a job, written with delta-rs.

A row is created by the scheduler that claims a (job, scheduled time) slot: a
MERGE that inserts the row only when no row has the same ``run_id`` (the job
and the slot), so two schedulers can never both start one slot. The same row is
then updated once, when the run ends.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.config import Config
from lakehouse.store import layout
from lakehouse.store.delta import DeltaStore, TableSpec

__all__ = [
    "RUNS_SPEC",
    "JobRun",
    "JobRunStatus",
    "claim_run",
    "finish_run",
    "list_runs",
    "run_id_for",
    "runs_store",
]

_TS = pa.timestamp("us", tz="UTC")

RUNS_SPEC = TableSpec(
    schema=pa.schema(
        [
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("job", pa.string(), nullable=False),
            pa.field("scheduled_time", _TS),
            pa.field("start_time", _TS),
            pa.field("end_time", _TS),
            pa.field("status", pa.string()),
            pa.field("exit_code", pa.int32()),
            pa.field("log_path", pa.string()),
            pa.field("rows_changed", pa.int64()),
            pa.field("command", pa.string()),
            pa.field("host", pa.string()),
            pa.field("pid", pa.int64()),
            pa.field("message", pa.string()),
        ]
    ),
    keys=("run_id",),
    description="Runs of scheduled jobs (lakehouse scheduler): one row per (job, scheduled time).",
)

# The columns a finished run sets on its row.
_END_COLUMNS = ("end_time", "status", "exit_code", "rows_changed", "message")


class JobRunStatus(enum.Enum):
    """Where a run is: started and not ended, ended with exit code 0, or anything else."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True, kw_only=True)
class JobRun:
    """One run of a scheduled job, as ``system.jobs.runs`` records it."""

    run_id: str
    job: str
    scheduled_time: dt.datetime
    start_time: dt.datetime
    status: JobRunStatus
    end_time: dt.datetime | None = None
    exit_code: int | None = None
    log_path: str | None = None
    rows_changed: int | None = None
    command: str | None = None
    host: str | None = None
    pid: int | None = None
    message: str | None = None


def run_id_for(job: str, scheduled_time: dt.datetime) -> str:
    """The id of a job's run for one slot: the same in every scheduler process."""
    return f"{job}@{scheduled_time.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"


def runs_store(cfg: Config | None = None) -> DeltaStore:
    """The Delta table ``system.jobs.runs`` under the configured root."""
    return DeltaStore(layout.system_table_uri("jobs", "runs", cfg=cfg), RUNS_SPEC)


def _row(run: JobRun) -> dict[str, object]:
    return {
        "run_id": run.run_id,
        "job": run.job,
        "scheduled_time": run.scheduled_time,
        "start_time": run.start_time,
        "end_time": run.end_time,
        "status": run.status.value,
        "exit_code": run.exit_code,
        "log_path": run.log_path,
        "rows_changed": run.rows_changed,
        "command": run.command,
        "host": run.host,
        "pid": run.pid,
        "message": run.message,
    }


def _from_row(row: dict[str, object]) -> JobRun:
    values = dict(row)
    values["status"] = JobRunStatus(values["status"])
    return JobRun(**values)  # type: ignore[arg-type]


def claim_run(store: DeltaStore, run: JobRun) -> bool:
    """Record ``run`` as started unless its slot already has a row; True when it was ours."""
    return store.insert_if_absent([_row(run)]) == 1


def finish_run(store: DeltaStore, run: JobRun) -> None:
    """Set the end columns (end time, status, exit code, rows changed, message) of ``run``."""
    store.update_columns([_row(run)], _END_COLUMNS)


def list_runs(
    store: DeltaStore,
    job: str | None = None,
    *,
    status: JobRunStatus | None = None,
    limit: int | None = None,
) -> list[JobRun]:
    """Runs, newest scheduled time first; only ``job``'s and only in ``status`` when given."""
    filters: list[tuple[str, str, object]] = []
    if job is not None:
        filters.append(("job", "=", job))
    if status is not None:
        filters.append(("status", "=", status.value))
    rows = store.read(filters)
    if rows.num_rows == 0:
        return []
    order = pc.sort_indices(
        rows, sort_keys=[("scheduled_time", "descending"), ("run_id", "ascending")]
    )
    rows = rows.take(order)
    if limit is not None:
        rows = rows.slice(0, limit)
    return [_from_row(r) for r in rows.to_pylist()]
