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

A model renamed away leaves a marker row ``(old name, version 0)`` in
``model_versions`` (status ``RENAMED``, ``source`` = the new name): it blocks
version allocation under the old name in the same table the allocation
commits to, so a registration racing a rename follows the model. Reads of
versions never return it; creating a model of that name again removes it.

Deleting a model leaves the same kind of marker (status ``DELETED``, no
``source``), in the one commit that removes its versions: a registration that
committed first goes with the rest (that commit re-reads on conflict), and one
that commits later finds the marker and fails instead of leaving a version of
a model that no longer exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from lakehouse.config import Config
from lakehouse.registry.entities import (
    AliasMove,
    LineageInput,
    ModelVersion,
    ModelVersionStatus,
    RegisteredModel,
    Stage,
)
from lakehouse.store.delta import DeltaStore, TableSpec
from lakehouse.store.layout import system_tables

__all__ = ["ModelVersionChange", "RegistryStore", "now", "to_millis"]

_TS = pa.timestamp("us", tz="UTC")
_INPUT = pa.struct([("table_name", pa.string()), ("version", pa.int64())])

RENAMED = "RENAMED"
DELETED = "DELETED"
_MAX_RENAMES = 100  # a longer chain of markers is a loop, not a history

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

    def __init__(self, cfg: Config | None = None) -> None:
        self.tables = system_tables("registry", SPECS, cfg=cfg)
        self.models = self.tables["registered_models"]
        self.versions = self.tables["model_versions"]
        self.model_tags = self.tables["registered_model_tags"]
        self.version_tags = self.tables["model_version_tags"]
        self.aliases = self.tables["alias_history"]

    def all_tables(self) -> dict[str, DeltaStore]:
        """Each table by its name in ``system.registry``."""
        return dict(self.tables)

    # -- reads -------------------------------------------------------------------------
    def model_row(self, name: str) -> dict[str, Any] | None:
        rows = self.models.read(filters=[("name", "=", name)]).to_pylist()
        return rows[0] if rows else None

    def version_rows(
        self, name: str | None = None, *, include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        filters: list[tuple[str, str, Any]] = [("version", ">", 0)]
        if name is not None:
            filters.append(("name", "=", name))
        rows = self.versions.read(filters=filters).to_pylist()
        return [r for r in rows if include_deleted or not r["deleted"]]

    def version_row(self, name: str, version: int) -> dict[str, Any] | None:
        """One version's row (deleted ones too), or None."""
        rows = self.versions.read(filters=[("name", "=", name), ("version", "=", version)])
        found = rows.to_pylist()
        return found[0] if found and version > 0 else None

    def model_rows(self) -> list[dict[str, Any]]:
        """Every registered model's row."""
        return self.models.read().to_pylist()

    # -- writes ------------------------------------------------------------------------
    def add_model(
        self, name: str, *, description: str | None, user_id: str, created_at: Any
    ) -> bool:
        """Record a registered model unless its name is taken; True if this call did."""
        row = {
            "name": name,
            "description": description,
            "user_id": user_id,
            "created_at": created_at,
            "updated_at": now(),
        }
        return self.models.insert_if_absent([row]) == 1

    def set_model_description(self, name: str, description: str | None) -> None:
        """Set a model's description (and its update time)."""
        row = {**dict.fromkeys(SPECS["registered_models"].schema.names), "name": name}
        row.update(description=description, updated_at=now())
        self.models.update_columns([row], ["description", "updated_at"])

    def remove_model(self, name: str) -> list[dict[str, Any]]:
        """Forget a model and everything recorded for it; returns its versions' rows.

        Each table's rows go in one commit whose read is redone on conflict, so a row
        committed meanwhile goes too; the versions' commit leaves a deletion marker
        (module docstring). The model's own row goes last.
        """
        self._replace_model_rows(name, None, f"deleting model {name}")
        removed: list[dict[str, Any]] = []

        def versions() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            removed[:] = self.version_rows(name, include_deleted=True)
            marked = self.marker(name) is not None
            return removed, [] if marked else [self.marker_row(name, None, DELETED)]

        self.versions.replace_keys(versions, what=f"deleting model {name}")
        self.models.delete_keys([{"name": name}])
        return list(removed)

    def set_versions(self, changes: Iterable[ModelVersionChange]) -> None:
        """Set the same fields of several versions in one commit (update time: now)."""
        stamp = now()
        rows: list[dict[str, Any]] = []
        fields: set[str] = set()
        for change in changes:
            if rows and set(change.values) != fields:
                raise ValueError("set_versions: every change must set the same fields")
            fields = set(change.values)
            row = {**dict.fromkeys(SPECS["model_versions"].schema.names), **change.values}
            row.update(name=change.name, version=change.version, updated_at=stamp)
            rows.append(row)
        self.versions.update_columns(rows, [*sorted(fields), "updated_at"])

    def set_model_tag(self, name: str, key: str, value: str) -> None:
        """Set (or replace) a registered model's tag."""
        self.model_tags.upsert([{"name": name, "key": key, "value": value}])

    def delete_model_tag(self, name: str, key: str) -> None:
        """Remove a registered model's tag."""
        self.model_tags.delete_keys([{"name": name, "key": key}])

    def set_version_tag(self, name: str, version: int, key: str, value: str) -> None:
        """Set (or replace) a model version's tag."""
        self.version_tags.upsert([{"name": name, "version": version, "key": key, "value": value}])

    def delete_version_tag(self, name: str, version: int, key: str) -> None:
        """Remove a model version's tag."""
        self.version_tags.delete_keys([{"name": name, "version": version, "key": key}])

    # -- renames -----------------------------------------------------------------------
    def marker(self, name: str) -> dict[str, Any] | None:
        """The rename or deletion marker of ``name`` (its version-0 row), if any."""
        rows = self.versions.read(
            filters=[("name", "=", name), ("version", "=", 0)], columns=["source", "status"]
        ).to_pylist()
        return rows[0] if rows else None

    def follow_renames(self, name: str) -> tuple[str, bool]:
        """Where ``name``'s renames led, and whether the model there was deleted.

        One marker read per name on the way (the last one tells a deletion).
        """
        for _ in range(_MAX_RENAMES):
            found = self.marker(name)
            if found is None or found["status"] != RENAMED:
                return name, bool(found and found["status"] == DELETED)
            name = str(found["source"])
        return name, False

    def current_name(self, name: str) -> str:
        """``name``, or where its renames led (following a chain of renames)."""
        return self.follow_renames(name)[0]

    @staticmethod
    def marker_row(name: str, new: str | None, status: str) -> dict[str, Any]:
        """The ``model_versions`` row (version 0) that records a rename or a deletion."""
        stamp = now()
        empty = dict.fromkeys(SPECS["model_versions"].schema.names)
        return {
            **empty,
            "name": name,
            "version": 0,
            "source": new,
            "status": status,
            "deleted": True,
            "created_at": stamp,
            "updated_at": stamp,
        }

    @classmethod
    def rename_marker(cls, old: str, new: str) -> dict[str, Any]:
        """The ``model_versions`` row that records ``old`` -> ``new`` (version 0)."""
        return cls.marker_row(old, new, RENAMED)

    def clear_marker(self, name: str) -> None:
        """A model named ``name`` exists again: versions may be allocated under it.

        Rows a racing alias move or tag write left under the name after the old model
        was deleted or renamed away go first: the new model starts with none of them.
        """
        if self.marker(name) is not None:
            self._replace_model_rows(name, None, f"clearing what was left under {name}")
            self.versions.delete_keys([{"name": name, "version": 0}])

    def _replace_model_rows(self, name: str, new: str | None, what: str) -> None:
        """Alias history, version tags and model tags of ``name``: under ``new``, or gone.

        One commit per table (a delete of the old keys and an insert of the renamed
        rows), whose read is redone on conflict, so a row committed meanwhile goes too.
        """
        for table in (self.version_tags, self.model_tags, self.aliases):

            def rows_of(
                table: DeltaStore = table,
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
                rows = table.read(filters=[("name", "=", name)]).to_pylist()
                return rows, [] if new is None else [{**r, "name": new} for r in rows]

            table.replace_keys(rows_of, what=what)

    def move_model_rows(self, old: str, new: str) -> None:
        """``old``'s tags, version tags and alias history under ``new``; then its row goes."""
        self._replace_model_rows(old, new, f"renaming model {old} to {new}")
        self.models.delete_keys([{"name": old}])

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


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelVersionChange:
    """New values of some fields of one version (``description``, ``current_stage``...)."""

    name: str
    version: int
    values: dict[str, Any]


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
