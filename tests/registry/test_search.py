"""Registry filter strings: tracking's grammar over the registry's keys, evaluated on records."""

from __future__ import annotations

import pytest

from lakehouse.errors import InvalidArgumentError
from lakehouse.registry.search import equal_values, matches, order_records, parse_filter

KEYS = ("name", "run_id")


@pytest.mark.parametrize(
    ("text", "record", "tags", "expected"),
    [
        ("name = 'a.b.c'", {"name": "a.b.c"}, {}, True),
        ("name != 'a.b.c'", {"name": "a.b.c"}, {}, False),
        ("name LIKE 'a.%'", {"name": "a.b.c"}, {}, True),
        ("name like 'A.%'", {"name": "a.b.c"}, {}, False),
        ("name ILIKE 'A._.C'", {"name": "a.b.c"}, {}, True),
        ("name NOT LIKE 'a.%'", {"name": "a.b.c"}, {}, False),
        ("name IN ('x.y.z', 'a.b.c')", {"name": "a.b.c"}, {}, True),
        ("name NOT IN ('a.b.c')", {"name": "a.b.c"}, {}, False),
        ("tags.team = 'growth' AND name LIKE '%c'", {"name": "a.b.c"}, {"team": "growth"}, True),
        ("tags.`team name` = 'x and y'", {"name": "n"}, {"team name": "x and y"}, True),
        ("tags.missing = 'x'", {"name": "n"}, {}, False),
        ('run_id = "r1"', {"run_id": "r1"}, {}, True),
        ("name = 'it''s'", {"name": "it's"}, {}, True),
        ("name = 'a.b.c' OR tags.team = 'x'", {"name": "z"}, {"team": "x"}, True),
        ("(name LIKE 'a.%' OR name = 'z') AND tags.team = 'x'", {"name": "z"}, {}, False),
        ("tags.team IS NULL", {"name": "n"}, {}, True),
        ("name = 'unclosed", {"name": "x"}, {}, None),
        ("name ~ 'x'", {"name": "x"}, {}, None),
    ],
)
def test_filters(text: str, record: dict, tags: dict, expected: bool | None) -> None:
    if expected is None:
        with pytest.raises(InvalidArgumentError, match="invalid filter at position"):
            parse_filter(text, KEYS)
        return
    assert matches(parse_filter(text, KEYS), record, tags) is expected


def test_bad_filters_and_orders() -> None:
    with pytest.raises(
        InvalidArgumentError, match="unknown identifier 'owner'; use name, run_id or tags.<key>"
    ):
        parse_filter("owner = 'me'", KEYS)
    with pytest.raises(InvalidArgumentError, match="expected '\\(' after IN"):
        parse_filter("name IN 'a'", KEYS)
    with pytest.raises(InvalidArgumentError, match="expected a number"):
        parse_filter("version_number = '3'", ("name", "version_number"))
    with pytest.raises(InvalidArgumentError, match="unknown identifier 'size'; use name or"):
        order_records([1], ["size DESC"], allowed={"name": str}, default=["name"])
    with pytest.raises(InvalidArgumentError, match="expected ASC, DESC or the end"):
        order_records([1], ["name DOWN"], allowed={"name": str}, default=["name"])
    with pytest.raises(InvalidArgumentError, match="the registry orders by name only"):
        order_records([1], ["tags.team"], allowed={"name": str}, default=["name"])
    versions = parse_filter("version_number >= 2 AND version_number IN (2, 5)", ("version_number",))
    assert [v for v in (1, 2, 3, 5) if matches(versions, {"version_number": v}, {})] == [2, 5]
    assert equal_values(parse_filter("name = 'a.b.c' AND run_id = 'r'", KEYS), "name") == {"a.b.c"}
    assert equal_values(parse_filter("name = 'a.b.c' OR run_id = 'r'", KEYS), "name") == set()
    assert order_records([2, 1, 3], ["n DESC"], allowed={"n": int}, default=[]) == [3, 2, 1]
