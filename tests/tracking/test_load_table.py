"""load_table: the log_table JSON of every run that has it, with run columns added."""

from __future__ import annotations

import pandas as pd
import pytest

import lakehouse as lh
from lakehouse.errors import InvalidArgumentError, NotFoundError


def _runs_with_tables() -> list[str]:
    ids = []
    for lr, rows in (
        (0.1, {"q": ["a", "b"], "score": [1.0, 0.5]}),
        (0.2, {"q": ["c"], "score": [0.0]}),
    ):
        with lh.start_run() as run:
            lh.log_param("lr", lr)
            lh.log_table(rows, "eval/results.json")
        ids.append(run.info.run_id)
    with lh.start_run() as other:  # no table: skipped
        lh.log_table({"x": [1]}, "other.json")
    ids.append(other.info.run_id)
    return ids


def test_tables_of_the_current_experiment_with_run_columns(home: str) -> None:
    first, second, _ = _runs_with_tables()
    got = lh.load_table("eval/results.json", extra_columns=["run_id", "params.lr"])
    got = got.sort_values("q", ignore_index=True)
    want = pd.DataFrame(
        {
            "q": ["a", "b", "c"],
            "score": [1.0, 0.5, 0.0],
            "run_id": [first, first, second],
            "params.lr": ["0.1", "0.1", "0.2"],
        }
    )
    pd.testing.assert_frame_equal(got, want)


def test_named_runs_only_and_clear_errors(home: str) -> None:
    first, second, other = _runs_with_tables()
    got = lh.load_table("eval/results.json", run_ids=[second])
    assert got["q"].tolist() == ["c"]
    with pytest.warns(UserWarning, match="1 of the 2 runs have no 'eval/results.json'"):
        both = lh.load_table("eval/results.json", run_ids=[first, other])
    assert sorted(both["q"]) == ["a", "b"]
    with pytest.raises(NotFoundError, match="no run in the current experiment has"):
        lh.load_table("missing.json")
    with pytest.raises(InvalidArgumentError, match=r"extra_columns \['nope'\]"):
        lh.load_table("eval/results.json", extra_columns=["nope"])
    with pytest.raises(InvalidArgumentError, match="'\\*.json'"):
        lh.load_table("eval/results.csv")
