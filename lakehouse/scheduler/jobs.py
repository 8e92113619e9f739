"""Scheduled jobs, found in the YAML configs of ``conf/``: a config with a ``schedule`` is one.

A job's schedule lives beside its config, in the same file::

    # conf/features/customer_features.yaml
    schedule: "0 2 * * *"            # cron, UTC: every night at 02:00
    job: jobs/refresh_features.py    # the spark-submit script, relative to the project
    submit_args: ["--master", "local[2]"]   # optional, put before the script
    table: main.demo.customer_features      # ... the job's own keys

The job is named after the file (``customer_features``) and launched as
``spark-submit <lakehouse spark-conf> <submit_args> <job> --conf-file <the file>``.
Job configs accept :data:`SCHEDULE_KEYS` besides their own keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from croniter import croniter

from lakehouse.errors import ConfigError

__all__ = ["SCHEDULE_KEYS", "ScheduledJob", "load_jobs", "scheduled_job"]

SCHEDULE_KEYS = frozenset({"schedule", "job", "submit_args"})
"""Keys the scheduler reads from a job's config; each job's own loader must accept them."""

_JOB_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledJob:
    """One job the scheduler starts: its name, cron schedule, script and config file."""

    name: str
    schedule: str
    script: Path
    conf_file: Path
    submit_args: tuple[str, ...] = ()


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path} must hold a mapping of settings, got {type(data).__name__}")
    return data


def scheduled_job(path: Path, data: Mapping[str, Any], project_dir: Path) -> ScheduledJob:
    """The job a config with a ``schedule`` describes; ConfigError names a bad value."""
    schedule = data.get("schedule")
    if not isinstance(schedule, str) or not croniter.is_valid(schedule):
        raise ConfigError(
            f"{path}: schedule {schedule!r} is not a cron expression; expected five fields "
            'such as "0 2 * * *" (minute hour day-of-month month day-of-week, UTC)'
        )
    name = path.stem
    if not _JOB_NAME.match(name):
        raise ConfigError(
            f"{path}: the job is named after its file, and {name!r} is not a valid job name "
            "(letters, digits, '_', '.', '-'; at most 128)"
        )
    script_value = data.get("job")
    if not isinstance(script_value, str) or not script_value:
        raise ConfigError(
            f"{path}: a scheduled config needs 'job', the script to spark-submit "
            "(e.g. job: jobs/refresh_features.py)"
        )
    script = Path(script_value)
    script = script if script.is_absolute() else project_dir / script
    if not script.is_file():
        raise ConfigError(f"{path}: job script {script} does not exist")
    submit_args = data.get("submit_args", [])
    if not isinstance(submit_args, list) or not all(isinstance(a, str) for a in submit_args):
        raise ConfigError(f"{path}: submit_args must be a list of strings, got {submit_args!r}")
    return ScheduledJob(
        name=name,
        schedule=schedule,
        script=script.resolve(),
        conf_file=path.resolve(),
        submit_args=tuple(submit_args),
    )


def load_jobs(conf_dir: str | Path, *, project_dir: str | Path | None = None) -> list[ScheduledJob]:
    """Every config under ``conf_dir`` (recursively) that has a ``schedule``, sorted by name.

    Relative ``job`` paths resolve against ``project_dir`` (default: the parent of
    ``conf_dir``, the checkout that holds ``conf/`` and ``jobs/``).
    """
    root = Path(conf_dir)
    if not root.is_dir():
        raise ConfigError(f"job config folder {root} does not exist")
    base = Path(project_dir) if project_dir is not None else root.resolve().parent
    jobs: dict[str, ScheduledJob] = {}
    for path in sorted(root.rglob("*.y*ml")):
        data = _read_yaml(path)
        if "schedule" not in data:
            continue
        job = scheduled_job(path, data, base)
        if job.name in jobs:
            raise ConfigError(
                f"two scheduled configs are named {job.name!r}: {jobs[job.name].conf_file} and "
                f"{job.conf_file}; rename one (a job is named after its file)"
            )
        jobs[job.name] = job
    return sorted(jobs.values(), key=lambda j: j.name)
