"""RegistryClient: MLflow's registry calls on ``catalog.schema.model`` names.

Registered models, versions, tags, aliases (with history and rollback), legacy
stages, lineage and ``models:/`` resolution, all kept in ``system.registry.*``
Delta tables. Example::

    client = RegistryClient()
    mv = client.create_model_version("main.ml.churn", "runs:/0a1b/model")
    client.set_registered_model_alias("main.ml.churn", "champion", mv.version)
    client.resolve_model_uri("models:/main.ml.churn@champion")  # file:///.../models/...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lakehouse.catalog.names import check_writable, parse_name
from lakehouse.config import username
from lakehouse.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
)
from lakehouse.registry import aliases as alias_ops
from lakehouse.registry import search
from lakehouse.registry.entities import (
    AliasMove,
    Lineage,
    ModelVersion,
    RegisteredModel,
    Stage,
    canonical_stage,
)
from lakehouse.registry.sources import remove_tree, resolve_source
from lakehouse.registry.store import (
    ModelVersionChange,
    RegistryStore,
    inputs_from_row,
    model_from_row,
    now,
    version_from_row,
)
from lakehouse.registry.uris import (
    find_model,
    find_version,
    no_alias,
    resolve_model_uri,
    resolve_version,
    version_location,
)
from lakehouse.registry.versions import register_version, rename_model
from lakehouse.store.layout import models_uri
from lakehouse.tracking.writer import wait_for_background_writes

__all__ = ["RegistryClient"]

_MODEL_FILTER_KEYS = ("name",)
_VERSION_FILTER_KEYS = ("name", "version_number", "run_id", "source_path")


def _name(name: str) -> str:
    return str(parse_name(name))


class RegistryClient:
    """The model registry of the current lakehouse root."""

    def __init__(self) -> None:
        wait_for_background_writes()  # a registration autolog still makes is seen
        self._store = RegistryStore()

    # -- registered models ------------------------------------------------------------
    def create_registered_model(
        self,
        name: str,
        tags: dict[str, str] | None = None,
        description: str | None = None,
    ) -> RegisteredModel:
        """Create ``catalog.schema.model``; :class:`AlreadyExistsError` if it exists."""
        if not self._create_if_absent(name, description):
            raise AlreadyExistsError(
                f"registered model {_name(name)} already exists; use get_registered_model, or "
                "create_model_version to add a version to it"
            )
        for key, value in (tags or {}).items():
            self.set_registered_model_tag(name, key, value)
        return self.get_registered_model(name)

    def _create_if_absent(
        self, name: str, description: str | None = None, *, created_at: Any = None
    ) -> bool:
        full = parse_name(name)
        check_writable(full.catalog, f"register model {full}")
        created = self._store.add_model(
            str(full), description=description, user_id=username(), created_at=created_at or now()
        )
        if created:  # a model renamed away from (or deleted under) this name no longer owns it
            self._store.clear_marker(str(full))
        return created

    def ensure_registered_model(self, name: str) -> None:
        """Create ``name`` unless it exists (a read, and a commit only the first time)."""
        if self._store.model_row(_name(name)) is None:
            self._create_if_absent(name)

    def _model_row(self, name: str) -> dict[str, Any]:
        return find_model(self._store, name)

    def get_registered_model(self, name: str) -> RegisteredModel:
        """A registered model with its tags, aliases and latest version per stage."""
        row = self._model_row(name)
        full = row["name"]
        tags = self._store.model_tags_of([full]).get(full, {})
        current = self._store.current_aliases(full).get(full, {})
        return model_from_row(
            row,
            tags=tags,
            aliases={a: m.to_version for a, m in current.items() if m.to_version is not None},
            latest_versions=self.get_latest_versions(full),
            versions_changed=self._store.newest_version_change(full).get(full),
        )

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a model with its versions, tags and alias history; files move along.

        The versions move in one conditional commit (retried on conflict), so a
        version registered while the rename runs is neither lost nor left under
        the old name: it ends under ``new_name`` with the others
        (:func:`~lakehouse.registry.versions.rename_model`).
        """
        row = self._model_row(name)
        old, new = parse_name(row["name"]), parse_name(new_name)
        check_writable(new.catalog, f"rename a model to {new}")
        if not self._create_if_absent(str(new), row["description"], created_at=row["created_at"]):
            raise AlreadyExistsError(
                f"cannot rename {old} to {new}: a registered model {new} already exists"
            )
        rename_model(self._store, str(old), str(new))
        return self.get_registered_model(str(new))

    def update_registered_model(self, name: str, description: str | None = None) -> RegisteredModel:
        """Set a model's description."""
        row = self._model_row(name)
        self._store.set_model_description(row["name"], description)
        return self.get_registered_model(row["name"])

    def delete_registered_model(self, name: str) -> None:
        """Delete a model, all its versions (and their files), tags and alias history."""
        row = self._model_row(name)
        full = row["name"]
        for r in self._store.remove_model(full):  # its folders, wherever they are
            remove_tree(r["storage_location"])
        parts = parse_name(full)
        remove_tree(models_uri(parts.catalog, parts.schema, parts.name))

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
    ) -> list[RegisteredModel]:
        """Models matching ``name =/LIKE/ILIKE/IN ...`` and ``tags.<key> = ...`` clauses."""
        clauses = search.parse_filter(filter_string, _MODEL_FILTER_KEYS)
        rows = self._store.model_rows()
        tags = self._store.model_tags_of()
        current = self._store.current_aliases()
        changed = self._store.newest_version_change()
        found = [
            model_from_row(
                r,
                tags=tags.get(r["name"], {}),
                versions_changed=changed.get(r["name"]),
                aliases={
                    a: m.to_version
                    for a, m in current.get(r["name"], {}).items()
                    if m.to_version is not None
                },
            )
            for r in rows
            if search.matches(clauses, {"name": r["name"]}, tags.get(r["name"], {}))
        ]
        ordered = search.order_records(
            found,
            order_by,
            allowed={
                "name": lambda m: m.name,
                "creation_timestamp": lambda m: m.creation_timestamp,
                "last_updated_timestamp": lambda m: m.last_updated_timestamp,
            },
            default=["name ASC"],
        )
        return ordered[:max_results]

    # -- model versions ---------------------------------------------------------------
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: dict[str, str] | None = None,
        run_link: str | None = None,
        description: str | None = None,
        *,
        inputs: Iterable[tuple[str, int | None]] | None = None,
    ) -> ModelVersion:
        """Copy the package at ``source`` into the registry as the model's next version.

        ``source`` is ``runs:/<run_id>/<path>``, ``models:/...``, a ``file://`` URI
        or a local folder holding an ``MLmodel`` file. ``inputs`` adds lineage
        entries ``(table_name, delta_version)`` to those the run recorded.
        ``run_link`` is accepted where MLflow has it (positional order) and unused.
        """
        self._model_row(name)
        return self.add_version(
            name, source, run_id=run_id, tags=tags, description=description, inputs=inputs
        )

    def add_version(
        self,
        name: str,
        source: str,
        *,
        run_id: str | None = None,
        tags: dict[str, str] | None = None,
        description: str | None = None,
        inputs: Iterable[tuple[str, int | None]] | None = None,
        create_model: bool = False,
    ) -> ModelVersion:
        """:meth:`create_model_version`, creating the model first when ``create_model``.

        Everything is checked (name, source, tags) before the first write, so a
        bad call changes nothing.
        """
        full = _name(name)
        check_writable(parse_name(full).catalog, f"register model {full}")
        if not isinstance(source, str):
            raise InvalidArgumentError(f"model source must be a URI string, got {source!r}")
        for key, value in (tags or {}).items():
            self._check_tag(key, value)
        found = resolve_model_uri(source, store=self._store)
        resolved = resolve_source(source, location=found.location, run_id=run_id or found.run_id)
        if create_model:
            self.ensure_registered_model(full)
        else:
            self._model_row(full)
        row = register_version(
            self._store, full, resolved, description=description, inputs=list(inputs or [])
        )
        for key, value in (tags or {}).items():  # under the model's name now (renames)
            self.set_model_version_tag(row["name"], row["version"], key, value)
        return version_from_row(row, tags={k: str(v) for k, v in (tags or {}).items()})

    def _version_row(self, name: str, version: str | int, *, ready: bool = False) -> dict[str, Any]:
        return find_version(self._store, name, version, ready=ready)

    def _decorate(self, rows: list[dict[str, Any]]) -> list[ModelVersion]:
        names = {r["name"] for r in rows}
        tags: dict[tuple[str, int], dict[str, str]] = {}
        by_version: dict[tuple[str, int], list[str]] = {}
        for model in names:
            tags.update(self._store.version_tags_of(model))
            for alias, move in self._store.current_aliases(model).get(model, {}).items():
                if move.to_version is not None:
                    by_version.setdefault((model, move.to_version), []).append(alias)
        return [
            version_from_row(
                r, tags.get((r["name"], r["version"])), by_version.get((r["name"], r["version"]))
            )
            for r in rows
        ]

    def get_model_version(self, name: str, version: str | int) -> ModelVersion:
        """One version, with its tags and the aliases that point to it."""
        return self._decorate([self._version_row(name, version)])[0]

    def update_model_version(
        self, name: str, version: str | int, description: str | None = None
    ) -> ModelVersion:
        """Set a version's description (its files never change)."""
        row = self._version_row(name, version)
        change = {"description": description}
        self._store.set_versions(
            [ModelVersionChange(name=row["name"], version=row["version"], values=change)]
        )
        return self.get_model_version(row["name"], row["version"])

    def delete_model_version(
        self,
        name: str,
        version: str | int,
        *,
        move_aliases_to: str | int | None = None,
        drop_aliases: bool = False,
    ) -> None:
        """Delete a version and its files; its number is never reused.

        If aliases point to it, the call refuses unless ``move_aliases_to=<version>``
        (each alias moves there, recorded in the history) or ``drop_aliases=True``.
        """
        row = self._version_row(name, version)
        full, number = row["name"], row["version"]
        pointing = sorted(
            a
            for a, m in self._store.current_aliases(full).get(full, {}).items()
            if m.to_version == number
        )
        if pointing and move_aliases_to is None and not drop_aliases:
            raise InvalidStateError(
                f"cannot delete version {number} of {full}: alias(es) {', '.join(pointing)} "
                "point to it. Move them first, or pass move_aliases_to=<version> or "
                "drop_aliases=True"
            )
        for alias in pointing:
            if move_aliases_to is not None:
                self.set_registered_model_alias(full, alias, move_aliases_to)
            else:
                self.delete_registered_model_alias(full, alias)
        self._store.set_versions(
            [ModelVersionChange(name=full, version=number, values={"deleted": True})]
        )
        remove_tree(row["storage_location"])

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 10_000,
        order_by: Sequence[str] | None = None,
    ) -> list[ModelVersion]:
        """Versions matching ``name``, ``version_number``, ``run_id``, ``source_path``, tags."""
        clauses = search.parse_filter(filter_string, _VERSION_FILTER_KEYS)
        names = search.equal_values(clauses, "name")
        rows = self._store.version_rows(next(iter(names)) if len(names) == 1 else None)
        tags = self._store.version_tags_of(next(iter(names)) if len(names) == 1 else None)
        kept = [
            r
            for r in rows
            if search.matches(
                clauses,
                {
                    "name": r["name"],
                    "version_number": r["version"],
                    "run_id": r["run_id"],
                    "source_path": r["source"],
                },
                tags.get((r["name"], r["version"]), {}),
            )
        ]
        found = self._decorate(kept)
        ordered = search.order_records(
            found,
            order_by,
            allowed={
                "name": lambda v: v.name,
                "version_number": lambda v: v.version,
                "creation_timestamp": lambda v: v.creation_timestamp,
                "last_updated_timestamp": lambda v: v.last_updated_timestamp,
            },
            default=["name ASC", "version_number DESC"],
        )
        return ordered[:max_results]

    def get_model_version_download_uri(self, name: str, version: str | int) -> str:
        """The URI of the version's read-only package folder under ``<home>/models``."""
        return version_location(self._version_row(name, version, ready=True))

    # -- tags -------------------------------------------------------------------------
    @staticmethod
    def _check_tag(key: str, value: Any) -> None:
        if not isinstance(key, str) or not key.strip():
            raise InvalidArgumentError(f"invalid tag key {key!r}: expected a non-empty string")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise InvalidArgumentError(
                f"invalid value for tag {key!r}: expected a string, got {type(value).__name__}"
            )

    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None:
        """Set (or replace) a tag on a registered model."""
        self._check_tag(key, value)
        full = self._model_row(name)["name"]
        self._store.set_model_tag(full, key, str(value))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove a tag from a registered model."""
        full = self._model_row(name)["name"]
        self._store.delete_model_tag(full, key)

    def set_model_version_tag(self, name: str, version: str | int, key: str, value: Any) -> None:
        """Set (or replace) a tag on a model version."""
        self._check_tag(key, value)
        row = self._version_row(name, version)
        self._store.set_version_tag(row["name"], row["version"], key, str(value))

    def delete_model_version_tag(self, name: str, version: str | int, key: str) -> None:
        """Remove a tag from a model version."""
        row = self._version_row(name, version)
        self._store.delete_version_tag(row["name"], row["version"], key)

    # -- aliases ----------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: str | int) -> None:
        """Point ``alias`` at ``version`` in one conditional commit (recorded in history)."""
        alias_ops.check_alias(alias)
        row = self._version_row(name, version, ready=True)
        alias_ops.move_alias(
            self._store, row["name"], alias, action="set", target=lambda _last: row["version"]
        )

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias (recorded in history); :class:`NotFoundError` if it is not set."""
        full = self._model_row(name)["name"]

        def target(last: AliasMove | None) -> None:
            if last is None or last.to_version is None:
                raise self._no_alias(full, alias)
            return None

        alias_ops.move_alias(self._store, full, alias, action="delete", target=target)

    @staticmethod
    def _no_alias(full: str, alias: str) -> NotFoundError:
        return no_alias(full, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version an alias points to now."""
        full = self._model_row(name)["name"]
        last = alias_ops.last_move(self._store, full, alias)
        if last is None or last.to_version is None:
            raise self._no_alias(full, alias)
        return self.get_model_version(full, last.to_version)

    def rollback_alias(self, name: str, alias: str) -> ModelVersion:
        """Put ``alias`` back on the version it pointed to before its last move.

        Recorded as a ``rollback`` move, so rolling back twice returns to where it
        was. Refuses when the alias has no earlier version or that one was deleted.
        """
        full = self._model_row(name)["name"]

        def target(last: AliasMove | None) -> int:
            if last is None:
                raise self._no_alias(full, alias)
            if last.from_version is None:
                raise InvalidStateError(
                    f"cannot roll back alias {alias!r} of {full}: it pointed to no version "
                    "before its last move; set it with set_registered_model_alias instead"
                )
            self._version_row(full, last.from_version, ready=True)
            return last.from_version

        alias_ops.move_alias(self._store, full, alias, action="rollback", target=target)
        return self.get_model_version_by_alias(full, alias)

    def alias_history(self, name: str, alias: str | None = None) -> list[AliasMove]:
        """Every recorded move of the model's aliases (or one alias), oldest first."""
        full = self._model_row(name)["name"]
        return self._store.alias_moves(full, alias)

    # -- legacy stages ----------------------------------------------------------------
    def transition_model_version_stage(
        self,
        name: str,
        version: str | int,
        stage: str,
        archive_existing_versions: bool = False,
    ) -> ModelVersion:
        """Move a version to None/Staging/Production/Archived (any case)."""
        target = canonical_stage(stage)
        row = self._version_row(name, version, ready=True)
        if archive_existing_versions and target not in (Stage.STAGING, Stage.PRODUCTION):
            raise InvalidArgumentError(
                f"archive_existing_versions=True is only allowed for stage Staging or "
                f"Production, got {target.value}"
            )
        changes = [
            ModelVersionChange(
                name=row["name"], version=row["version"], values={"current_stage": target.value}
            )
        ]
        if archive_existing_versions:
            changes += [
                ModelVersionChange(
                    name=r["name"],
                    version=r["version"],
                    values={"current_stage": Stage.ARCHIVED.value},
                )
                for r in self._store.version_rows(row["name"])
                if r["current_stage"] == target.value and r["version"] != row["version"]
            ]
        self._store.set_versions(changes)
        return self.get_model_version(row["name"], row["version"])

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each stage (every stage when ``stages`` is None)."""
        full = self._model_row(name)["name"]
        wanted = [canonical_stage(s) for s in stages] if stages else list(Stage)
        newest: dict[str, dict[str, Any]] = {}
        for row in self._store.version_rows(full):
            stage = row["current_stage"]
            if stage in newest and newest[stage]["version"] >= row["version"]:
                continue
            newest[stage] = row
        rows = [newest[s.value] for s in wanted if s.value in newest]
        return self._decorate(sorted(rows, key=lambda r: r["version"]))

    # -- models:/ URIs and lineage ----------------------------------------------------
    def _ref_version(self, uri: str) -> tuple[str, int]:
        return resolve_version(self._store, uri)

    def resolve_model_uri(self, uri: str) -> str:
        """Where the package a ``models:/`` URI names is stored (a URI under ``models/``).

        :func:`lakehouse.registry.uris.resolve_model_uri` gives the version with it.
        """
        return resolve_model_uri(uri, store=self._store).location

    def lineage(self, name: str, version: str | int) -> Lineage:
        """The run, source and input tables (with Delta versions) behind a version."""
        row = self._version_row(name, version)
        return Lineage(
            name=row["name"],
            version=row["version"],
            run_id=row["run_id"],
            source=row["source"],
            inputs=inputs_from_row(row),
        )
