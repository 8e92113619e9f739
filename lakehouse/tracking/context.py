"""What each run records about where it ran: user, source, git commit, Python, packages.

Recorded as MLflow's system tags (``mlflow.user``, ``mlflow.source.name``,
``mlflow.source.type``, ``mlflow.source.git.commit``) plus
``lakehouse.python_version`` and ``lakehouse.packages`` (JSON of versions).
Computed once per process: no subprocess, no import of the packages themselves.
"""

from __future__ import annotations

import functools
import json
import platform
import sys
from pathlib import Path

from lakehouse.config import username
from lakehouse.models.environment import installed_version

__all__ = ["run_context_tags"]

_PACKAGES = (
    "lakehouse",
    "pyspark",
    "delta-spark",
    "deltalake",
    "pyarrow",
    "pandas",
    "numpy",
    "scikit-learn",
)


def _in_notebook() -> bool:
    """True inside a Jupyter kernel: IPython's running shell has a kernel.

    Merely importing ipykernel (jupyter_client does, to find a kernel spec) does not
    make a process a notebook, nor does a ``__main__`` without a file (``python -c``,
    pytest-xdist workers).
    """
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return getattr(shell, "kernel", None) is not None


def _source() -> tuple[str, str]:
    main = sys.modules.get("__main__")
    if _in_notebook():
        return "notebook", "NOTEBOOK"
    path = getattr(main, "__file__", None) or (sys.argv[0] if sys.argv else "")
    return (str(Path(path).resolve()) if path else "<interactive>"), "LOCAL"


def _git_commit(start: Path) -> str | None:
    """The HEAD commit of the repository holding ``start``, read from ``.git`` files."""
    for folder in (start, *start.parents):
        git = folder / ".git"
        if not git.is_dir():
            continue
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head[5:]
        ref_file = git / ref
        if ref_file.is_file():
            return ref_file.read_text().strip()
        packed = git / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split(" ", 1)[0]
        return None
    return None


def _versions() -> dict[str, str]:
    return {name: v for name in _PACKAGES if (v := installed_version(name))}


@functools.cache
def run_context_tags() -> dict[str, str]:
    """System tags for a new run in this process."""
    source, kind = _source()
    tags = {
        "mlflow.user": username(),
        "mlflow.source.name": source,
        "mlflow.source.type": kind,
        "lakehouse.python_version": platform.python_version(),
        "lakehouse.packages": json.dumps(_versions(), sort_keys=True),
    }
    start = Path(source).parent if kind == "LOCAL" and source.startswith("/") else Path.cwd()
    try:
        commit = _git_commit(start)
    except OSError:
        commit = None
    if commit:
        tags["mlflow.source.git.commit"] = commit
    return tags
