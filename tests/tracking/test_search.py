"""search_runs: every operator, OR/parentheses/IN, quoting, hostile strings, output formats."""

from __future__ import annotations

import pytest

import lakehouse as lh
from lakehouse.tracking.filters import Comparison, Or, parse_filter
from lakehouse.tracking.tables import TABLES, store_for


@pytest.fixture
def runs(home: str) -> dict[str, str]:
    """Four runs with params, metrics and tags; returns run name -> run id."""
    lh.set_experiment("main.ml.search")
    spec = [
        ("a", {"depth": "5", "model": "rf"}, {"acc": 0.9, "loss": 0.1}, {"team name": "x"}),
        ("b", {"depth": "6", "model": "gbm"}, {"acc": 0.7, "loss": 0.3}, {"team name": "y"}),
        ("c", {"depth": "10", "model": "RF-big"}, {"acc": 0.8}, {"note": "it's ok"}),
        ("d", {"depth": "5"}, {"acc": float("nan"), "loss": 0.5}, {}),
    ]
    ids = {}
    for name, params, metrics, tags in spec:
        with lh.start_run(run_name=name) as run:
            lh.log_params(params)
            lh.log_metrics(metrics)
            lh.set_tags(tags)
        ids[name] = run.info.run_id
    return ids


def _names(filter_string: str, **kw: object) -> list[str]:
    df = lh.search_runs(filter_string=filter_string, **kw)  # type: ignore[arg-type]
    return sorted(df["tags.mlflow.runName"]) if len(df) else []


@pytest.mark.parametrize(
    ("filter_string", "expected"),
    [
        ("", ["a", "b", "c", "d"]),
        ("metrics.acc > 0.75", ["a", "c"]),
        ("metrics.acc >= 0.8", ["a", "c"]),
        ("metrics.acc < 0.8", ["b"]),
        ("metrics.acc <= 0.8", ["b", "c"]),
        ("metrics.acc = 0.9", ["a"]),
        ("metrics.acc != 0.9", ["b", "c", "d"]),
        ("metric.loss > 0.2 and params.depth = '5'", ["d"]),
        ("params.depth = '5'", ["a", "d"]),
        ("params.depth != '5'", ["b", "c"]),
        ("params.model LIKE 'R%'", ["c"]),
        ("params.model ILIKE 'r%'", ["a", "c"]),
        ("params.model NOT LIKE '%b%'", ["a"]),
        ("params.depth IN ('5', '10')", ["a", "c", "d"]),
        ("params.depth NOT IN ('5')", ["b", "c"]),
        ("metrics.acc IN (0.7, 0.8)", ["b", "c"]),
        ("metrics.acc > 0.85 OR params.model = 'gbm'", ["a", "b"]),
        ("(metrics.acc > 0.85 OR params.model = 'gbm') AND metrics.loss < 0.2", ["a"]),
        ("tags.`team name` = 'x'", ["a"]),
        ('tags."team name" = "y"', ["b"]),
        ("tags.note = 'it''s ok'", ["c"]),
        ("tags.note = 'it\\'s ok'", ["c"]),
        ("tags.mlflow.runName = 'b'", ["b"]),
        ("attributes.run_name = 'c'", ["c"]),
        ("attributes.status = 'FINISHED' AND params.model IS NULL", ["d"]),
        ("metrics.loss IS NOT NULL AND attributes.start_time > 0", ["a", "b", "d"]),
        ("params.depth = '5''; DROP TABLE runs; --'", []),
        ("tags.x = '\") OR 1=1 --'", []),
    ],
)
def test_filters(runs: dict[str, str], filter_string: str, expected: list[str]) -> None:
    assert _names(filter_string) == expected


def test_run_id_in_and_order_by(runs: dict[str, str]) -> None:
    wanted = (runs["a"], runs["c"])
    assert _names(f"attributes.run_id IN ('{wanted[0]}', '{wanted[1]}')") == ["a", "c"]
    df = lh.search_runs(order_by=["metrics.acc DESC"], max_results=2)
    assert list(df["tags.mlflow.runName"]) == ["a", "c"]
    df = lh.search_runs(order_by=["params.depth ASC", "metrics.loss DESC"])
    assert list(df["tags.mlflow.runName"]) == ["c", "d", "a", "b"]  # strings order; nulls last


def test_pandas_columns_like_mlflow(runs: dict[str, str]) -> None:
    df = lh.search_runs(experiment_names=["main.ml.search"])
    head = ["run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"]
    assert list(df.columns[:6]) == head
    assert {"metrics.acc", "metrics.loss", "params.depth", "tags.team name"} <= set(df.columns)
    assert str(df["start_time"].dtype) == "datetime64[ns, UTC]"


def test_list_output(runs: dict[str, str]) -> None:
    out = lh.search_runs(filter_string="params.depth = '6'", output_format="list")
    assert len(out) == 1 and out[0].info.run_id == runs["b"]
    assert out[0].data.params == {"depth": "6", "model": "gbm"}
    assert out[0].data.metrics == {"acc": 0.7, "loss": 0.3}
    client_runs = lh.Client().search_runs(
        [out[0].info.experiment_id], "metrics.acc < 0.75", max_results=5
    )
    assert [r.info.run_id for r in client_runs] == [runs["b"]]


@pytest.mark.parametrize(
    ("filter_string", "message"),
    [
        ("metrics.acc > 'high'", r"position 14 near \"'high'\": expected a number"),
        ("params.depth = 5", "position 15 near '5': expected a quoted string"),
        ("params.depth = '5", 'position 15 near "\'5": unbalanced quote'),
        ("foo.bar = '1'", "position 0 near 'foo': unknown prefix 'foo'"),
        ("depth = '1'", "unknown identifier 'depth'"),
        ("(metrics.acc > 1", "unbalanced parenthesis opened at position 0"),
        ("metrics.acc > 1 metrics.loss < 2", "position 16 near 'metrics': expected AND, OR"),
        ("params.a > '1'", "operator > does not apply to params.a"),
        ("metrics.acc > 1; DROP TABLE runs", "unexpected character ';'"),
        ("metrics.acc IN 1", "expected '\\(' after IN"),
        ("attributes.colour = 'red'", "unknown attribute 'colour'"),
        ("metrics.acc >", "near 'end of filter': expected a value"),
    ],
)
def test_malformed_filters_point_at_the_token(
    runs: dict[str, str], filter_string: str, message: str
) -> None:
    lh.Client().flush()
    versions = {name: store_for(name).version() for name in TABLES}
    with pytest.raises(lh.InvalidArgumentError, match=message):
        lh.search_runs(filter_string=filter_string)
    assert {name: store_for(name).version() for name in TABLES} == versions  # nothing changed


def test_parser_builds_an_ast() -> None:
    node = parse_filter("metrics.a > 1 OR params.`b c` IN ('x', 'y')")
    assert node == Or(
        (
            Comparison("metrics", "a", ">", 1.0),
            Comparison("params", "b c", "IN", ("x", "y")),
        )
    )
    assert parse_filter("   ") is None
