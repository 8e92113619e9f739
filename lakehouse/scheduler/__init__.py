"""Scheduled jobs: cron schedules beside job configs, runs as ``spark-submit`` processes.

A layer of its own above the data plane (``features/``, ``scoring/``) and below the
command line: it knows the store, the configuration and how to launch a job, and
nothing of what a job does. ``lakehouse scheduler run`` is the long-running process;
every run is a row of ``system.jobs.runs`` (``lakehouse jobs runs [JOB]``).
"""

from __future__ import annotations

from lakehouse.scheduler.jobs import SCHEDULE_KEYS, ScheduledJob, load_jobs
from lakehouse.scheduler.runs import JobRun, JobRunStatus, list_runs, runs_store
from lakehouse.scheduler.scheduler import (
    ROWS_CHANGED_MARK,
    Scheduler,
    latest_slot,
    report_rows_changed,
)

__all__ = [
    "ROWS_CHANGED_MARK",
    "SCHEDULE_KEYS",
    "JobRun",
    "JobRunStatus",
    "ScheduledJob",
    "Scheduler",
    "latest_slot",
    "list_runs",
    "load_jobs",
    "report_rows_changed",
    "runs_store",
]
