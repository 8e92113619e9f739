"""The scheduler with real processes: real spark-submit launches, real locks, real Delta rows.

The clock is injected (a fixed "now"), so a job due every minute runs at once; the
launch, the locks and the records are the real ones.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lakehouse.cli.scheduler import runs_command
from lakehouse.errors import ConfigError
from lakehouse.scheduler import JobRunStatus, Scheduler, latest_slot, list_runs, load_jobs
from lakehouse.scheduler.runs import runs_store
from tests.scheduler.conftest import TinyJob, make_tiny_job

BIN = Path(sys.executable).parent
T0 = dt.datetime(2026, 1, 1, 0, 0, 30, tzinfo=dt.UTC)


def _scheduler(job: TinyJob, moment: dt.datetime) -> Scheduler:
    return Scheduler(load_jobs(job.conf_dir), clock=lambda: moment)


def _cli_once(job: TinyJob, home: str, moment: dt.datetime) -> subprocess.Popen[str]:
    env = {**os.environ, "LAKEHOUSE_HOME": home, "PYSPARK_PYTHON": sys.executable}
    return subprocess.Popen(
        [
            str(BIN / "lakehouse"),
            "scheduler",
            "run",
            "--once",
            "--conf-dir",
            str(job.conf_dir),
            "--now",
            moment.isoformat(),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(path: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear within {timeout} s")
        time.sleep(0.2)


def test_latest_slot_includes_now_and_skips_older_slots() -> None:
    assert latest_slot("* * * * *", T0) == dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)
    exact = dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.UTC)
    assert latest_slot("0 2 * * *", exact) == exact
    assert latest_slot("0 2 * * *", exact - dt.timedelta(seconds=1)) == exact - dt.timedelta(1)


def test_bad_schedule_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "nightly.yaml").write_text('schedule: "0 25 * * *"\njob: jobs/x.py\n')
    with pytest.raises(ConfigError, match=r"nightly.yaml: schedule '0 25 \* \* \*' is not a cron"):
        load_jobs(tmp_path)
    (tmp_path / "nightly.yaml").write_text('schedule: "0 2 * * *"\n')
    with pytest.raises(ConfigError, match="needs 'job', the script to spark-submit"):
        load_jobs(tmp_path)


@pytest.mark.slow
def test_due_job_runs_once_per_slot_and_a_missed_run_is_caught_up_once(
    home: str, tmp_path: Path
) -> None:
    job = make_tiny_job(tmp_path)
    first = _scheduler(job, T0).run_once()
    assert [(r.job, r.status, r.exit_code, r.rows_changed) for r in first] == [
        ("tiny", JobRunStatus.SUCCEEDED, 0, 7)
    ]
    assert first[0].scheduled_time == dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert "rows_changed=7" in Path(first[0].log_path or "").read_text()
    # Later in the same minute: that slot has run.
    assert _scheduler(job, T0 + dt.timedelta(seconds=20)).run_once() == []
    # Down for five slots: the latest one runs, once; the four before it are skipped.
    later = T0 + dt.timedelta(minutes=5, seconds=10)
    caught_up = _scheduler(job, later).run_once()
    assert [r.scheduled_time.minute for r in caught_up] == [5]
    assert _scheduler(job, later + dt.timedelta(seconds=15)).run_once() == []
    assert job.starts() == ["tiny@2026-01-01T00:00:00Z", "tiny@2026-01-01T00:05:00Z"]
    runs = list_runs(runs_store(), "tiny")
    assert [(r.run_id, r.status, r.exit_code) for r in runs] == [
        ("tiny@2026-01-01T00:05:00Z", JobRunStatus.SUCCEEDED, 0),
        ("tiny@2026-01-01T00:00:00Z", JobRunStatus.SUCCEEDED, 0),
    ]
    assert all(r.end_time and r.end_time >= r.start_time for r in runs)
    listed = CliRunner().invoke(runs_command, ["tiny", "--json"])
    assert listed.exit_code == 0, listed.output
    assert '"run_id": "tiny@2026-01-01T00:05:00Z"' in listed.output


@pytest.mark.slow
def test_two_schedulers_never_run_one_job_twice(home: str, tmp_path: Path) -> None:
    job = make_tiny_job(tmp_path, sleep=240)
    a, b = _cli_once(job, home, T0), _cli_once(job, home, T0)
    _wait_for(job.pid_file)
    # While that run goes on, a scheduler ticking at the next slot must not start another.
    c = _cli_once(job, home, T0 + dt.timedelta(minutes=1))
    c_output = c.communicate(timeout=300)[0]
    job.release.touch()  # now let the run end
    outputs = [p.communicate(timeout=300)[0] for p in (a, b)] + [c_output]
    assert [p.returncode for p in (a, b, c)] == [0, 0, 0], outputs
    assert job.starts() == ["tiny@2026-01-01T00:00:00Z"]
    runs = list_runs(runs_store(), "tiny")
    assert [(r.run_id, r.status) for r in runs] == [
        ("tiny@2026-01-01T00:00:00Z", JobRunStatus.SUCCEEDED)
    ]


@pytest.mark.slow
def test_a_killed_run_is_recorded_as_failed(home: str, tmp_path: Path) -> None:
    job = make_tiny_job(tmp_path, sleep=120)
    sched = _scheduler(job, T0)
    [started] = sched.tick()
    assert started.status is JobRunStatus.RUNNING
    assert [r.status for r in list_runs(runs_store(), "tiny")] == [JobRunStatus.RUNNING]
    _wait_for(job.pid_file)
    os.kill(int(job.pid_file.read_text()), signal.SIGKILL)
    [ended] = sched.wait()
    assert ended.status is JobRunStatus.FAILED
    assert ended.exit_code not in (0, None)
    [recorded] = list_runs(runs_store(), "tiny")
    assert (recorded.status, recorded.exit_code) == (JobRunStatus.FAILED, ended.exit_code)


@pytest.mark.slow
def test_a_run_whose_scheduler_died_is_recorded_as_failed(home: str, tmp_path: Path) -> None:
    job = make_tiny_job(tmp_path, sleep=120)
    scheduler_process = _cli_once(job, home, T0)
    _wait_for(job.pid_file)
    # The scheduler dies, then its run (spark-submit and the job: one process group).
    scheduler_process.kill()
    scheduler_process.wait()
    os.killpg(os.getpgid(int(job.pid_file.read_text())), signal.SIGKILL)
    time.sleep(0.5)
    assert _scheduler(job, T0 + dt.timedelta(seconds=5)).tick() == []  # its slot is taken
    [lost] = list_runs(runs_store(), "tiny")
    assert lost.status is JobRunStatus.FAILED
    assert lost.exit_code is None
    assert "the scheduler that started this run stopped" in (lost.message or "")


@pytest.mark.slow
def test_long_running_scheduler_starts_the_due_job_and_stops_cleanly(
    home: str, tmp_path: Path
) -> None:
    job = make_tiny_job(tmp_path, sleep=1)
    env = {**os.environ, "LAKEHOUSE_HOME": home, "PYSPARK_PYTHON": sys.executable}
    process = subprocess.Popen(
        [str(BIN / "lakehouse"), "scheduler", "run", "--conf-dir", str(job.conf_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(job.marks)
    process.send_signal(signal.SIGTERM)  # stops ticking, waits for the run, records it
    output = process.communicate(timeout=300)[0]
    assert process.returncode == 0, output
    [run] = list_runs(runs_store(), "tiny")
    assert (run.status, run.exit_code, run.rows_changed) == (JobRunStatus.SUCCEEDED, 0, 7)
    assert job.starts() == [run.run_id]
