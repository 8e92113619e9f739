"""Where a model package to register is, and how it is copied into ``<home>/models``.

:func:`resolve_source` checks that the location a source URI resolved to (by
:mod:`lakehouse.registry.uris`) holds an ``MLmodel`` file, before anything is
written.
:func:`stage_copy` copies the package to a private staging folder;
:func:`publish` moves it to the version's own folder and makes it read-only.
"""

from __future__ import annotations

import os
import stat
import uuid
from dataclasses import dataclass

import pyarrow.fs as pafs

from lakehouse import paths
from lakehouse.catalog.names import FullName
from lakehouse.errors import NotFoundError
from lakehouse.store.layout import models_uri

__all__ = [
    "ResolvedSource",
    "move_tree",
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
    fs, path = paths.filesystem(location)
    info = fs.get_file_info(f"{path.rstrip('/')}/{MLMODEL}")
    if info.type != pafs.FileType.File:
        raise NotFoundError(
            f"model URI {model_uri!r} does not resolve to a model package: no {MLMODEL} file "
            f"at {location}. Expected a folder saved by save_model/log_model (it holds "
            f"{MLMODEL}); check the run id and artifact path, or pass the package folder."
        )
    return ResolvedSource(uri=model_uri, location=location, run_id=run_id)


def version_location(name: FullName, version: int) -> str:
    """``<home>/models/<catalog>/<schema>/<model>/<version>``."""
    return models_uri(name.catalog, name.schema, name.name, str(version))


def stage_copy(source: ResolvedSource, name: FullName) -> str:
    """Copy the package into a fresh staging folder and seal it; returns its URI."""
    staging = models_uri(name.catalog, name.schema, name.name, ".staging", uuid.uuid4().hex)
    src_fs, src_path = paths.filesystem(source.location)
    dst_fs, dst_path = paths.filesystem(staging)
    dst_fs.create_dir(dst_path, recursive=True)
    try:
        pafs.copy_files(src_path, dst_path, source_filesystem=src_fs, destination_filesystem=dst_fs)
        _make_read_only(staging)
    except BaseException:
        remove_tree(staging)
        raise
    return staging


def _make_read_only(uri: str) -> None:
    """Files become read-only (folders stay writable so a deleted version can go)."""
    if not paths.is_local(uri):
        return  # object stores have no mode bits; the registry never rewrites them
    read_only = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
    for root, _dirs, files in os.walk(paths.to_local_path(uri)):
        for file in files:
            os.chmod(os.path.join(root, file), read_only)


def _exists(uri: str) -> bool:
    fs, path = paths.filesystem(uri)
    return fs.get_file_info(path).type != pafs.FileType.NotFound


def publish(staging: str | None, final: str) -> None:
    """Move a committed version's staged copy to its folder; idempotent, any process may.

    The version row is committed before the move, so a crash in between leaves
    a complete copy in staging: whoever next reads the version finishes the move.
    """
    if _exists(final):
        if staging is not None and _exists(staging):
            raise FileExistsError(
                f"cannot publish a model version to {final}: another package is already "
                f"there (its own copy is still in {staging}); a version folder is never reused"
            )
        return
    if staging is None or not _exists(staging):
        raise NotFoundError(
            f"the files of this model version are missing: neither {final} nor its staged "
            "copy exists (deleted outside lakehouse?). Register the model again."
        )
    fs, final_path = paths.filesystem(final)
    _, staging_path = paths.filesystem(staging)
    fs.create_dir(final_path.rsplit("/", 1)[0], recursive=True)
    try:
        fs.move(staging_path, final_path)
    except OSError:
        if not _exists(final):  # another reader finished the same move first
            raise


def move_tree(source: str, target: str) -> None:
    """Move a folder (if present) to a new place, creating the target's parent."""
    if not _exists(source):
        return
    fs, target_path = paths.filesystem(target)
    _, source_path = paths.filesystem(source)
    fs.create_dir(target_path.rsplit("/", 1)[0], recursive=True)
    fs.move(source_path, target_path)


def remove_tree(uri: str) -> None:
    """Delete a folder and everything in it, if present."""
    fs, path = paths.filesystem(uri)
    if fs.get_file_info(path).type == pafs.FileType.Directory:
        fs.delete_dir(path)
