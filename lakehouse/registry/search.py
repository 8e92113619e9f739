"""The registry's searches: MLflow's filter grammar (one parser, tracking's), evaluated on records.

``search_registered_models`` and ``search_model_versions`` parse their filter
with :func:`lakehouse.tracking.filters.parse_filter`, the parser of
``search_runs``, over the registry's keys, so the same mistake gets the same
error. For example::

    name = 'main.ml.churn'          name LIKE 'main.ml.%'     name ILIKE '%CHURN%'
    name IN ('a.b.c', 'a.b.d')      tags.team = 'growth'      tags.`with space` != 'x'
    version_number = 3              run_id = '0a1b...'        run_id NOT IN ('a', 'b')
    source_path LIKE 'runs:/%'      name = 'a.b.c' OR (tags.team = 'x' AND version_number > 2)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lakehouse.errors import InvalidArgumentError
from lakehouse.tracking import filters
from lakehouse.tracking.filters import And, Comparison, Node, Vocabulary

__all__ = ["equal_values", "matches", "order_records", "parse_filter", "vocabulary"]

# Registry keys that hold numbers (compared as numbers, written unquoted).
NUMERIC_KEYS = ("version_number", "creation_timestamp", "last_updated_timestamp")
_NEGATIVE = ("!=", "NOT LIKE", "NOT ILIKE", "NOT IN")


def vocabulary(allowed: Sequence[str]) -> Vocabulary:
    """The filter vocabulary of a registry search over the keys ``allowed`` and tags."""
    strings = tuple(k for k in allowed if k not in NUMERIC_KEYS)
    numbers = tuple(k for k in allowed if k in NUMERIC_KEYS)
    return Vocabulary(
        prefixes={"tag": "tags", "tags": "tags"},
        string_attributes=strings,
        numeric_attributes=numbers,
        example="name",
        hint=(
            "Expected e.g. \"name LIKE 'main.ml.%' AND tags.team = 'growth'\" (keys: "
            f"{', '.join(allowed)}, tags.<key>; strings in single quotes; OR, parentheses "
            "and IN allowed)"
        ),
    )


def parse_filter(filter_string: str | None, allowed: Sequence[str]) -> Node | None:
    """Parse a registry filter (None when empty); :class:`InvalidArgumentError` if malformed."""
    return filters.parse_filter(filter_string, vocabulary(allowed))


def _like(pattern: str, actual: str, op: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    found = re.fullmatch(regex, actual, re.IGNORECASE if "ILIKE" in op else 0) is not None
    return not found if op.startswith("NOT") else found


def _test(node: Comparison, record: Mapping[str, Any], tags: Mapping[str, str]) -> bool:
    actual = tags.get(node.key) if node.kind == "tags" else record.get(node.key)
    if node.op in ("IS NULL", "IS NOT NULL"):
        return (actual is None) == (node.op == "IS NULL")
    if actual is None:
        return node.op in _NEGATIVE
    numeric = node.kind == "attributes" and node.key in NUMERIC_KEYS
    value: Any = float(actual) if numeric else str(actual)
    if node.op in ("IN", "NOT IN"):
        inside = value in set(node.value)  # type: ignore[call-overload]
        return inside if node.op == "IN" else not inside
    if "LIKE" in node.op:
        return _like(str(node.value), value, node.op)
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    return compare[node.op](value, node.value)


def matches(node: Node | None, record: Mapping[str, Any], tags: Mapping[str, str]) -> bool:
    """Whether a record (key -> value) with its tags passes the filter (None passes all)."""
    if node is None:
        return True
    if isinstance(node, Comparison):
        return _test(node, record, tags)
    if isinstance(node, And):
        return all(matches(n, record, tags) for n in node.items)
    return any(matches(n, record, tags) for n in node.items)


def equal_values(node: Node | None, key: str) -> set[Any]:
    """Values ``key = ...`` must take for the filter to pass (empty: no such clause).

    Only clauses every match needs count (the top level, or inside a top-level AND),
    so a caller may narrow its read to one model when exactly one value is named.
    """
    items = node.items if isinstance(node, And) else (node,) if node is not None else ()
    return {
        n.value
        for n in items
        if isinstance(n, Comparison) and n.kind == "attributes" and n.key == key and n.op == "="
    }


def order_records(
    records: list[Any],
    order_by: Sequence[str] | None,
    *,
    allowed: Mapping[str, Callable[[Any], Any]],
    default: Sequence[str],
) -> list[Any]:
    """Sort by ``["field [ASC|DESC]", ...]`` (stable, last key applied first).

    Clauses are read by tracking's ``order_by`` parser, so their errors match
    ``search_runs``'.
    """
    keys = filters.parse_order_by(list(order_by or default), vocabulary(tuple(allowed)))
    out = list(records)
    for key in reversed(keys):
        if key.kind != "attributes":
            raise InvalidArgumentError(
                f"invalid order_by clause on {key.kind}.{key.key}: the registry orders by "
                f"{', '.join(allowed)} only, e.g. 'name ASC'"
            )
        out.sort(key=allowed[key.key], reverse=not key.ascending)
    return out
