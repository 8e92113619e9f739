"""URIs for the lakehouse root and everything under it.

Paths are kept as URIs (``file:///abs/path``, ``s3://bucket/prefix``), joined
with ``/`` on the URI path, never with ``os.path``, so a root on object storage
works like a local one. :func:`filesystem` gives the pyarrow filesystem for one.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pyarrow.fs as pafs

__all__ = ["filesystem", "is_local", "join", "to_local_path", "to_uri"]


def to_uri(location: str | Path) -> str:
    """A local path (relative or absolute) or a URI, as a URI without a trailing ``/``."""
    text = str(location)
    parsed = urlparse(text)
    if parsed.scheme and len(parsed.scheme) > 1:
        return text.rstrip("/") if parsed.path not in ("", "/") else text
    return Path(text).expanduser().resolve().as_uri()


def join(base: str, *parts: str) -> str:
    """Join path parts onto a URI with ``/``."""
    out = base.rstrip("/")
    for part in parts:
        for piece in part.split("/"):
            if piece:
                out += "/" + piece
    return out


def is_local(uri: str) -> bool:
    return urlparse(uri).scheme in ("", "file")


def to_local_path(uri: str) -> str:
    """The OS path of a ``file:`` URI (for engines that want a plain path)."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return unquote(parsed.path) if parsed.scheme else uri
    return uri


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem for a URI and the path inside it."""
    if is_local(uri):
        return pafs.LocalFileSystem(), to_local_path(uri)
    fs, path = pafs.FileSystem.from_uri(uri)
    return fs, path
