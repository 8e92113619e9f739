"""MLflow filter strings: parsing and evaluation."""

from __future__ import annotations

import pytest

from lakehouse.errors import InvalidArgumentError
from lakehouse.registry.search import matches, order_records, parse_filter

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
        ("name = 'it''s'", {"name": "x"}, {}, None),
    ],
)
def test_filters(text: str, record: dict, tags: dict, expected: bool | None) -> None:
    if expected is None:
        with pytest.raises(InvalidArgumentError, match="invalid filter clause"):
            parse_filter(text, KEYS)
        return
    assert matches(parse_filter(text, KEYS), record, tags) is expected


def test_bad_filters_and_orders() -> None:
    with pytest.raises(InvalidArgumentError, match="invalid filter key 'owner'.*name, run_id"):
        parse_filter("owner = 'me'", KEYS)
    with pytest.raises(InvalidArgumentError, match="invalid value"):
        parse_filter("name IN 'a'", KEYS)
    with pytest.raises(InvalidArgumentError, match="invalid order_by clause 'size DESC'"):
        order_records([1], ["size DESC"], allowed={"name": str}, default=["name"])
    assert order_records([2, 1, 3], ["n DESC"], allowed={"n": int}, default=[]) == [3, 2, 1]
