"""Files and folders under the lakehouse root, local or on object storage.

The one place (with :mod:`lakehouse.store.delta`) that touches storage: the
catalog lists its folders here, the registry copies, seals and moves model
packages, tracking copies artifacts, ``save_model`` moves a staged package into
place, and the Spark session lists catalog folders. Every call takes a URI
(``file:///abs``, ``s3://bucket/prefix``) or a local path and goes through
:func:`lakehouse.paths.filesystem`, so a root on object storage works like a
local one.

Example::

    from lakehouse.store import files
    files.copy_tree("/tmp/pkg", "file:///home/lh/models/main/ml/m/.staging/ab12")
    files.mark_read_only("file:///home/lh/models/main/ml/m/.staging/ab12")
    [e.name for e in files.list_children("file:///home/lh/warehouse")]  # ['main']
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

from lakehouse import paths

__all__ = [
    "Entry",
    "child_dirs",
    "copy_tree",
    "exists",
    "has_delta_commit",
    "is_dir",
    "is_file",
    "list_children",
    "make_dirs",
    "mark_read_only",
    "move",
    "read_bytes",
    "remove",
    "tree_size",
    "write_bytes",
]

Location = str | Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One child of a folder: its name, whether it is a folder, its size in bytes (files)."""

    name: str
    is_dir: bool
    size: int | None


def _fs(location: Location) -> tuple[pafs.FileSystem, str]:
    return paths.filesystem(paths.to_uri(location))


def _type(location: Location) -> pafs.FileType:
    fs, path = _fs(location)
    return fs.get_file_info(path).type


def exists(location: Location) -> bool:
    """True if a file or a folder is at ``location``."""
    return _type(location) != pafs.FileType.NotFound


def is_dir(location: Location) -> bool:
    """True if a folder is at ``location``."""
    return _type(location) == pafs.FileType.Directory


def is_file(location: Location) -> bool:
    """True if a file is at ``location``."""
    return _type(location) == pafs.FileType.File


def list_children(location: Location) -> list[Entry]:
    """Direct children of a folder, sorted by name ([] when no folder is there)."""
    fs, path = _fs(location)
    if fs.get_file_info(path).type != pafs.FileType.Directory:
        return []
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=False))
    entries = [
        Entry(
            name=i.base_name,
            is_dir=i.type == pafs.FileType.Directory,
            size=None if i.type == pafs.FileType.Directory else i.size,
        )
        for i in infos
    ]
    return sorted(entries, key=lambda e: e.name)


def child_dirs(location: Location) -> list[str]:
    """Names of the sub-folders, leaving out hidden ones (``.name``, ``_name``), sorted.

    This is how the namespace reads catalogs, schemas and tables from the folder
    layout (``_delta_log`` and ``.staging`` folders are never names).
    """
    return [
        e.name for e in list_children(location) if e.is_dir and not e.name.startswith((".", "_"))
    ]


def has_delta_commit(location: Location) -> bool:
    """True once a Delta table's log holds a commit (a failed create leaves none)."""
    log = paths.join(paths.to_uri(location), "_delta_log")
    commits = (".json", ".checkpoint.parquet")
    return any(e.name.endswith(commits) for e in list_children(log) if not e.is_dir)


def make_dirs(location: Location) -> None:
    """Create a folder and its parents (nothing happens if it exists)."""
    fs, path = _fs(location)
    fs.create_dir(path, recursive=True)


def _make_parent(fs: pafs.FileSystem, path: str) -> None:
    if "/" in path.rstrip("/"):
        fs.create_dir(path.rstrip("/").rsplit("/", 1)[0], recursive=True)


def copy_tree(source: Location, target: Location) -> None:
    """Copy a file, or a folder with everything in it, to ``target`` (any two filesystems).

    A folder's content lands inside ``target`` (created with its parents); a
    file becomes the file ``target``.
    """
    src_fs, src_path = _fs(source)
    dst_fs, dst_path = _fs(target)
    if src_fs.get_file_info(src_path).type == pafs.FileType.Directory:
        dst_fs.create_dir(dst_path, recursive=True)
    else:
        _make_parent(dst_fs, dst_path)
    pafs.copy_files(src_path, dst_path, source_filesystem=src_fs, destination_filesystem=dst_fs)


def move(source: Location, target: Location) -> None:
    """Move a file or folder to ``target`` (a rename on local disk), creating its parent.

    Raises :class:`OSError` when the move cannot happen (e.g. ``target`` is a
    folder that is not empty); callers that race decide what a lost race means.
    """
    fs, target_path = _fs(target)
    _, source_path = _fs(source)
    _make_parent(fs, target_path)
    fs.move(source_path, target_path)


def remove(location: Location) -> None:
    """Delete a file, or a folder and everything in it; nothing happens if absent."""
    fs, path = _fs(location)
    kind = fs.get_file_info(path).type
    if kind == pafs.FileType.Directory:
        fs.delete_dir(path)
    elif kind == pafs.FileType.File:
        fs.delete_file(path)


def mark_read_only(location: Location) -> None:
    """Make every file under a folder read-only (folders stay writable, so it can be deleted).

    Object stores have no mode bits: there it does nothing (the registry never
    rewrites a published package anyway).
    """
    uri = paths.to_uri(location)
    if not paths.is_local(uri):
        return
    read_only = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
    for root, _dirs, names in os.walk(paths.to_local_path(uri)):
        for name in names:
            os.chmod(os.path.join(root, name), read_only)


def tree_size(location: Location) -> int:
    """Bytes of all files under a folder (0 when absent)."""
    fs, path = _fs(location)
    if fs.get_file_info(path).type != pafs.FileType.Directory:
        return 0
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=True))
    return sum(i.size or 0 for i in infos if i.type == pafs.FileType.File)


def read_bytes(location: Location, limit: int | None = None) -> bytes:
    """The content of one file (its first ``limit`` bytes when given)."""
    fs, path = _fs(location)
    with fs.open_input_stream(path) as stream:
        return bytes(stream.read() if limit is None else stream.read(limit))


def write_bytes(location: Location, data: bytes) -> None:
    """Write one file (replacing it), creating its folder."""
    fs, path = _fs(location)
    _make_parent(fs, path)
    with fs.open_output_stream(path) as out:
        out.write(data)
