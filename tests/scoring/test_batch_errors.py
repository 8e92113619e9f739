"""Bad scoring runs fail with a clear error before anything is written; the job's config."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import lakehouse as lh
from lakehouse.catalog import namespace
from lakehouse.errors import ConfigError, InvalidArgumentError, NotFoundError, SchemaMismatchError
from lakehouse.scoring.batch import score_table
from lakehouse.scoring.job import load_config, main
from tests.scoring.batch_support import (
    DATES,
    INPUT,
    MODEL,
    OUTPUT,
    input_frame,
    register_version,
    write_input,
)

CHAMPION = f"models:/{MODEL}@champion"


@pytest.fixture
def scored_once(home: str, spark) -> int:  # type: ignore[no-untyped-def]
    """Input, champion version 1, and one scored date; returns the output's version."""
    write_input(spark)
    register_version((1.0, 2.0))
    score_table(CHAMPION, INPUT, OUTPUT, partition={"d": DATES[0]})
    return namespace.describe_table(OUTPUT).version


def _unchanged(version: int) -> None:
    assert namespace.describe_table(OUTPUT).version == version
    assert set(lh.table(OUTPUT).toPandas()["d"]) == {DATES[0]}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_table": "main.scoring.nope"}, NotFoundError, "main.scoring.nope does not exist"),
        ({"partition": {"d": "2026-12-25"}}, NotFoundError, "partition d=2026-12-25 of"),
        ({"partition": {"d": "tomorrow"}}, InvalidArgumentError, "'tomorrow' for column 'd'"),
        ({"partition": {"day": "2026-11-26"}}, InvalidArgumentError, "['day'] are not columns"),
        ({"model_uri": f"models:/{MODEL}@nope"}, NotFoundError, "nope"),
        ({"model_uri": "models:/main.scoring.absent@champion"}, NotFoundError, "absent"),
        ({"keys": ["customer_id", "zip"]}, InvalidArgumentError, "key column(s) ['zip']"),
    ],
)
def test_bad_run_writes_nothing(scored_once: int, kwargs: dict, error: type, message: str) -> None:  # type: ignore[type-arg]
    args = {"model_uri": CHAMPION, "input_table": INPUT, "partition": {"d": DATES[1]}}
    args.update(kwargs)
    with pytest.raises(error) as info:
        score_table(args.pop("model_uri"), args.pop("input_table"), OUTPUT, **args)
    assert message in str(info.value)
    _unchanged(scored_once)


def test_unknown_alias_among_several_writes_nothing(scored_once: int) -> None:
    with pytest.raises(NotFoundError, match="challenger"):
        score_table(MODEL, INPUT, OUTPUT, aliases=["champion", "challenger"])
    _unchanged(scored_once)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["b"]), "missing column(s) ['b']"),
        (lambda f: f.assign(b=f["b"].astype(str)), "column 'b'"),
    ],
    ids=["missing column", "wrong column type"],
)
def test_input_that_does_not_fit_the_signature(home: str, spark, change, message: str) -> None:  # type: ignore[no-untyped-def]
    register_version((1.0, 2.0))
    write_input(spark, "main.scoring.odd", change(input_frame()))
    with pytest.raises(SchemaMismatchError) as info:
        score_table(CHAMPION, "main.scoring.odd", OUTPUT, partition={"d": DATES[0]})
    assert message in str(info.value)
    assert namespace.list_tables("main.scoring") == ["main.scoring.odd"]  # no output table


def _conf(tmp_path: Path, **extra: object) -> Path:
    lines = {
        "model_uri": CHAMPION,
        "input_table": INPUT,
        "output_table": OUTPUT,
        "date_column": "d",
        "keys": ["customer_id"],
        **extra,
    }
    path = tmp_path / "batch_score.yaml"
    path.write_text(yaml.safe_dump(lines))
    return path


def test_config_refuses_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'modle_uri'"):
        load_config(_conf(tmp_path, modle_uri="x"))
    with pytest.raises(ConfigError, match="keys must be a list of names"):
        load_config(_conf(tmp_path, keys="customer_id"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.yaml")
    assert load_config(_conf(tmp_path)).spec("2026-11-28").partition == {"d": "2026-11-28"}


def test_demo_config_is_valid() -> None:
    conf = load_config(lh.config.project_root() / "conf" / "batch_score.yaml")
    assert conf.model_uri.endswith("@champion") and conf.date_column


def test_job_main_exits_2_with_the_message(scored_once: int, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    conf = _conf(tmp_path, model_uri=f"models:/{MODEL}@gone")
    assert main(["--conf-file", str(conf), "--date", str(DATES[1])]) == 2
    assert "error:" in capsys.readouterr().err
    _unchanged(scored_once)


def test_cli_batch_score_runs_the_job(scored_once: int, tmp_path: Path) -> None:
    from lakehouse.cli import main as cli

    conf = _conf(tmp_path, keys=None)  # every input column, as the first run wrote them
    out = CliRunner().invoke(
        cli, ["jobs", "batch-score", "--conf-file", str(conf), "--date", "2026-11-27"]
    )
    assert out.exit_code == 0, out.output
    assert f"to {OUTPUT} version {scored_once + 1}" in out.output
    assert f"{MODEL} version 1" in out.output
    scores = lh.table(OUTPUT).toPandas()
    assert sorted(set(scores["d"].astype(str))) == ["2026-11-26", "2026-11-27"]
