"""Entities of the namespace: what a catalog and a schema are described by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["CatalogInfo", "ColumnInfo", "SchemaInfo", "TableDescription"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogInfo:
    """A catalog: its name, and the comment, owner and creation time recorded for it."""

    name: str
    comment: str | None = None
    owner: str | None = None
    created_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaInfo:
    """A schema of a catalog, with the comment, owner and creation time recorded for it."""

    catalog_name: str
    name: str
    comment: str | None = None
    owner: str | None = None
    created_at: dt.datetime | None = None

    @property
    def full_name(self) -> str:
        """``catalog.schema``."""
        return f"{self.catalog_name}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnInfo:
    """One column of a table, as its Delta schema has it."""

    name: str
    type: str
    nullable: bool
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TableDescription:
    """What ``describe_table`` reports, read from the table's own Delta log."""

    full_name: str
    location: str
    columns: tuple[ColumnInfo, ...]
    comment: str | None
    partition_columns: tuple[str, ...]
    properties: Mapping[str, str] = field(default_factory=dict)
    version: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    format: str = "delta"
