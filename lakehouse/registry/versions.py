"""Registering a version: copy, commit the number, publish — never half-registered.

The order, and what a failure at each step leaves behind:

1. Resolve the source and check its ``MLmodel`` (nothing written yet).
2. Collect lineage: the run's input tables, each with its Delta version.
3. Copy the package into ``<model>/.staging/<uuid>`` and make its files
   read-only. A failure removes the staging folder: no table changed.
4. Commit the number: MERGE-insert ``(name, max + 1)``
   (:meth:`~lakehouse.store.delta.DeltaStore.insert_new`). When a concurrent
   writer took that number (or its commit conflicted with ours), the insert
   adds 0 rows, so read again and try the next one (NOTES, "Commits and
   concurrency"). Numbers are 1, 2, 3... with no gap and no duplicate. A
   failure here removes the staging folder: still no table changed. If the
   model was renamed meanwhile (its old name holds a rename marker, which
   also blocks the insert), the version is allocated under the new name.
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

Why a rename racing registrations neither splits nor loses a version
--------------------------------------------------------------------
Both sides are one MERGE on ``model_versions``: a registration inserts
``(name, n)`` with :data:`ALLOCATION_MATCH`; :func:`rename_model` deletes every
``(old, n)``, inserts each as ``(new, n)`` and adds the marker ``(old, 0)``.
What delta-rs guarantees (deltalake 1.6.6: its conflict checker, and checked
by running it):

a. A MERGE commits on the table version its handle had when it ran, and on a
   conflict is checked only against the commits made after that version.
b. Our MERGEs record no read predicate (their commits carry no
   ``predicate`` parameter: delta-rs found no early filter for these join
   predicates), so delta-rs counts them as reading the whole table: any commit
   made after their version that adds a file (a MERGE's, or OPTIMIZE's
   ``dataChange=false`` ones) or removes one fails them with a commit
   conflict, and :func:`~lakehouse.store.delta.with_retry` runs them again on
   fresh reads. Were a later delta-rs to narrow the read to the source's
   values, the predicates still cover what matters: the allocation's
   ``t.version = 0`` covers the file holding the rename's marker, and the
   rename's ``coalesce`` term cannot be narrowed on ``version``, so its read
   covers every row of both names.
c. :meth:`~lakehouse.store.delta.DeltaStore.insert_new` and
   :meth:`~lakehouse.store.delta.DeltaStore.replace_keys` compute their source
   (``max + 1``, the marker check, the rows to move) on the same pinned version
   the MERGE then runs on.

By (a)-(c), these commits are serial: each one's source was read on a version
that holds every commit before it. If a registration commits first, the
rename's read holds its row, and the rename moves it. If the rename commits
first, the registration's MERGE sees the marker: :data:`ALLOCATION_MATCH`
matches it, no row is inserted, and the retry follows the marker to the new
name. The rename deletes only rows of its source and inserts each of them, so
nothing is lost. Compaction (every ``_COMPACT_EVERY`` versions) moves no row;
it conflicts with either MERGE (b), and when it loses the race it fails (it
removes a file the other removed) and is skipped.

What went wrong before (issue 11): ``replace_keys`` refreshed the handle between
its read and the MERGE. A version registered in that gap was in the MERGE's
table version (so no conflict) but not in its source (so not moved): it stayed
under the old name beside the marker. ``tests/registry/test_rename_race.py``
commits a registration in exactly that gap.

A model created again under the old name removes the marker; a registration
of that name committed after that belongs to the new model of the name.

Deleting a model races registrations the same way: its versions go in one
``replace_keys`` commit that adds a deletion marker ``(name, 0)``. A
registration committed first is in that commit's read (it conflicts and reads
again otherwise) and is deleted with the rest; one that commits later finds the
marker, and its retry raises ``NotFoundError``, leaving no row and no files.
``tests/registry/test_delete_race.py`` commits one at each of those points.
"""

from __future__ import annotations

import contextlib
from typing import Any

from lakehouse.catalog.names import parse_name
from lakehouse.config import username
from lakehouse.errors import InvalidNameError, NotFoundError
from lakehouse.registry.entities import ModelVersionStatus, Stage
from lakehouse.registry.sources import (
    ResolvedSource,
    model_root,
    publish,
    remove_tree,
    stage_copy,
    version_location,
)
from lakehouse.registry.store import RegistryStore, now
from lakehouse.store import files
from lakehouse.store.delta import table_version
from lakehouse.store.layout import table_uri
from lakehouse.tracking.client import TrackingClient

__all__ = ["ALLOCATION_MATCH", "collect_inputs", "register_version", "rename_model"]

_COMPACT_EVERY = 10
# A new version row lands only if neither its (name, version) nor a rename marker
# (name, 0) is there: a rename committed in between makes the insert add 0 rows.
ALLOCATION_MATCH = "t.`name` = s.`name` AND (t.`version` = s.`version` OR t.`version` = 0)"
# The rename's match: the same keys, written so that no delta-rs could narrow its
# read to the versions it moves (see "Why a rename..." above, point b).
_EVERY_VERSION = "t.`name` = s.`name` AND coalesce(t.`version`, -1) = s.`version`"


def _table_version(table_name: str) -> int | None:
    """The current Delta version of ``catalog.schema.table`` (None if it is not a table)."""
    try:
        full = parse_name(table_name)
    except InvalidNameError:
        return None
    return table_version(table_uri(full.catalog, full.schema, full.name))


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
    """Insert the next version row (a conditional insert, retried until it lands)."""
    attempts = 0

    def next_row() -> dict[str, Any]:
        nonlocal attempts
        attempts += 1
        # A lost attempt may mean a rename or a deletion: only then is the marker
        # worth a read.
        target, deleted = (name, False) if attempts == 1 else store.follow_renames(name)
        if deleted:
            raise NotFoundError(
                f"registered model {target} does not exist: it was deleted while a version "
                "was being registered (nothing was registered)"
            )
        version = store.max_version(target) + 1
        location = version_location(parse_name(target), version)
        return {**base, "name": target, "version": version, "storage_location": location}

    return store.versions.insert_new(
        next_row, what=f"registering a version of {name}", predicate=ALLOCATION_MATCH
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
        if _follow_rename(store, row, None):
            return row
        _mark_failed(store, row, exc)
        remove_tree(staging)
        raise
    _follow_rename(store, row, row["storage_location"])
    if row["version"] % _COMPACT_EVERY == 0:
        store.versions.compact_once()
    return row


def _follow_rename(store: RegistryStore, row: dict[str, Any], placed: str | None) -> bool:
    """If the model was renamed after this version committed, put its files where the row is now.

    ``placed`` is where this process just published the files (None: publishing
    failed, e.g. the renaming process moved the staged copy first). Returns
    True when the version lives on under another name with its files in place.
    """
    current = store.current_name(row["name"])
    if current == row["name"]:
        return False
    moved = store.version_row(current, row["version"])
    if moved is None:
        return False
    if placed != moved["storage_location"]:
        try:
            publish(placed or moved["staging_location"], moved["storage_location"])
        except NotFoundError:
            return False
    row.update(moved)
    return True


def _mark_failed(store: RegistryStore, row: dict[str, Any], exc: Exception) -> None:
    """The number is taken but the files could not be placed: say so on the row."""
    failed = {**row, "status": ModelVersionStatus.FAILED_REGISTRATION.value}
    failed.update(status_message=f"publishing the files failed: {exc}", updated_at=now())
    store.versions.update_columns([failed], ["status", "status_message", "updated_at"])
    row.update(failed)


def rename_model(store: RegistryStore, old: str, new: str) -> None:
    """Move every version of ``old`` to ``new`` in one conditional commit, then the rest.

    ``new`` must be claimed already (its ``registered_models`` row inserted).
    The commit on ``model_versions`` deletes the old rows, inserts them under
    the new name and leaves a rename marker ``(old, 0)``; the rows it moves are
    read on the table version the MERGE runs on, and it is retried on conflict
    with a fresh read, so a version registered meanwhile moves too, and a
    registration that commits later finds the marker and lands under ``new``
    (see :func:`_allocate` and the module docstring). No version is lost or
    duplicated, and the model never has versions under both names. Files
    follow: each row's ``storage_location`` moves under the new name's folder
    and its ``staging_location`` says where the files are until they are moved
    (now, or by the next reader: :func:`~lakehouse.registry.sources.publish`).
    """
    old_root, new_root = model_root(old), model_root(new)

    def relocated(row: dict[str, Any]) -> dict[str, Any]:
        out = {**row, "name": new}
        storage = str(row["storage_location"] or "")
        if storage.startswith(old_root + "/"):
            out["storage_location"] = new_root + storage[len(old_root) :]
            if files.exists(storage):  # published: the files are there until moved
                out["staging_location"] = storage
        return out

    def moves() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rows = store.version_rows(old, include_deleted=True)
        marker = store.rename_marker(old, new)
        return rows, [relocated(r) for r in rows] + [marker]

    store.versions.replace_keys(
        moves, what=f"renaming model {old} to {new}", predicate=_EVERY_VERSION
    )
    store.move_model_rows(old, new)
    for row in store.version_rows(new):
        # A registration still publishing, or files gone: readers finish the move.
        with contextlib.suppress(NotFoundError, OSError):
            publish(row["staging_location"], row["storage_location"])
