"""``lakehouse models`` against a real temp root (click's CliRunner, same process)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

import lakehouse as lh
from lakehouse.cli.models import models
from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.registry import RegistryClient

NAME = "main.demo.churn_model"


@pytest.fixture
def filled(home: str, make_package) -> str:  # type: ignore[no-untyped-def]
    for marker in "abc":
        lh.register_model(str(make_package(marker)), NAME, inputs=[("main.demo.train", 4)])
    RegistryClient().set_registered_model_alias(NAME, "champion", 2)
    return home


def _run(*args: str) -> Result:
    return CliRunner().invoke(models, list(args), catch_exceptions=True)


def test_list_and_versions(filled: str) -> None:
    out = _run("list")
    assert out.exit_code == 0, out.output
    assert NAME in out.output and "champion=2" in out.output
    found = json.loads(_run("list", "--json").output)
    assert [m["name"] for m in found] == [NAME] and found[0]["aliases"] == {"champion": 2}
    out = _run("versions", NAME)
    assert out.exit_code == 0 and "READY" in out.output and "champion" in out.output
    rows = json.loads(_run("versions", NAME, "--json").output)
    assert [r["version"] for r in rows] == [3, 2, 1]


def test_alias_set_rollback_and_history(filled: str) -> None:
    out = _run("alias", "set", NAME, "champion", "3")
    assert out.exit_code == 0, out.output
    assert f"{NAME}@champion: version 2 -> version 3 (set #2)" in out.output
    out = _run("rollback", NAME, "champion")
    assert f"{NAME}@champion: version 3 -> version 2 (rollback #3)" in out.output
    moved = json.loads(_run("rollback", NAME, "champion", "--json").output)
    assert (moved["from_version"], moved["to_version"], moved["sequence"]) == (2, 3, 4)
    history = json.loads(_run("history", NAME, "champion", "--json").output)
    assert [m["to_version"] for m in history] == [2, 3, 2, 3]
    assert "rollback" in _run("history", NAME).output


def test_describe_model_alias_and_version(filled: str) -> None:
    out = _run("describe", NAME)
    assert out.exit_code == 0 and "champion -> 2" in out.output and "3 version(s)" in out.output
    out = _run("describe", f"{NAME}@champion")
    assert out.exit_code == 0 and "version 2" in out.output and "main.demo.train" in out.output
    described = json.loads(_run("describe", f"{NAME}/1", "--json").output)
    assert described["version"]["version"] == 1
    assert described["lineage"]["inputs"] == [{"table_name": "main.demo.train", "version": 4}]


def test_errors_are_lakehouse_errors(filled: str) -> None:
    out = _run("describe", "main.demo.nope")
    assert isinstance(out.exception, NotFoundError)
    assert "registered model main.demo.nope does not exist" in str(out.exception)
    out = _run("describe", f"{NAME}/first")
    assert isinstance(out.exception, InvalidArgumentError)
    assert "expected NAME, NAME@ALIAS or NAME/VERSION" in str(out.exception)
    out = _run("alias", "set", NAME, "latest", "1")
    assert "'latest' alias name (case insensitive) is reserved" in str(out.exception)
    assert RegistryClient().get_registered_model(NAME).aliases == {"champion": 2}
