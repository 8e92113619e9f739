"""Run artifacts: files under ``<home>/artifacts/<experiment_id>/<run_id>/artifacts``.

Paths inside a run are relative and stay inside the run's folder: absolute paths
and ``..`` parts are refused. Works on a local root and on object storage (pyarrow
filesystems).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.store import files
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


def upload_file(root_uri: str, local_path: str | Path, artifact_path: str | None = None) -> str:
    """Copy one local file into the run's artifacts; returns its relative path."""
    src = Path(local_path)
    if not src.is_file():
        raise NotFoundError(f"cannot log artifact {str(src)!r}: no such file")
    rel = check_artifact_path(artifact_path)
    files.copy_tree(src.resolve(), paths.join(root_uri, rel, src.name))
    return "/".join(p for p in (rel, src.name) if p)


def upload_dir(root_uri: str, local_dir: str | Path, artifact_path: str | None = None) -> None:
    """Copy a local folder's content into the run's artifacts (under ``artifact_path``)."""
    src = Path(local_dir)
    if not src.is_dir():
        raise NotFoundError(f"cannot log artifacts from {str(src)!r}: no such folder")
    files.copy_tree(src.resolve(), paths.join(root_uri, check_artifact_path(artifact_path)))


def write_bytes(root_uri: str, artifact_file: str, data: bytes) -> None:
    """Write ``data`` as ``artifact_file`` (a relative path) in the run's artifacts."""
    rel = check_artifact_path(artifact_file)
    if not rel:
        raise InvalidArgumentError("artifact_file must name a file, e.g. 'notes/summary.txt'")
    files.write_bytes(paths.join(root_uri, rel), data)


def list_dir(root_uri: str, path: str | None = None) -> list[FileInfo]:
    """Direct children of ``path`` (relative to the run's artifact root)."""
    rel = check_artifact_path(path)
    return [
        FileInfo(
            path="/".join(p for p in (rel, e.name) if p),
            is_dir=e.is_dir,
            file_size=e.size,
        )
        for e in files.list_children(paths.join(root_uri, rel))
    ]


def download(root_uri: str, path: str | None, dst_path: str | Path | None = None) -> str:
    """Copy an artifact file or folder to a local folder; returns the local path."""
    rel = check_artifact_path(path)
    source = paths.join(root_uri, rel)
    if not files.exists(source):
        raise NotFoundError(f"artifact {rel or '/'!r} not found under {root_uri}")
    dst_root = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="lh-artifacts-"))
    dest = dst_root / rel if rel else dst_root
    files.copy_tree(source, dest.resolve())
    return str(dest)
