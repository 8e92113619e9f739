"""``lakehouse scheduler``: the long-running process that starts scheduled jobs.

``lakehouse scheduler run`` reads every config under ``conf/`` with a ``schedule``
and starts each job as a ``spark-submit`` process when it is due;
``lakehouse jobs runs [JOB]`` lists what ran (the ``system.jobs.runs`` table).
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from types import FrameType

import click

from lakehouse.cli.output import console, emit_json, json_option, print_table
from lakehouse.config import get_config
from lakehouse.errors import InvalidArgumentError
from lakehouse.scheduler import JobRun, Scheduler, list_runs, load_jobs, runs_store
from lakehouse.scheduler.scheduler import latest_slot

__all__ = ["runs_command", "scheduler"]

_conf_dir_option = click.option(
    "--conf-dir",
    default="conf",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder searched (recursively) for job configs with a schedule.",
)


def _parse_now(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgumentError(
            f"--now {value!r} is not an ISO time; expected e.g. 2026-01-01T02:00:00Z"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _run_rows(runs: list[JobRun]) -> list[dict[str, object]]:
    return [
        {
            "job": r.job,
            "scheduled": r.scheduled_time,
            "started": r.start_time,
            "ended": r.end_time,
            "status": r.status.value,
            "exit code": r.exit_code,
            "rows changed": r.rows_changed,
            "log": r.log_path,
        }
        for r in runs
    ]


_RUN_COLUMNS = [
    "job",
    "scheduled",
    "started",
    "ended",
    "status",
    "exit code",
    "rows changed",
    "log",
]


@click.group()
def scheduler() -> None:
    """Start scheduled jobs (cron schedules in conf/) as spark-submit processes."""


@scheduler.command("list")
@_conf_dir_option
@json_option
def list_jobs(conf_dir: str, as_json: bool) -> None:
    """List the scheduled jobs of CONF_DIR with their schedules and latest slots."""
    jobs = load_jobs(conf_dir)
    if as_json:
        return emit_json(jobs)
    now = dt.datetime.now(dt.UTC)
    print_table(
        [
            {
                "job": j.name,
                "schedule": j.schedule,
                "latest slot": latest_slot(j.schedule, now),
                "script": str(j.script),
                "config": str(j.conf_file),
            }
            for j in jobs
        ],
        ["job", "schedule", "latest slot", "script", "config"],
        title=f"Scheduled jobs in {conf_dir}",
    )


@scheduler.command("run")
@_conf_dir_option
@click.option("--once", is_flag=True, help="One tick: start due jobs, wait for them, exit.")
@click.option("--now", help="With --once: the time to tick at (ISO, UTC), instead of the clock.")
def run(conf_dir: str, once: bool, now: str | None) -> None:
    """Start each job when its schedule is due, one run per job at a time; Ctrl-C to stop.

    After downtime, a job's latest missed slot runs once. Every run is recorded in
    system.jobs.runs with its log file; `lakehouse jobs runs` lists them.
    """
    fixed = _parse_now(now)
    if fixed is not None and not once:
        raise InvalidArgumentError("--now is only for --once (a test or a manual catch-up)")
    jobs = load_jobs(conf_dir)
    sched = Scheduler(jobs, clock=(lambda: fixed) if fixed else _utcnow)
    if once:
        ended = sched.run_once()
        print_table(_run_rows(ended), _RUN_COLUMNS, title="Runs started by this tick")
        return
    console.print(
        f"scheduler: {len(jobs)} job(s) from {conf_dir}, root {get_config().home_uri}; "
        "Ctrl-C stops it after the running jobs end",
        soft_wrap=True,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sched.run_forever(stop)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@click.command("runs")
@click.argument("job", required=False)
@click.option("--limit", default=50, show_default=True, help="At most this many, newest first.")
@json_option
def runs_command(job: str | None, limit: int, as_json: bool) -> None:
    """List runs of scheduled jobs (all, or JOB's), newest first, from system.jobs.runs."""
    found = list_runs(runs_store(), job, limit=limit)
    if as_json:
        return emit_json(found)
    print_table(_run_rows(found), _RUN_COLUMNS, title=f"Runs of {job or 'all jobs'}")
