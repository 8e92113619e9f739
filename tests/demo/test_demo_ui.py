"""What the demo prints at its end: the ``lakehouse ui`` command and the pages to open."""

from __future__ import annotations

import shlex
import urllib.parse
from pathlib import Path

from lakehouse.demo import ui_lines


def test_ui_lines_name_the_root_the_experiment_and_the_model(tmp_path: Path) -> None:
    root = tmp_path / "demo root"  # a space: the command must still paste as one argument
    lines = ui_lines(
        root.as_uri(),
        experiment_id="7",
        experiment_name="main.demo.churn",
        model_name="main.demo.churn_model",
    )
    command = shlex.split(lines[1])
    assert command == ["lakehouse", "--home", str(root), "ui", "--port", "5000"]
    assert lines[2] == "  experiment main.demo.churn: http://127.0.0.1:5000/experiments/7"
    assert (
        lines[3]
        == "  model main.demo.churn_model: http://127.0.0.1:5000/models/main.demo.churn_model"
    )


def test_ui_lines_encode_a_name_as_one_path_segment() -> None:
    lines = ui_lines(
        "file:///data/lh",
        experiment_id="a/b",
        experiment_name="x",
        model_name="main.odd schema/m",
        port=8080,
    )
    assert "lakehouse --home /data/lh ui --port 8080" in lines[1]
    url = lines[3].split(": ", 1)[1]
    assert url.startswith("http://127.0.0.1:8080/models/")
    segment = url.removeprefix("http://127.0.0.1:8080/models/")
    assert "/" not in segment and urllib.parse.unquote(segment) == "main.odd schema/m"
    assert lines[2].endswith("/experiments/a%2Fb")
