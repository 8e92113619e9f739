"""The scheduler: starts due jobs as ``spark-submit`` processes and records every run.

Each tick, for each job, the latest scheduled time at or before now (its *slot*)
runs once if no run holds it yet. So after downtime a job catches up its latest
missed slot once (older missed slots are skipped), and a job that never ran
starts at the first tick. Two guards keep one job from running twice at once:

* an exclusive, non-blocking ``flock`` on ``<root>/locks/jobs/<job>.lock``, held
  by the scheduler while the run lasts and inherited by the launched process, so
  it stays held even if the scheduler dies first; a second scheduler (any
  process on this machine) skips a job whose lock is taken;
* a conditional Delta commit that claims the slot in ``system.jobs.runs``
  (insert only if absent), so schedulers that do not share a lock folder (a root
  on object storage, schedulers on two machines) still start a slot once.

A ``RUNNING`` row whose job lock is free belongs to a run nobody watches any
more (its scheduler was killed): the next tick records it as failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from croniter import croniter

from lakehouse import paths
from lakehouse.config import Config, get_config
from lakehouse.errors import ConfigError
from lakehouse.scheduler.jobs import ScheduledJob
from lakehouse.scheduler.runs import (
    JobRun,
    JobRunStatus,
    claim_run,
    finish_run,
    list_runs,
    run_id_for,
    runs_store,
)

__all__ = ["ROWS_CHANGED_MARK", "Scheduler", "latest_slot", "report_rows_changed"]

_log = logging.getLogger(__name__)

ROWS_CHANGED_MARK = "lakehouse-job: rows_changed="
"""A job prints this followed by a count; the scheduler records the last one it printed."""

_LOST = (
    "no process held the job's lock: the scheduler that started this run stopped before "
    "the run ended, so its exit status is unknown"
)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def report_rows_changed(rows: int) -> None:
    """Tell the scheduler that launched this job how many rows it changed (a stdout line)."""
    print(f"{ROWS_CHANGED_MARK}{int(rows)}", flush=True)


def latest_slot(schedule: str, now: dt.datetime) -> dt.datetime:
    """The latest time at or before ``now`` that the cron ``schedule`` names (UTC)."""
    # croniter's get_prev is strictly before its start: start just after now to include now.
    start = now.astimezone(dt.UTC) + dt.timedelta(microseconds=1)
    slot: dt.datetime = croniter(schedule, start).get_prev(dt.datetime)
    return slot.astimezone(dt.UTC).replace(fold=0)


def _next_slot(schedule: str, now: dt.datetime) -> dt.datetime:
    slot: dt.datetime = croniter(schedule, now.astimezone(dt.UTC)).get_next(dt.datetime)
    return slot.astimezone(dt.UTC).replace(fold=0)


class _JobLock:
    """An exclusive ``flock`` on one job's lock file; ``fd`` is passed to the run's process."""

    def __init__(self, fd: int):
        self.fd = fd

    @classmethod
    def try_acquire(cls, path: Path) -> _JobLock | None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return cls(fd)

    def release(self) -> None:
        os.close(self.fd)  # closing our descriptor; a still-running child keeps the lock


@dataclass(slots=True)
class _Active:
    run: JobRun
    process: subprocess.Popen[bytes]
    lock: _JobLock
    log: IO[bytes]


def _local_dir(cfg: Config, *parts: str) -> Path:
    """A folder under the root when it is local, else under ``./lakehouse-local``."""
    base = (
        Path(paths.to_local_path(cfg.home_uri))
        if paths.is_local(cfg.home_uri)
        else Path.cwd() / "lakehouse-local"
    )
    return base.joinpath(*parts)


def _spark_submit() -> str:
    beside = Path(sys.executable).parent / "spark-submit"
    found = str(beside) if beside.exists() else shutil.which("spark-submit")
    if not found:
        raise ConfigError("spark-submit was not found beside the Python interpreter or on PATH")
    return found


def _submit_conf_args(cfg: Config) -> list[str]:
    """What ``lakehouse spark-conf --submit`` prints, as arguments."""
    from lakehouse.spark import delta_spark_conf

    conf = delta_spark_conf(cfg)
    args = ["--jars", conf.pop("spark.jars")]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    return args


def _rows_changed(log_path: Path) -> int | None:
    """The last count the job reported with :func:`report_rows_changed`, if any."""
    try:
        with log_path.open("rb") as f:
            f.seek(max(0, log_path.stat().st_size - 256_000))
            tail = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    found = None
    for line in tail.splitlines():
        if line.startswith(ROWS_CHANGED_MARK):
            with contextlib.suppress(ValueError):
                found = int(line[len(ROWS_CHANGED_MARK) :].strip())
    return found


class Scheduler:
    """Starts the due runs of ``jobs`` and records them in ``system.jobs.runs``.

    ``clock`` gives "now" (UTC); tests pass a fixed time to trigger a slot at once.
    Example::

        scheduler = Scheduler(load_jobs("conf"))
        scheduler.run_forever(threading.Event())   # what `lakehouse scheduler run` does
    """

    def __init__(
        self,
        jobs: Sequence[ScheduledJob],
        *,
        cfg: Config | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
    ):
        self.jobs = list(jobs)
        self.cfg = cfg or get_config()
        self.clock = clock
        self.store = runs_store(self.cfg)
        self._active: dict[str, _Active] = {}

    # -- one tick ---------------------------------------------------------------
    def tick(self) -> list[JobRun]:
        """Record ended runs, then start each job whose latest slot has no run; returns starts."""
        self.poll()
        now = self.clock()
        started = []
        for job in self.jobs:
            if job.name in self._active:
                continue  # still running here: the next slot waits for it
            run = self._try_start(job, now)
            if run is not None:
                started.append(run)
        return started

    def _lock_path(self, job: ScheduledJob) -> Path:
        return _local_dir(self.cfg, "locks", "jobs", f"{job.name}.lock")

    def _try_start(self, job: ScheduledJob, now: dt.datetime) -> JobRun | None:
        lock = _JobLock.try_acquire(self._lock_path(job))
        if lock is None:
            return None  # another scheduler's run of this job is in progress
        try:
            self._fail_lost_runs(job)
            slot = latest_slot(job.schedule, now)
            log_path = _local_dir(self.cfg, "logs", "jobs", job.name, f"{slot:%Y%m%dT%H%M%SZ}.log")
            command = [
                _spark_submit(),
                *_submit_conf_args(self.cfg),
                *job.submit_args,
                str(job.script),
                "--conf-file",
                str(job.conf_file),
            ]
            run = JobRun(
                run_id=run_id_for(job.name, slot),
                job=job.name,
                scheduled_time=slot,
                start_time=_utcnow(),
                status=JobRunStatus.RUNNING,
                log_path=str(log_path),
                command=" ".join(command),
                host=socket.gethostname(),
                pid=os.getpid(),
            )
            if not claim_run(self.store, run):
                lock.release()
                return None
            self._active[job.name] = self._launch(run, command, lock, log_path)
            return run
        except BaseException:
            lock.release()
            raise

    def _launch(self, run: JobRun, command: list[str], lock: _JobLock, log_path: Path) -> _Active:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("ab")
        env = {
            **os.environ,
            "LAKEHOUSE_HOME": self.cfg.home_uri,
            "PYSPARK_PYTHON": sys.executable,
            "LAKEHOUSE_JOB_RUN_ID": run.run_id,
        }
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                pass_fds=(lock.fd,),  # the run holds its job's lock even if we die
                start_new_session=True,  # a Ctrl-C to the scheduler does not kill runs
            )
        except OSError as exc:
            log.close()
            self._end(run, exit_code=None, message=f"could not start: {exc}")
            raise
        return _Active(run=replace(run, pid=process.pid), process=process, lock=lock, log=log)

    def _end(self, run: JobRun, *, exit_code: int | None, message: str | None) -> JobRun:
        ok = exit_code == 0
        ended = replace(
            run,
            end_time=_utcnow(),
            status=JobRunStatus.SUCCEEDED if ok else JobRunStatus.FAILED,
            exit_code=exit_code,
            rows_changed=_rows_changed(Path(run.log_path)) if run.log_path else None,
            message=message,
        )
        finish_run(self.store, ended)
        return ended

    def _fail_lost_runs(self, job: ScheduledJob) -> None:
        """With the job's lock held, no process runs it: RUNNING rows are lost runs."""
        for lost in list_runs(self.store, job.name, status=JobRunStatus.RUNNING):
            self._end(lost, exit_code=None, message=_LOST)

    # -- watching runs ----------------------------------------------------------
    def poll(self) -> list[JobRun]:
        """Record the runs that ended since the last call; returns them."""
        ended = []
        for name, active in list(self._active.items()):
            code = active.process.poll()
            if code is None:
                continue
            ended.append(self._finish(name, active, code))
        return ended

    def _finish(self, name: str, active: _Active, code: int) -> JobRun:
        active.log.close()
        message = None
        if code < 0:
            message = f"killed by signal {-code}"
        elif code != 0:
            message = f"exited with code {code}; see the log"
        try:
            return self._end(active.run, exit_code=code, message=message)
        finally:
            del self._active[name]
            active.lock.release()

    @property
    def running(self) -> list[JobRun]:
        """The runs this scheduler started that have not ended."""
        return [a.run for a in self._active.values()]

    def wait(self) -> list[JobRun]:
        """Wait for every run this scheduler started, record them, return them."""
        ended = []
        for name, active in list(self._active.items()):
            code = active.process.wait()
            ended.append(self._finish(name, active, code))
        return ended

    def run_once(self) -> list[JobRun]:
        """One tick, then wait for the runs it started: returns them as recorded at the end."""
        self.tick()
        return self.wait()

    def seconds_to_next_slot(self) -> float:
        """Seconds until the earliest next slot of any job (60 when there are no jobs)."""
        now = self.clock()
        if not self.jobs:
            return 60.0
        soonest = min(_next_slot(j.schedule, now) for j in self.jobs)
        return max(0.0, (soonest - now).total_seconds())

    def run_forever(self, stop: threading.Event, *, poll_seconds: float = 1.0) -> None:
        """Tick until ``stop`` is set, then wait for the runs still going and record them."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                # One bad tick (a storage hiccup, a config error) must not end the
                # long-running process: say so and try again at the next wake-up.
                _log.exception("scheduler tick failed; retrying at the next wake-up")
            # Wake at least once a minute, so a clock jump (suspend, NTP) is noticed soon.
            pause = min(self.seconds_to_next_slot(), 60.0)
            if self._active:
                pause = min(pause, poll_seconds)
            stop.wait(max(pause, 0.05))
        self.wait()
