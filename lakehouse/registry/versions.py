"""Registering a version: copy, commit the number, publish — never half-registered.

The order, and what a failure at each step leaves behind:

1. Resolve the source and check its ``MLmodel`` (nothing written yet).
2. Collect lineage: the run's input tables, each with its Delta version.
3. Copy the package into ``<model>/.staging/<uuid>`` and make its files
   read-only. A failure removes the staging folder: no table changed.
4. Commit the number: MERGE-insert ``(name, max + 1)``. When a concurrent
   writer took that number (or its commit conflicted with ours), the insert
   adds 0 rows, so read again and try the next one (NOTES, "Commits and
   concurrency"). Numbers are 1, 2, 3... with no gap and no duplicate. A
   failure here removes the staging folder: still no table changed.
5. Move the staged copy to ``<model>/<version>`` (a rename on local disk). If
   that fails while the process lives (the folder is somehow taken), the row
   becomes ``FAILED_REGISTRATION`` with the reason, and the staged copy goes.

The commit in 4 is the one point where the version comes to exist, and its
files are complete in staging by then (the row records where). If the process
dies between 4 and 5, the next reader of the version finishes the move
(:func:`~lakehouse.registry.sources.publish` is idempotent). So a registration
is one commit (every commit on one model's rows conflicts with every other, so
fewer commits is what keeps many concurrent registrations fast), and no
committed version ever has partial files. A crash before 4 leaves only an
orphan staging folder that nothing points to.
"""

from __future__ import annotations

import random
import time
from typing import Any

from lakehouse.catalog.names import parse_name
from lakehouse.config import username
from lakehouse.errors import CommitConflictError, InvalidNameError
from lakehouse.registry.entities import ModelVersionStatus, Stage
from lakehouse.registry.sources import (
    ResolvedSource,
    publish,
    remove_tree,
    stage_copy,
    version_location,
)
from lakehouse.registry.store import RegistryStore, now
from lakehouse.store.delta import is_conflict
from lakehouse.store.layout import table_uri
from lakehouse.tracking.client import TrackingClient

__all__ = ["collect_inputs", "register_version"]

_ATTEMPTS = 500
_COMPACT_EVERY = 10


def _table_version(table_name: str) -> int | None:
    """The current Delta version of ``catalog.schema.table`` (None if it is not a table)."""
    from deltalake import DeltaTable

    try:
        full = parse_name(table_name)
    except InvalidNameError:
        return None
    uri = table_uri(full.catalog, full.schema, full.name)
    return DeltaTable(uri).version() if DeltaTable.is_deltatable(uri) else None


def collect_inputs(
    run_id: str | None, explicit: list[tuple[str, int | None]]
) -> list[dict[str, Any]]:
    """The run's recorded inputs plus explicit ones; a missing version is read now."""
    items: list[tuple[str, int | None]] = []
    if run_id:
        items += [(i.table_name, i.version) for i in TrackingClient().get_run_inputs(run_id)]
    items += [(str(t), v) for t, v in explicit]
    seen: dict[tuple[str, int | None], dict[str, Any]] = {}
    for table_name, version in items:
        resolved = version if version is not None else _table_version(table_name)
        seen.setdefault((table_name, resolved), {"table_name": table_name, "version": resolved})
    return list(seen.values())


def _allocate(store: RegistryStore, name: str, base: dict[str, Any]) -> dict[str, Any]:
    """Insert the next version row; retried until exactly one row is inserted."""
    full = parse_name(name)
    delay = 0.005
    for _ in range(_ATTEMPTS):
        version = store.max_version(name) + 1
        row = {**base, "version": version, "storage_location": version_location(full, version)}
        if store.versions.insert_if_absent([row], retry=False) == 1:
            return row
        time.sleep(delay * random.random())  # lost this number: read, try the next
        delay = min(delay * 2, 0.2)
    raise CommitConflictError(
        f"registering a version of {name}: {_ATTEMPTS} attempts lost to concurrent "
        "registrations; try again"
    )


def register_version(
    store: RegistryStore,
    name: str,
    source: ResolvedSource,
    *,
    description: str | None,
    inputs: list[tuple[str, int | None]],
) -> dict[str, Any]:
    """Copy, commit and publish one version (steps in the module docstring); its row."""
    lineage = collect_inputs(source.run_id, inputs)
    staging = stage_copy(source, parse_name(name))
    stamp = now()
    base = {
        "name": name,
        "source": source.uri,
        "staging_location": staging,
        "run_id": source.run_id,
        "status": ModelVersionStatus.READY.value,
        "status_message": None,
        "current_stage": Stage.NONE.value,
        "description": description,
        "user_id": username(),
        "inputs": lineage,
        "deleted": False,
        "created_at": stamp,
        "updated_at": stamp,
    }
    try:
        row = _allocate(store, name, base)
    except BaseException:
        remove_tree(staging)
        raise
    try:
        publish(staging, row["storage_location"])
    except Exception as exc:
        _mark_failed(store, row, exc)
        remove_tree(staging)
        raise
    if row["version"] % _COMPACT_EVERY == 0:
        _compact(store)
    return row


def _mark_failed(store: RegistryStore, row: dict[str, Any], exc: Exception) -> None:
    """The number is taken but the files could not be placed: say so on the row."""
    failed = {**row, "status": ModelVersionStatus.FAILED_REGISTRATION.value}
    failed.update(status_message=f"publishing the files failed: {exc}", updated_at=now())
    store.versions.update_columns([failed], ["status", "status_message", "updated_at"])
    row.update(failed)


def _compact(store: RegistryStore) -> None:
    """One compaction attempt; losing to a concurrent commit is fine (next round)."""
    try:
        store.versions.table().optimize.compact()
    except Exception as exc:
        if not is_conflict(exc):
            raise
