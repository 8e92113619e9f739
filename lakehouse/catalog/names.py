"""Names in the ``catalog.schema.name`` namespace, as Unity Catalog takes them.

A part may hold any character but ``.``, space, ``/``, control characters and DEL (and
``#``, ``?``, ``%``, which folder URIs cannot carry), at most 255 characters, and is
stored lowercase (``ElasticnetWineModel`` is
``elasticnetwinemodel``). A part may be written in backquotes as Spark SQL allows
(```main`.`ml`.`sk-learn-model```, a doubled backquote inside stands for one). One- and
two-part names resolve against the default catalog and schema (config
``default_catalog``/``default_schema``), as MLflow's Unity Catalog registry resolves them
against the current catalog and schema. In SQL, a part that is not a plain identifier is
backquoted: :func:`sql_name` renders a name that way.

Experiments take any name MLflow takes: :func:`experiment_name` keeps a name that is not a
valid three-part name exactly as written (it lives in the default schema).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lakehouse.config import get_config
from lakehouse.errors import InvalidNameError, ReservedNameError

__all__ = [
    "IDENTIFIER_RULE",
    "SYSTEM_CATALOG",
    "FullName",
    "check_writable",
    "experiment_catalog",
    "experiment_name",
    "is_valid_part",
    "parse_name",
    "quote_part",
    "split_parts",
    "sql_name",
]

IDENTIFIER_RULE = (
    "each part at most 255 characters, any but '.', space, '/', control characters, DEL, "
    "'#', '?' and '%' (stored lowercase)"
)
SYSTEM_CATALOG = "system"
# Unity Catalog's rule: no '.', ' ', '/', ASCII control characters or DEL in a part. Also
# no '#', '?' or '%': parts are folder names inside URIs (<home>/warehouse/..., models/...),
# where these would be read as a fragment, a query or an escape and name another folder.
_PART = re.compile(r"[^.\s/\x00-\x1f\x7f#?%]{1,255}")
_BAD_CHAR = re.compile(r"[.\s/\x00-\x1f\x7f#?%]")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a leading digit could read as a number
_EXAMPLES = {1: "main", 2: "main.ml", 3: "main.ml.churn_model"}
_WHAT = {1: "catalog", 2: "catalog.schema", 3: "catalog.schema.name"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FullName:
    """A parsed three-part name (each part stored lowercase)."""

    catalog: str
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.name}"

    @property
    def schema_name(self) -> str:
        """``catalog.schema``."""
        return f"{self.catalog}.{self.schema}"

    @property
    def sql(self) -> str:
        """The name as Spark SQL takes it, parts backquoted when not plain identifiers."""
        return ".".join(quote_part(p) for p in (self.catalog, self.schema, self.name))


def _error(name: object, parts: int, why: str) -> InvalidNameError:
    return InvalidNameError(
        f"invalid name {name!r}: {why}. Expected {_WHAT[parts]}, {IDENTIFIER_RULE}; "
        f"for example {_EXAMPLES[parts]!r}."
    )


def is_valid_part(part: str) -> bool:
    """Whether ``part`` (as stored, without backquotes) follows the rule."""
    return bool(_PART.fullmatch(part))


def quote_part(part: str) -> str:
    """``part`` as Spark SQL takes it: backquoted unless a plain identifier."""
    return part if _PLAIN.fullmatch(part) else "`" + part.replace("`", "``") + "`"


def _split(name: str, parts: int) -> list[str]:
    """Split on dots outside backquotes; a doubled backquote inside backquotes is one."""
    out: list[str] = []
    i, n = 0, len(name)
    while True:
        if i < n and name[i] == "`":
            chars: list[str] = []
            i += 1
            while True:
                end = name.find("`", i)
                if end == -1:
                    raise _error(name, parts, "a backquote is not closed")
                chars.append(name[i:end])
                if name.startswith("``", end):
                    chars.append("`")
                    i = end + 2
                    continue
                i = end + 1
                break
            out.append("".join(chars))
            if i < n and name[i] != ".":
                raise _error(name, parts, "a backquoted part must be followed by '.' or the end")
        else:
            end = name.find(".", i)
            end = n if end == -1 else end
            out.append(name[i:end])
            i = end
        if i >= n:
            return out
        i += 1  # skip the dot
        if i == n:
            out.append("")
            return out


def _check_part(name: str, parts: int, part: str) -> str:
    if part == "":
        raise _error(name, parts, "a part is empty")
    if len(part) > 255:
        raise _error(name, parts, f"part {part[:20]!r}... is longer than 255 characters")
    bad = _BAD_CHAR.search(part)
    if bad:
        instead = _BAD_CHAR.sub("_", part).lower()
        raise _error(name, parts, f"part {part!r} holds {bad.group(0)!r} (write {instead!r})")
    return part.lower()


def split_parts(name: str, parts: int = 3) -> list[str]:
    """Split a dotted name into exactly ``parts`` checked parts, lowercased."""
    if not isinstance(name, str):
        raise _error(name, parts, f"a name must be a string, got {type(name).__name__}")
    out = _split(name, parts)
    if len(out) != parts:
        raise _error(name, parts, f"it has {len(out)} part(s), not {parts}")
    return [_check_part(name, parts, part) for part in out]


def parse_name(name: str) -> FullName:
    """Parse ``catalog.schema.name``; ``schema.name`` and ``name`` use the defaults.

    Example::

        parse_name("main.ml.churn").schema  # 'ml'
        str(parse_name("ElasticnetWineModel"))  # 'main.default.elasticnetwinemodel'
    """
    if not isinstance(name, str):
        raise _error(name, 3, f"a name must be a string, got {type(name).__name__}")
    given = _split(name, 3)
    if len(given) > 3:
        raise _error(name, 3, f"it has {len(given)} part(s), not 3")
    checked = [_check_part(name, 3, part) for part in given]
    cfg = get_config()
    catalog, schema, last = [cfg.default_catalog, cfg.default_schema][: 3 - len(checked)] + checked
    return FullName(catalog=catalog, schema=schema, name=last)


def sql_name(name: str) -> str:
    """A name rendered for Spark SQL: ``main.default.`sk-learn-model```.

    Example::

        spark.sql(f"SELECT * FROM {sql_name('main.ml.daily-scores')}")
    """
    return parse_name(name).sql


def _three_part(name: str) -> FullName | None:
    """``name`` parsed when it is a valid name of exactly three parts, else None."""
    try:
        return parse_name(name) if len(_split(name, 3)) == 3 else None
    except InvalidNameError:
        return None


def experiment_name(name: str) -> str:
    """The stored name of an experiment: a valid three-part name normalized, else as given.

    MLflow takes any non-empty name (``"MLflow Quickstart"``, ``"/Users/me/churn"``); such
    a name lives in the default schema under its exact text.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidNameError(
            f"invalid experiment name {name!r}: it must be a non-empty string; for example "
            "'main.ml.churn' (placed in that schema) or any text such as 'churn quickstart' "
            "(placed in the default schema)"
        )
    full = _three_part(name)
    return name if full is None else str(full)


def experiment_catalog(name: str) -> str:
    """The catalog an experiment name lives in (the default one unless three-part)."""
    full = _three_part(experiment_name(name))
    return get_config().default_catalog if full is None else full.catalog


def check_writable(catalog: str, what: str) -> None:
    """Refuse writes into the reserved ``system`` catalog."""
    if catalog == SYSTEM_CATALOG:
        raise ReservedNameError(
            f"cannot {what}: the {SYSTEM_CATALOG!r} catalog is reserved for lakehouse's own "
            "tables (tracking, registry, catalog) and is read-only to users; use another "
            "catalog such as 'main'."
        )
