"""Names as Unity Catalog takes them: defaults for short names, lowercase, backquotes."""

from __future__ import annotations

import pytest

from lakehouse.catalog.names import (
    experiment_catalog,
    experiment_name,
    parse_name,
    quote_part,
    split_parts,
    sql_name,
)
from lakehouse.config import config_overrides
from lakehouse.errors import InvalidNameError

RULE = "any but '.', space, '/', control characters, DEL, '#', '?' and '%'"


def test_valid_names_parse() -> None:
    name = parse_name("main.ml.churn_model")
    assert (name.catalog, name.schema, name.name) == ("main", "ml", "churn_model")
    assert str(parse_name("`main`.ml.`_x1`")) == "main.ml._x1"
    assert split_parts("main.ml", 2) == ["main", "ml"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("sk-learn-random-forest-reg-model", "main.default.sk-learn-random-forest-reg-model"),
        ("ElasticnetWineModel", "main.default.elasticnetwinemodel"),
        ("ml.churn", "main.ml.churn"),
        ("Main.ML.Churn", "main.ml.churn"),
        ("main.ml.`sk-learn-model`", "main.ml.sk-learn-model"),
        ("main.ml.`a``b`", "main.ml.a`b"),
        ("main.ml.1t", "main.ml.1t"),
        ("main.ml.t;x", "main.ml.t;x"),
        ("main.ml." + "é" * 255, "main.ml." + "é" * 255),
    ],
)
def test_unity_catalog_names_resolve_and_are_stored_lowercase(given: str, stored: str) -> None:
    assert str(parse_name(given)) == stored


def test_short_names_follow_the_configured_defaults() -> None:
    with config_overrides(default_catalog="dev", default_schema="team"):
        assert str(parse_name("m")) == "dev.team.m"
        assert str(parse_name("s.m")) == "dev.s.m"


def test_sql_rendering_backquotes_only_what_needs_it() -> None:
    assert sql_name("main.default.sk-learn-model") == "main.default.`sk-learn-model`"
    assert sql_name("churn") == "main.default.churn"
    assert quote_part("a`b") == "`a``b`"
    assert quote_part("123") == "`123`"  # not a number literal
    # the rendered text parses back to the same name
    assert str(parse_name(sql_name("main.ml.`a``b-c`"))) == "main.ml.a`b-c"


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("main.ml.a.b", "it has 4 part(s), not 3"),
        ("main..t", "a part is empty"),
        (".ml.t", "a part is empty"),
        ("main.ml.", "a part is empty"),
        ("main.ml.my table", "part 'my table' holds ' ' (write 'my_table')"),
        ("main.ml.a/b", "part 'a/b' holds '/' (write 'a_b')"),
        ("main.ml.a\tb", "holds '\\t'"),
        ("main.ml.a\x7fb", "holds '\\x7f'"),
        ("main.ml.a#b", "holds '#' (write 'a_b')"),
        ("main.ml.a?b", "holds '?'"),
        ("main.ml.c%41d", "holds '%'"),
        ("main.ml." + "x" * 256, "is longer than 255 characters"),
        ("`main.ml`.t.u", "part 'main.ml' holds '.'"),
        ("`main.ml.t", "a backquote is not closed"),
    ],
)
def test_bad_names_show_the_name_the_rule_and_an_example(bad: str, why: str) -> None:
    with pytest.raises(InvalidNameError) as err:
        parse_name(bad)
    message = str(err.value)
    assert repr(bad) in message
    assert why in message
    assert RULE in message
    assert "for example 'main.ml.churn_model'" in message
    assert isinstance(err.value, ValueError)


def test_non_string_name() -> None:
    with pytest.raises(InvalidNameError, match="must be a string"):
        parse_name(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "stored", "catalog"),
    [
        ("MLflow Quickstart", "MLflow Quickstart", "main"),
        ("tracking-quickstart", "tracking-quickstart", "main"),
        ("/Users/me/churn", "/Users/me/churn", "main"),
        ("churn", "churn", "main"),
        ("main.ml", "main.ml", "main"),
        ("Dev.ML.Churn", "dev.ml.churn", "dev"),
        ("a.b.c d", "a.b.c d", "main"),
        ("system.tracking.x", "system.tracking.x", "system"),
    ],
)
def test_experiments_take_any_name_mlflow_takes(given: str, stored: str, catalog: str) -> None:
    assert experiment_name(given) == stored
    assert experiment_catalog(given) == catalog


@pytest.mark.parametrize("bad", ["", "   ", None])
def test_an_empty_experiment_name_is_refused(bad: object) -> None:
    with pytest.raises(InvalidNameError, match="non-empty string; for example 'main.ml.churn'"):
        experiment_name(bad)  # type: ignore[arg-type]
