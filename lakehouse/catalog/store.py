"""The ``system.catalog`` tables and the rows <-> entities mapping of the namespace.

Which catalogs, schemas and tables exist is the folder layout (DESIGN.md, "One
truth"); these tables hold only what the folders cannot: comments, owners and
creation times of catalogs and schemas. Written with delta-rs.

Example::

    store = CatalogStore()
    store.add_catalog(CatalogInfo(name="dev", comment="scratch", owner="ana", created_at=now))
    store.catalog_meta("dev").comment   # 'scratch'
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pyarrow as pa

from lakehouse.catalog.entities import CatalogInfo, SchemaInfo
from lakehouse.config import Config
from lakehouse.store.delta import DeltaStore, TableSpec
from lakehouse.store.layout import system_tables

__all__ = ["SPECS", "CatalogStore"]

_TS = pa.timestamp("us", tz="UTC")

SPECS: dict[str, TableSpec] = {
    "catalogs": TableSpec(
        schema=pa.schema(
            [
                pa.field("catalog_name", pa.string(), nullable=False),
                pa.field("comment", pa.string()),
                pa.field("owner", pa.string()),
                pa.field("created_at", _TS),
            ]
        ),
        keys=("catalog_name",),
        description="Comments and owners of catalogs (which catalogs exist: the folders).",
    ),
    "schemas": TableSpec(
        schema=pa.schema(
            [
                pa.field("catalog_name", pa.string(), nullable=False),
                pa.field("schema_name", pa.string(), nullable=False),
                pa.field("comment", pa.string()),
                pa.field("owner", pa.string()),
                pa.field("created_at", _TS),
            ]
        ),
        keys=("catalog_name", "schema_name"),
        description="Comments and owners of schemas (which schemas exist: the folders).",
    ),
}


def _catalog(row: dict[str, Any]) -> CatalogInfo:
    return CatalogInfo(
        name=row["catalog_name"],
        comment=row["comment"],
        owner=row["owner"],
        created_at=row["created_at"],
    )


def _schema(row: dict[str, Any]) -> SchemaInfo:
    return SchemaInfo(
        catalog_name=row["catalog_name"],
        name=row["schema_name"],
        comment=row["comment"],
        owner=row["owner"],
        created_at=row["created_at"],
    )


def _schema_row(info: SchemaInfo) -> dict[str, Any]:
    return {"catalog_name": info.catalog_name, "schema_name": info.name, **described(info)}


class CatalogStore:
    """Comments, owners and creation times of the catalogs and schemas of one root."""

    def __init__(self, cfg: Config | None = None) -> None:
        self.tables = system_tables("catalog", SPECS, cfg=cfg)
        self.catalogs: DeltaStore = self.tables["catalogs"]
        self.schemas: DeltaStore = self.tables["schemas"]

    # -- catalogs ------------------------------------------------------------------
    def add_catalog(self, info: CatalogInfo) -> bool:
        """Record a catalog unless one of its name is recorded; True if this call did."""
        return self.catalogs.insert_if_absent([{"catalog_name": info.name, **described(info)}]) == 1

    def catalog_meta(self, name: str) -> CatalogInfo | None:
        """What is recorded for catalog ``name`` (None: nothing)."""
        rows = self.catalogs.read([("catalog_name", "=", name)]).to_pylist()
        return _catalog(rows[0]) if rows else None

    def catalogs_meta(self) -> dict[str, CatalogInfo]:
        """Every recorded catalog by name."""
        return {r["catalog_name"]: _catalog(r) for r in self.catalogs.read().to_pylist()}

    def remove_catalog(self, name: str) -> None:
        """Forget a catalog and every schema recorded in it."""
        self.schemas.delete_keys(
            self.schemas.read(
                [("catalog_name", "=", name)], columns=["catalog_name", "schema_name"]
            )
        )
        self.catalogs.delete_keys([{"catalog_name": name}])

    # -- schemas -------------------------------------------------------------------
    def add_schema(self, info: SchemaInfo) -> bool:
        """Record a schema unless it is recorded; True if this call did."""
        row = _schema_row(info)
        return self.schemas.insert_if_absent([row]) == 1

    def replace_schema(self, info: SchemaInfo) -> None:
        """Record a schema just made, replacing any row an earlier schema of its name left."""
        row = _schema_row(info)
        self.schemas.upsert([row])

    def set_schema_comment(self, catalog: str, schema: str, comment: str | None) -> None:
        """Set a schema's comment (None clears it); records the schema if nothing is."""
        row = {"catalog_name": catalog, "schema_name": schema, "comment": comment}
        row |= {"owner": None, "created_at": None}
        updated = self.schemas.update_columns([row], ["comment"])
        if not updated and not self.schemas.insert_if_absent([row]):
            self.schemas.update_columns([row], ["comment"])  # recorded meanwhile: set it there

    def schema_meta(self, catalog: str, schema: str) -> SchemaInfo | None:
        """What is recorded for ``catalog.schema`` (None: nothing)."""
        rows = self.schemas.read(
            [("catalog_name", "=", catalog), ("schema_name", "=", schema)]
        ).to_pylist()
        return _schema(rows[0]) if rows else None

    def schemas_meta(self, catalog: str) -> dict[str, SchemaInfo]:
        """Every recorded schema of a catalog by name."""
        rows = self.schemas.read([("catalog_name", "=", catalog)]).to_pylist()
        return {r["schema_name"]: _schema(r) for r in rows}

    def remove_schema(self, catalog: str, schema: str) -> None:
        """Forget a schema."""
        self.schemas.delete_keys([{"catalog_name": catalog, "schema_name": schema}])


def described(info: CatalogInfo | SchemaInfo | None) -> dict[str, Any]:
    """Comment, owner and creation time of a recorded entity (all None without one)."""
    if info is None:
        return {"comment": None, "owner": None, "created_at": None}
    values = dataclasses.asdict(info)
    return {k: values[k] for k in ("comment", "owner", "created_at")}
