"""Artifacts (files, text, dict, figure, table; escapes refused) and the seed's example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import lakehouse as lh


def test_artifacts_round_trip(home: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("A")
    (src / "sub" / "b.txt").write_text("B")
    with lh.start_run() as run:
        lh.log_artifact(src / "a.txt")
        lh.log_artifact(src / "a.txt", artifact_path="copies")
        lh.log_artifacts(src, artifact_path="tree")
        lh.log_text("hello", "notes/hello.txt")
        lh.log_dict({"a": 1}, "conf/params.json")
        lh.log_dict({"a": 1}, "conf/params.yaml")
        lh.log_table({"x": [1, 2], "y": ["a", "b"]}, "tables/t.json")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        ax.plot([1, 2], [3, 4])
        lh.log_figure(fig, "plots/line.png")
    client = lh.Client()
    rid = run.info.run_id
    top = [(f.path, f.is_dir) for f in client.list_artifacts(rid)]
    assert top == [
        ("a.txt", False),
        ("conf", True),
        ("copies", True),
        ("notes", True),
        ("plots", True),
        ("tables", True),
        ("tree", True),
    ]
    assert [f.path for f in client.list_artifacts(rid, "tree")] == ["tree/a.txt", "tree/sub"]
    local = Path(client.download_artifacts(rid, "", str(tmp_path / "dl")))
    assert (local / "tree" / "sub" / "b.txt").read_text() == "B"
    assert (local / "notes" / "hello.txt").read_text() == "hello"
    assert json.loads((local / "conf" / "params.json").read_text()) == {"a": 1}
    assert yaml.safe_load((local / "conf" / "params.yaml").read_text()) == {"a": 1}
    table = json.loads((local / "tables" / "t.json").read_text())
    assert table["columns"] == ["x", "y"] and table["data"] == [[1, "a"], [2, "b"]]
    assert (local / "plots" / "line.png").read_bytes()[:4] == b"\x89PNG"
    one = client.download_artifacts(rid, "copies/a.txt", str(tmp_path / "one"))
    assert Path(one).read_text() == "A"


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/passwd", "a/../../b.txt"])
def test_artifact_paths_that_escape_are_refused(home: str, tmp_path: Path, bad: str) -> None:
    with lh.start_run() as run:
        with pytest.raises(lh.InvalidArgumentError, match="escapes the run's artifact folder"):
            lh.log_text("x", bad)
        with pytest.raises(lh.InvalidArgumentError, match="escapes"):
            lh.log_artifact(__file__, artifact_path=bad)
    with pytest.raises(lh.InvalidArgumentError, match="escapes"):
        lh.Client().download_artifacts(run.info.run_id, bad, str(tmp_path))
    assert not (Path(home.removeprefix("file://")) / "artifacts" / "escape.txt").exists()


def test_seed_manual_logging_example(home: str) -> None:
    """The seed's manual-logging example with ``lh`` in place of ``mlflow``."""
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split

    x, y = load_iris(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, random_state=0)
    lh.set_experiment("main.ml.iris")
    accuracies = {}
    for n_estimators, max_depth in [(5, 1), (50, 5), (20, 2)]:
        with lh.start_run(run_name=f"rf-{n_estimators}-{max_depth}") as run:
            params = {"n_estimators": n_estimators, "max_depth": max_depth, "random_state": 0}
            model = RandomForestClassifier(**params).fit(x_train, y_train)
            lh.log_params(params)
            accuracy = accuracy_score(y_test, model.predict(x_test))
            lh.log_metric("accuracy", accuracy)
            accuracies[run.info.run_id] = accuracy
    best = lh.search_runs(order_by=["metrics.accuracy DESC"], max_results=1)
    assert len(best) == 1
    assert accuracies[best["run_id"][0]] == max(accuracies.values())
    assert best["metrics.accuracy"][0] == max(accuracies.values())
