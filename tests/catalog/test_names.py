"""Names: catalog.schema.name, lowercase identifiers, backquotes as Spark allows."""

from __future__ import annotations

import pytest

from lakehouse.catalog.names import parse_name, split_parts
from lakehouse.errors import InvalidNameError


def test_valid_names_parse() -> None:
    name = parse_name("main.ml.churn_model")
    assert (name.catalog, name.schema, name.name) == ("main", "ml", "churn_model")
    assert str(parse_name("`main`.ml.`_x1`")) == "main.ml._x1"
    assert split_parts("main.ml", 2) == ["main", "ml"]


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("main.ml", "it has 2 part(s), not 3"),
        ("main.ml.a.b", "it has 4 part(s), not 3"),
        ("main..t", "a part is empty"),
        (".ml.t", "a part is empty"),
        ("main.ml.", "a part is empty"),
        ("Main.ml.t", "part 'Main' is not a lowercase identifier"),
        ("main.ml.my table", "part 'my table' is not a lowercase identifier"),
        ("main.ml.my-table", "part 'my-table' is not a lowercase identifier"),
        ("main.ml.'t'", "part \"'t'\" is not a lowercase identifier"),
        ("main.ml.t; DROP TABLE x", "part 't; DROP TABLE x' is not a lowercase identifier"),
        ("main.ml.1t", "part '1t' is not a lowercase identifier"),
        ("`main.ml`.t.u", "part 'main.ml' is not a lowercase identifier"),
        ("`main.ml.t", "a backquote is not closed"),
    ],
)
def test_bad_names_show_the_name_the_rule_and_an_example(bad: str, why: str) -> None:
    with pytest.raises(InvalidNameError) as err:
        parse_name(bad)
    message = str(err.value)
    assert repr(bad) in message
    assert why in message
    assert "[a-z_][a-z0-9_]*" in message
    assert "for example 'main.ml.churn_model'" in message
    assert isinstance(err.value, ValueError)


def test_non_string_name() -> None:
    with pytest.raises(InvalidNameError, match="must be a string"):
        parse_name(42)  # type: ignore[arg-type]
