"""MLflow's registry filter strings, parsed once and evaluated on records.

Supported (clauses joined by ``AND``)::

    name = 'main.ml.churn'          name LIKE 'main.ml.%'     name ILIKE '%CHURN%'
    name IN ('a.b.c', 'a.b.d')      tags.team = 'growth'      tags.`with space` != 'x'
    version_number = 3              run_id = '0a1b...'        run_id IN ('a', 'b')
    source_path LIKE 'runs:/%'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lakehouse.errors import InvalidArgumentError

__all__ = ["Clause", "matches", "order_records", "parse_filter"]

_OPS = ("!=", "=", "<>", "NOT ILIKE", "NOT LIKE", "ILIKE", "LIKE", "NOT IN", "IN")
_CLAUSE = re.compile(
    r"""\s*(?P<key>tags\.`[^`]+`|tags\.[\w.\-]+|[A-Za-z_][\w]*)\s*
        (?P<op>!=|<>|=|(?:NOT\s+)?I?LIKE\b|(?:NOT\s+)?IN\b)\s*
        (?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\(.*\)|-?\d+)\s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_QUOTED = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+)""")


@dataclass(frozen=True, slots=True)
class Clause:
    """One ``key op value`` test; ``key`` is an attribute or ``tags.<key>``."""

    key: str
    op: str
    value: Any

    def test(self, record: Mapping[str, Any], tags: Mapping[str, str]) -> bool:
        """Whether a record (attribute -> value) and its tags pass."""
        actual = tags.get(self.key[5:]) if self.key.startswith("tags.") else record.get(self.key)
        if actual is None:
            return self.op in ("!=", "NOT LIKE", "NOT ILIKE", "NOT IN")
        if self.op in ("=", "!="):
            equal = str(actual) == str(self.value)
            return equal if self.op == "=" else not equal
        if self.op in ("IN", "NOT IN"):
            inside = str(actual) in {str(v) for v in self.value}
            return inside if self.op == "IN" else not inside
        flags = re.IGNORECASE if "ILIKE" in self.op else 0
        found = re.fullmatch(_like_regex(str(self.value)), str(actual), flags) is not None
        return not found if self.op.startswith("NOT") else found


def _like_regex(pattern: str) -> str:
    return "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)


def _split_and(text: str) -> list[str]:
    """Split on ``AND`` outside quotes and parentheses."""
    parts, current, quote, depth, i = [], "", "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif (
            depth == 0
            and text[i : i + 3].upper() == "AND"
            and (i == 0 or text[i - 1].isspace())
            and (i + 3 == len(text) or text[i + 3].isspace())
        ):
            parts.append(current)
            current, i = "", i + 3
            continue
        current += ch
        i += 1
    parts.append(current)
    return parts


def _literal(text: str) -> Any:
    match = _QUOTED.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    if match.group(3) is not None:
        return int(match.group(3))
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return re.sub(r"\\(.)", r"\1", raw)


def parse_filter(filter_string: str | None, allowed: Sequence[str]) -> list[Clause]:
    """Parse a filter string; unknown keys or bad syntax raise :class:`InvalidArgumentError`."""
    if not filter_string or not filter_string.strip():
        return []
    clauses = []
    for text in _split_and(filter_string):
        match = _CLAUSE.match(text)
        if not match:
            raise InvalidArgumentError(
                f"invalid filter clause {text.strip()!r} in {filter_string!r}: expected "
                "<key> <op> <value> with op one of =, !=, LIKE, ILIKE, IN and a quoted value, "
                "e.g. \"name LIKE 'main.ml.%' AND tags.team = 'growth'\""
            )
        key = match.group("key")
        op = " ".join(match.group("op").upper().split()).replace("<>", "!=")
        if key.lower().startswith("tags."):
            key = "tags." + key[5:].strip("`")
        elif key.lower() not in allowed:
            raise InvalidArgumentError(
                f"invalid filter key {key!r} in {filter_string!r}: expected one of "
                f"{', '.join(allowed)} or tags.<key>"
            )
        else:
            key = key.lower()
        value_text = match.group("value")
        try:
            if op in ("IN", "NOT IN"):
                inner = value_text.strip()
                if not (inner.startswith("(") and inner.endswith(")")):
                    raise ValueError(inner)
                value: Any = [_literal(v) for v in _split_commas(inner[1:-1])]
            else:
                value = _literal(value_text)
        except ValueError:
            raise InvalidArgumentError(
                f"invalid value {value_text!r} for {key} {op} in {filter_string!r}: expected a "
                "quoted string, a number, or for IN a list like ('a', 'b')"
            ) from None
        clauses.append(Clause(key, op, value))
    return clauses


def _split_commas(text: str) -> list[str]:
    items = [m.group(0) for m in _QUOTED.finditer(text)]
    if not items:
        raise ValueError(text)
    return items


def matches(clauses: Sequence[Clause], record: Mapping[str, Any], tags: Mapping[str, str]) -> bool:
    """True when every clause passes."""
    return all(c.test(record, tags) for c in clauses)


def order_records(
    records: list[Any],
    order_by: Sequence[str] | None,
    *,
    allowed: Mapping[str, Callable[[Any], Any]],
    default: Sequence[str],
) -> list[Any]:
    """Sort by ``["field [ASC|DESC]", ...]`` (stable, last key applied first)."""
    out = list(records)
    for spec in reversed(list(order_by or default)):
        words = spec.split()
        field = words[0].lower() if words else ""
        direction = words[1].upper() if len(words) > 1 else "ASC"
        if field not in allowed or direction not in ("ASC", "DESC") or len(words) > 2:
            raise InvalidArgumentError(
                f"invalid order_by clause {spec!r}: expected '<field> [ASC|DESC]' with field "
                f"one of {', '.join(allowed)}"
            )
        out.sort(key=allowed[field], reverse=direction == "DESC")
    return out
