"""Run artifacts: files under ``<home>/artifacts/<experiment_id>/<run_id>/artifacts``.

Paths inside a run are relative and stay inside the run's folder: absolute paths
and ``..`` parts are refused. Works on a local root and on object storage (pyarrow
filesystems).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow.fs as pafs

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.tracking.entities import FileInfo

__all__ = ["check_artifact_path", "download", "list_dir", "upload_dir", "upload_file"]


def check_artifact_path(artifact_path: str | None) -> str:
    """'' for the root, else a clean relative path; refuses escapes from the run's folder."""
    if artifact_path is None:
        return ""
    text = str(artifact_path).replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if text.startswith("/") or (len(text) > 1 and text[1] == ":") or ".." in parts:
        raise InvalidArgumentError(
            f"artifact path {artifact_path!r} escapes the run's artifact folder; use a relative "
            "path without '..' parts, e.g. 'plots' or 'model/data'"
        )
    return "/".join(parts)


def _target(
    root_uri: str, artifact_path: str | None, name: str = ""
) -> tuple[pafs.FileSystem, str]:
    rel = check_artifact_path(artifact_path)
    uri = paths.join(root_uri, rel, name) if name else paths.join(root_uri, rel)
    return paths.filesystem(uri)


def upload_file(root_uri: str, local_path: str | Path, artifact_path: str | None = None) -> str:
    """Copy one local file into the run's artifacts; returns its relative path."""
    src = Path(local_path)
    if not src.is_file():
        raise NotFoundError(f"cannot log artifact {str(src)!r}: no such file")
    fs, dest = _target(root_uri, artifact_path, src.name)
    fs.create_dir(dest.rsplit("/", 1)[0], recursive=True)
    pafs.copy_files(str(src.resolve()), dest, pafs.LocalFileSystem(), fs)
    return "/".join(p for p in (check_artifact_path(artifact_path), src.name) if p)


def upload_dir(root_uri: str, local_dir: str | Path, artifact_path: str | None = None) -> None:
    """Copy a local folder's content into the run's artifacts (under ``artifact_path``)."""
    src = Path(local_dir)
    if not src.is_dir():
        raise NotFoundError(f"cannot log artifacts from {str(src)!r}: no such folder")
    fs, dest = _target(root_uri, artifact_path)
    fs.create_dir(dest, recursive=True)
    pafs.copy_files(str(src.resolve()), dest, pafs.LocalFileSystem(), fs)


def write_bytes(root_uri: str, artifact_file: str, data: bytes) -> None:
    """Write ``data`` as ``artifact_file`` (a relative path) in the run's artifacts."""
    rel = check_artifact_path(artifact_file)
    if not rel:
        raise InvalidArgumentError("artifact_file must name a file, e.g. 'notes/summary.txt'")
    fs, dest = paths.filesystem(paths.join(root_uri, rel))
    if "/" in dest:
        fs.create_dir(dest.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(dest) as out:
        out.write(data)


def list_dir(root_uri: str, path: str | None = None) -> list[FileInfo]:
    """Direct children of ``path`` (relative to the run's artifact root)."""
    rel = check_artifact_path(path)
    fs, base = paths.filesystem(paths.join(root_uri, rel) if rel else root_uri)
    info = fs.get_file_info(base)
    if info.type == pafs.FileType.NotFound:
        return []
    if info.type == pafs.FileType.File:
        return []
    out = []
    for entry in fs.get_file_info(pafs.FileSelector(base)):
        child = "/".join(p for p in (rel, entry.base_name) if p)
        is_dir = entry.type == pafs.FileType.Directory
        out.append(FileInfo(path=child, is_dir=is_dir, file_size=None if is_dir else entry.size))
    return sorted(out, key=lambda f: f.path)


def download(root_uri: str, path: str | None, dst_path: str | Path | None = None) -> str:
    """Copy an artifact file or folder to a local folder; returns the local path."""
    rel = check_artifact_path(path)
    fs, src = paths.filesystem(paths.join(root_uri, rel) if rel else root_uri)
    info = fs.get_file_info(src)
    if info.type == pafs.FileType.NotFound:
        raise NotFoundError(f"artifact {rel or '/'!r} not found under {root_uri}")
    dst_root = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="lh-artifacts-"))
    dest = dst_root / rel if rel else dst_root
    if info.type == pafs.FileType.File:
        dest.parent.mkdir(parents=True, exist_ok=True)
    else:
        dest.mkdir(parents=True, exist_ok=True)
    pafs.copy_files(src, str(dest.resolve()), fs, pafs.LocalFileSystem())
    return str(dest)
