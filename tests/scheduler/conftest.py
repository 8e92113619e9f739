"""A tiny scheduled job (a Python script launched by the real spark-submit) and its config."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class TinyJob:
    """Folder of the job's config, its marks file (one line per start) and pid file."""

    conf_dir: Path
    marks: Path
    pid_file: Path
    release: Path

    def starts(self) -> list[str]:
        return self.marks.read_text().split() if self.marks.exists() else []


def make_tiny_job(tmp_path: Path, *, sleep: float = 0.0, schedule: str = "* * * * *") -> TinyJob:
    """A job due every minute: appends its run id to ``marks``, reports 7 rows, then waits
    up to ``sleep`` seconds for the ``release`` file."""
    marks, pid_file, release = tmp_path / "marks.txt", tmp_path / "job.pid", tmp_path / "go"
    script = tmp_path / "tiny_job.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, sys, time
            assert sys.argv[1] == "--conf-file", sys.argv
            with open({str(pid_file)!r}, "w") as f:
                f.write(str(os.getpid()))
            with open({str(marks)!r}, "a") as f:
                f.write(os.environ["LAKEHOUSE_JOB_RUN_ID"] + "\\n")
            print("lakehouse-job: rows_changed=7", flush=True)
            deadline = time.monotonic() + {sleep}
            while time.monotonic() < deadline and not os.path.exists({str(release)!r}):
                time.sleep(0.1)
            """
        )
    )
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "tiny.yaml").write_text(
        f'schedule: "{schedule}"\n'
        f"job: {script}\n"
        'submit_args: ["--master", "local[1]", "--conf", "spark.ui.enabled=false"]\n'
    )
    return TinyJob(conf_dir=conf_dir, marks=marks, pid_file=pid_file, release=release)


@pytest.fixture
def tiny_job_factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(**kwargs: object) -> TinyJob:
        return make_tiny_job(tmp_path, **kwargs)  # type: ignore[arg-type]

    return make
