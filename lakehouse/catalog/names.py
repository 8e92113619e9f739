"""Names in the ``catalog.schema.name`` namespace.

Each part is a lowercase identifier ``[a-z_][a-z0-9_]*``; a part may be written in
backquotes as Spark allows (```main`.`ml`.`churn```), and the backquoted text must
follow the same rule. Anything else raises :class:`InvalidNameError` showing the
name, the rule and an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lakehouse.errors import InvalidNameError, ReservedNameError

__all__ = [
    "IDENTIFIER_RULE",
    "SYSTEM_CATALOG",
    "FullName",
    "check_writable",
    "parse_name",
    "split_parts",
]

IDENTIFIER_RULE = "each part a lowercase identifier [a-z_][a-z0-9_]* (at most 255 characters)"
SYSTEM_CATALOG = "system"
_IDENT = re.compile(r"[a-z_][a-z0-9_]{0,254}")
_EXAMPLES = {1: "main", 2: "main.ml", 3: "main.ml.churn_model"}
_WHAT = {1: "catalog", 2: "catalog.schema", 3: "catalog.schema.name"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FullName:
    """A parsed three-part name."""

    catalog: str
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.name}"

    @property
    def schema_name(self) -> str:
        return f"{self.catalog}.{self.schema}"


def _error(name: object, parts: int, why: str) -> InvalidNameError:
    return InvalidNameError(
        f"invalid name {name!r}: {why}. Expected {_WHAT[parts]}, {IDENTIFIER_RULE}; "
        f"for example {_EXAMPLES[parts]!r}."
    )


def split_parts(name: str, parts: int = 3) -> list[str]:
    """Split a dotted name into exactly ``parts`` checked identifiers."""
    if not isinstance(name, str):
        raise _error(name, parts, f"a name must be a string, got {type(name).__name__}")
    out: list[str] = []
    i, n = 0, len(name)
    while True:
        if i < n and name[i] == "`":
            end = name.find("`", i + 1)
            if end == -1:
                raise _error(name, parts, "a backquote is not closed")
            out.append(name[i + 1 : end])
            i = end + 1
            if i < n and name[i] != ".":
                raise _error(name, parts, "a backquoted part must be followed by '.' or the end")
        else:
            end = name.find(".", i)
            end = n if end == -1 else end
            out.append(name[i:end])
            i = end
        if i >= n:
            break
        i += 1  # skip the dot
        if i == n:
            out.append("")
            break
    if len(out) != parts:
        raise _error(name, parts, f"it has {len(out)} part(s), not {parts}")
    for part in out:
        if part == "":
            raise _error(name, parts, "a part is empty")
        if not _IDENT.fullmatch(part):
            raise _error(name, parts, f"part {part!r} is not a lowercase identifier")
    return out


def parse_name(name: str) -> FullName:
    """Parse ``catalog.schema.name``.

    Example::

        parse_name("main.ml.churn").schema  # 'ml'
    """
    catalog, schema, leaf = split_parts(name, 3)
    return FullName(catalog=catalog, schema=schema, name=leaf)


def check_writable(catalog: str, what: str) -> None:
    """Refuse writes into the reserved ``system`` catalog."""
    if catalog == SYSTEM_CATALOG:
        raise ReservedNameError(
            f"cannot {what}: the {SYSTEM_CATALOG!r} catalog is reserved for lakehouse's own "
            "tables (tracking, registry, catalog) and is read-only to users; use another "
            "catalog such as 'main'."
        )
