"""Getting a model package to executors that do not share the driver's disk.

In local mode (``local[*]``) the Python workers run on the driver's machine and
read the package where it is. A package on object storage is read by every
executor from there. A package on the driver's local disk with executors in
other processes or machines (``local-cluster``, standalone, YARN, Kubernetes) is
zipped once and shipped with ``SparkContext.addFile``; each Python worker unpacks
it once (see :mod:`lakehouse.scoring.worker`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import Any

from lakehouse import paths

__all__ = ["needs_shipping", "ship"]

_SHIPPED: dict[tuple[str, str], str] = {}
_LOCK = threading.Lock()


def needs_shipping(spark: Any, location: str) -> bool:
    """True when executors may not see ``location`` (a local path, executors elsewhere)."""
    master = str(spark.sparkContext.master)
    in_driver = master.startswith("local") and not master.startswith("local-cluster")
    return paths.is_local(paths.to_uri(location)) and not in_driver


def _zip(folder: str, target: Path) -> None:
    partial = target.with_suffix(f".{os.getpid()}.part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:
        for file in sorted(Path(folder).rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    partial.replace(target)


def ship(spark: Any, folder: str, key: str) -> str:
    """Zip the package ``folder`` and add it to the job's files; returns the file name.

    ``key`` names the package version (the same key is zipped and added once per
    application).
    """
    context = spark.sparkContext
    cache_key = (str(context.applicationId), key)
    with _LOCK:
        if cache_key in _SHIPPED:
            return _SHIPPED[cache_key]
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        name = f"lakehouse-model-{digest}.zip"
        target = Path(tempfile.mkdtemp(prefix="lakehouse-ship-")) / name
        _zip(folder, target)
        context.addFile(str(target))
        _SHIPPED[cache_key] = name
        return name
