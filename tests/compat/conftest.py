"""Run compat scripts as a new user would: a fresh interpreter, `mlflow` not importable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SCRIPTS = HERE / "scripts"
BLOCKED = HERE / "blocked"  # a package named `mlflow` whose import raises


def run_script(name: str, home: str, tmp_path: Path) -> dict[str, Any]:
    """Run ``scripts/<name>`` against the lakehouse root ``home``; its last stdout line as JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAKEHOUSE_", "MLFLOW_"))}
    env.update(
        COMPAT_TRACKING_URI=home,
        LAKEHOUSE_CONF=str(tmp_path / "no-conf.yaml"),
        PYTHONPATH=os.pathsep.join([str(BLOCKED), str(HERE.parent.parent)]),
    )
    out = subprocess.run(
        [sys.executable, str(SCRIPTS / name)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    lines = out.stdout.strip().splitlines()
    assert lines, f"{name} printed nothing (exit {out.returncode}):\n{out.stderr[-3000:]}"
    return dict(json.loads(lines[-1]))
