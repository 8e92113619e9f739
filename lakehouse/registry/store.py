"""The registry's Delta tables in ``system.registry`` and the rows <-> entities mapping.

Tables (all written by delta-rs only, readable with Spark SQL)::

    registered_models        one row per model        key (name)
    model_versions           one row per version      key (name, version)
    registered_model_tags    key (name, key)
    model_version_tags       key (name, version, key)
    alias_history            one row per alias move   key (name, alias, sequence)

``model_versions`` rows are never removed by ``delete_model_version``: the row
is marked ``deleted`` so a version number is never handed out twice (MLflow
keeps a ``Deleted_Internal`` row for the same reason). ``alias_history`` is the
truth for aliases: the current target of an alias is its row with the highest
``sequence`` (``to_version`` null means the alias was deleted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from lakehouse.registry.entities import (
    AliasMove,
    LineageInput,
    ModelVersion,
    ModelVersionStatus,
    RegisteredModel,
    Stage,
)
from lakehouse.store.delta import DeltaStore, TableSpec
from lakehouse.store.layout import system_table_uri

__all__ = ["RegistryStore", "now", "to_millis"]

_TS = pa.timestamp("us", tz="UTC")
_INPUT = pa.struct([("table_name", pa.string()), ("version", pa.int64())])

# Registry tables see many small MERGEs: checkpoint often so reads stay fast.
_PROPS = {"delta.checkpointInterval": "10"}

SPECS: dict[str, TableSpec] = {
    "registered_models": TableSpec(
        schema=pa.schema(
            [
                ("name", pa.string()),
                ("description", pa.string()),
                ("user_id", pa.string()),
                ("created_at", _TS),
                ("updated_at", _TS),
            ]
        ),
        keys=("name",),
        properties=_PROPS,
        description="Registered models (catalog.schema.model)",
    ),
    "model_versions": TableSpec(
        schema=pa.schema(
            [
                ("name", pa.string()),
                ("version", pa.int64()),
                ("source", pa.string()),
                ("storage_location", pa.string()),
                ("staging_location", pa.string()),
                ("run_id", pa.string()),
                ("status", pa.string()),
                ("status_message", pa.string()),
                ("current_stage", pa.string()),
                ("description", pa.string()),
                ("user_id", pa.string()),
                ("inputs", pa.list_(_INPUT)),
                ("deleted", pa.bool_()),
                ("created_at", _TS),
                ("updated_at", _TS),
            ]
        ),
        keys=("name", "version"),
        properties=_PROPS,
        description="Model versions, their source run, input tables and status",
    ),
    "registered_model_tags": TableSpec(
        schema=pa.schema([("name", pa.string()), ("key", pa.string()), ("value", pa.string())]),
        keys=("name", "key"),
        properties=_PROPS,
    ),
    "model_version_tags": TableSpec(
        schema=pa.schema(
            [
                ("name", pa.string()),
                ("version", pa.int64()),
                ("key", pa.string()),
                ("value", pa.string()),
            ]
        ),
        keys=("name", "version", "key"),
        properties=_PROPS,
    ),
    "alias_history": TableSpec(
        schema=pa.schema(
            [
                ("name", pa.string()),
                ("alias", pa.string()),
                ("sequence", pa.int64()),
                ("from_version", pa.int64()),
                ("to_version", pa.int64()),
                ("action", pa.string()),
                ("user_id", pa.string()),
                ("timestamp", _TS),
            ]
        ),
        keys=("name", "alias", "sequence"),
        properties=_PROPS,
        description="Every alias move; the highest sequence per (name, alias) is current",
    ),
}


def now() -> dt.datetime:
    """The current time, UTC-aware (delta-rs must never write naive timestamps)."""
    return dt.datetime.now(dt.UTC)


def to_millis(value: dt.datetime | None) -> int:
    """A timestamp as MLflow's milliseconds since the epoch."""
    return 0 if value is None else int(value.timestamp() * 1000)


class RegistryStore:
    """The ``system.registry`` tables of the current lakehouse root."""

    def __init__(self) -> None:
        self.models = self._table("registered_models")
        self.versions = self._table("model_versions")
        self.model_tags = self._table("registered_model_tags")
        self.version_tags = self._table("model_version_tags")
        self.aliases = self._table("alias_history")

    @staticmethod
    def _table(name: str) -> DeltaStore:
        return DeltaStore(system_table_uri("registry", name), SPECS[name])

    def all_tables(self) -> dict[str, DeltaStore]:
        """Each table by its name in ``system.registry``."""
        return {
            "registered_models": self.models,
            "model_versions": self.versions,
            "registered_model_tags": self.model_tags,
            "model_version_tags": self.version_tags,
            "alias_history": self.aliases,
        }

    # -- reads -------------------------------------------------------------------------
    def model_row(self, name: str) -> dict[str, Any] | None:
        rows = self.models.read(filters=[("name", "=", name)]).to_pylist()
        return rows[0] if rows else None

    def version_rows(
        self, name: str | None = None, *, include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        filters = [("name", "=", name)] if name is not None else []
        rows = self.versions.read(filters=filters).to_pylist()
        return [r for r in rows if include_deleted or not r["deleted"]]

    def max_version(self, name: str) -> int:
        """The highest version number ever allocated for ``name`` (deleted ones too).

        Read from the files' statistics when every file that may hold ``name``
        holds only ``name`` (the common case: allocation runs once per
        registration, and a Parquet scan of many small files costs tens of ms).
        """
        if not self.versions.exists():
            return 0
        actions = pa.table(self.versions.table().get_add_actions(flatten=True)).to_pydict()
        best, mixed = 0, False
        for low, high, top in zip(
            actions.get("min.name", []),
            actions.get("max.name", []),
            actions.get("max.version", []),
            strict=True,
        ):
            if low == high == name and top is not None:
                best = max(best, int(top))
            elif low is None or high is None or low <= name <= high:
                mixed = True
        if not mixed and "max.version" in actions:
            return best
        table = self.versions.read(filters=[("name", "=", name)], columns=["version"])
        values = table.column("version").to_pylist()
        return max(values, default=0)

    def newest_version_change(self, name: str | None = None) -> dict[str, Any]:
        """Model -> when any of its versions (deleted ones too) was last registered or changed."""
        if not self.versions.exists():
            return {}
        filters = [("name", "=", name)] if name is not None else []
        rows = self.versions.read(filters=filters, columns=["name", "created_at", "updated_at"])
        out: dict[str, Any] = {}
        for r in rows.to_pylist():
            stamp = max(t for t in (r["created_at"], r["updated_at"]) if t is not None)
            if r["name"] not in out or stamp > out[r["name"]]:
                out[r["name"]] = stamp
        return out

    def model_tags_of(self, names: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
        wanted = set(names) if names is not None else None
        out: dict[str, dict[str, str]] = {}
        for row in self.model_tags.read().to_pylist():
            if wanted is None or row["name"] in wanted:
                out.setdefault(row["name"], {})[row["key"]] = row["value"]
        return out

    def version_tags_of(self, name: str | None = None) -> dict[tuple[str, int], dict[str, str]]:
        filters = [("name", "=", name)] if name is not None else []
        out: dict[tuple[str, int], dict[str, str]] = {}
        for row in self.version_tags.read(filters=filters).to_pylist():
            out.setdefault((row["name"], row["version"]), {})[row["key"]] = row["value"]
        return out

    def alias_moves(self, name: str | None = None, alias: str | None = None) -> list[AliasMove]:
        """Recorded moves in commit order (per alias, by sequence)."""
        filters: list[tuple[str, str, Any]] = []
        if name is not None:
            filters.append(("name", "=", name))
        if alias is not None:
            filters.append(("alias", "=", alias))
        rows = self.aliases.read(filters=filters).to_pylist()
        rows.sort(key=lambda r: (r["name"], r["alias"], r["sequence"]))
        return [
            AliasMove(
                name=r["name"],
                alias=r["alias"],
                sequence=r["sequence"],
                from_version=r["from_version"],
                to_version=r["to_version"],
                action=r["action"],
                user_id=r["user_id"],
                timestamp=to_millis(r["timestamp"]),
            )
            for r in rows
        ]

    def current_aliases(self, name: str | None = None) -> dict[str, dict[str, AliasMove]]:
        """Model -> alias -> its latest move, for aliases that are set now."""
        latest: dict[tuple[str, str], AliasMove] = {}
        for move in self.alias_moves(name):
            latest[(move.name, move.alias)] = move  # sorted: the last one wins
        out: dict[str, dict[str, AliasMove]] = {}
        for (model, alias), move in latest.items():
            if move.to_version is not None:
                out.setdefault(model, {})[alias] = move
        return out


def version_from_row(
    row: dict[str, Any], tags: dict[str, str] | None = None, aliases: list[str] | None = None
) -> ModelVersion:
    """A :class:`ModelVersion` from a ``model_versions`` row."""
    return ModelVersion(
        name=row["name"],
        version=int(row["version"]),
        creation_timestamp=to_millis(row["created_at"]),
        last_updated_timestamp=to_millis(row["updated_at"]),
        source=row["source"],
        storage_location=row["storage_location"],
        run_id=row["run_id"],
        status=ModelVersionStatus(row["status"]),
        status_message=row["status_message"],
        current_stage=Stage(row["current_stage"]),
        description=row["description"],
        user_id=row["user_id"],
        tags=dict(tags or {}),
        aliases=sorted(aliases or []),
    )


def model_from_row(
    row: dict[str, Any],
    *,
    tags: dict[str, str] | None = None,
    aliases: dict[str, int] | None = None,
    latest_versions: list[ModelVersion] | None = None,
    versions_changed: Any = None,
) -> RegisteredModel:
    """A :class:`RegisteredModel` from a ``registered_models`` row.

    Its ``last_updated_timestamp`` also moves when a version is registered or
    changed (``versions_changed``, as MLflow), without a second commit.
    """
    updated = row["updated_at"]
    if versions_changed is not None and (updated is None or versions_changed > updated):
        updated = versions_changed
    return RegisteredModel(
        name=row["name"],
        creation_timestamp=to_millis(row["created_at"]),
        last_updated_timestamp=to_millis(updated),
        description=row["description"],
        user_id=row["user_id"],
        tags=dict(tags or {}),
        aliases=dict(aliases or {}),
        latest_versions=list(latest_versions or []),
    )


def inputs_from_row(row: dict[str, Any]) -> list[LineageInput]:
    """The lineage inputs recorded on a ``model_versions`` row."""
    return [
        LineageInput(table_name=i["table_name"], version=i["version"]) for i in row["inputs"] or []
    ]
