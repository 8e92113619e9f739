"""Where a model package to register is, and how it is copied into ``<home>/models``.

:func:`resolve_source` checks that the location a source URI resolved to (by
:mod:`lakehouse.registry.uris`) holds an ``MLmodel`` file, before anything is
written.
:func:`stage_copy` copies the package to a private staging folder;
:func:`publish` moves it to the version's own folder and makes it read-only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from lakehouse import paths
from lakehouse.catalog.names import FullName, parse_name
from lakehouse.errors import NotFoundError
from lakehouse.store import files
from lakehouse.store.layout import models_uri

__all__ = [
    "ResolvedSource",
    "model_root",
    "publish",
    "remove_tree",
    "resolve_source",
    "stage_copy",
]

MLMODEL = "MLmodel"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedSource:
    """A model package found on storage."""

    uri: str
    """What the user passed, recorded as the version's ``source``."""
    location: str
    """The package folder as a URI."""
    run_id: str | None


def resolve_source(model_uri: str, *, location: str, run_id: str | None = None) -> ResolvedSource:
    """Check that ``location`` (where ``model_uri`` resolved) holds a model package.

    The URI itself is resolved by :func:`lakehouse.registry.uris.resolve_model_uri`;
    this only checks for the ``MLmodel`` file, before anything is written.
    """
    if not files.is_file(paths.join(location, MLMODEL)):
        raise NotFoundError(
            f"model URI {model_uri!r} does not resolve to a model package: no {MLMODEL} file "
            f"at {location}. Expected a folder saved by save_model/log_model (it holds "
            f"{MLMODEL}); check the run id and artifact path, or pass the package folder."
        )
    return ResolvedSource(uri=model_uri, location=location, run_id=run_id)


def model_root(name: str) -> str:
    """``<home>/models/<catalog>/<schema>/<model>``: the folder of a model's versions."""
    full = parse_name(name)
    return models_uri(full.catalog, full.schema, full.name)


def version_location(name: FullName, version: int) -> str:
    """``<home>/models/<catalog>/<schema>/<model>/<version>``."""
    return models_uri(name.catalog, name.schema, name.name, str(version))


def stage_copy(source: ResolvedSource, name: FullName) -> str:
    """Copy the package into a fresh staging folder and seal it; returns its URI."""
    staging = models_uri(name.catalog, name.schema, name.name, ".staging", uuid.uuid4().hex)
    try:
        files.copy_tree(source.location, staging)
        files.mark_read_only(staging)
    except BaseException:
        files.remove(staging)
        raise
    return staging


def publish(staging: str | None, final: str) -> None:
    """Move a committed version's staged copy to its folder; idempotent, any process may.

    The version row is committed before the move, so a crash in between leaves
    a complete copy in staging: whoever next reads the version finishes the move.
    """
    if files.exists(final):
        if staging is not None and files.exists(staging):
            raise FileExistsError(
                f"cannot publish a model version to {final}: another package is already "
                f"there (its own copy is still in {staging}); a version folder is never reused"
            )
        return
    if staging is None or not files.exists(staging):
        raise NotFoundError(
            f"the files of this model version are missing: neither {final} nor its staged "
            "copy exists (deleted outside lakehouse?). Register the model again."
        )
    try:
        files.move(staging, final)
    except OSError:
        if not files.exists(final):  # another reader finished the same move first
            raise


def remove_tree(uri: str) -> None:
    """Delete a folder and everything in it, if present."""
    files.remove(uri)
