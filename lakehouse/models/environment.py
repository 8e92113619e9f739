"""A model package's Python environment: requirements.txt, python_env.yaml, conda.yaml.

Requirements are inferred from what the model actually imports: the serialized files
of the package are scanned for the modules they reference (pickle globals, cloudpickle
sub-imports, skops type names), each module is mapped to the installed distribution
that provides it, and pinned at the installed version. MLflow infers by loading the
model in a subprocess and watching imports; scanning the files gives the same set for
pickled models without starting a process. ``pip_requirements`` replaces the inferred
list; ``extra_pip_requirements`` adds to it.
"""

from __future__ import annotations

import functools
import importlib.metadata as metadata
import json
import pickletools
import platform
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

__all__ = ["infer_requirements", "installed_version", "modules_in_file", "write_environment"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE"}
# Never pinned: the interpreter's own build tools.
_SKIP = {"pip", "setuptools", "wheel"}


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())


def _pickle_strings(data: bytes) -> set[str]:
    """Modules a pickle imports: GLOBAL / STACK_GLOBAL targets and cloudpickle sub-imports."""
    found: set[str] = set()
    strings: set[str] = set()
    pushes: list[object] = []
    memo: dict[int, object] = {}
    try:
        for op, arg, _pos in pickletools.genops(data):
            name = op.name
            if name == "GLOBAL" and isinstance(arg, str):
                found.add(arg.split(" ")[0])
            elif name == "STACK_GLOBAL" and len(pushes) >= 2 and isinstance(pushes[-2], str):
                found.add(pushes[-2])
            if name in _STRING_OPS and isinstance(arg, str):
                pushes.append(arg)
                strings.add(arg)
            elif name == "MEMOIZE":
                memo[len(memo)] = pushes[-1] if pushes else None
            elif name in ("BINPUT", "LONG_BINPUT", "PUT") and isinstance(arg, int):
                memo[arg] = pushes[-1] if pushes else None
            elif name in ("BINGET", "LONG_BINGET", "GET") and isinstance(arg, int):
                pushes.append(memo.get(arg))
            else:
                pushes.append(None)
    except Exception:  # noqa: BLE001 - a truncated or non-pickle file just yields fewer names
        pass
    if "subimport" in strings:
        # cloudpickle pickles functions by value and re-imports their modules by name.
        found |= {s for s in strings if s in sys.modules}
    return found


def _skops_strings(path: Path) -> set[str]:
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            module = node.get("__module__")
            if isinstance(module, str):
                found.add(module)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with zipfile.ZipFile(path) as archive:
        walk(json.loads(archive.read("schema.json")))
    return found


def modules_in_file(path: str | Path) -> set[str]:
    """Top-level names of installed packages that a serialized file references."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        try:
            strings = _skops_strings(path)
        except (KeyError, ValueError):
            strings = set()
    else:
        strings = _pickle_strings(path.read_bytes())
    dists = _distributions()
    return {s.split(".")[0] for s in strings if _NAME.match(s) and s.split(".")[0] in dists}


def _pin(distribution: str) -> str | None:
    version = installed_version(distribution)
    return f"{distribution}=={version}" if version else None


def infer_requirements(files: Iterable[str | Path], base: Sequence[str] = ()) -> list[str]:
    """Pinned requirements for the modules ``files`` reference, plus ``base`` distributions."""
    wanted = set(base)
    for file in files:
        for module in modules_in_file(file):
            wanted.update(_distributions().get(module, []))
    pins = {_pin(d) for d in wanted - _SKIP}
    return sorted((p for p in pins if p), key=str.lower)


def installed_version(dist: str) -> str:
    """The installed version of distribution ``dist``, or "" when it is not installed."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


def write_environment(
    folder: str | Path,
    inferred: Sequence[str],
    *,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
) -> list[str]:
    """Write the three environment files into ``folder``; returns the requirements."""
    folder = Path(folder)
    reqs = list(pip_requirements) if pip_requirements is not None else list(inferred)
    reqs += [r for r in extra_pip_requirements or [] if r not in reqs]
    (folder / "requirements.txt").write_text("\n".join(reqs))
    python = platform.python_version()
    build = [
        f"pip=={installed_version('pip')}",
        f"setuptools=={installed_version('setuptools')}",
        "wheel",
    ]
    python_env = {
        "python": python,
        "build_dependencies": [b for b in build if not b.endswith("==")],
        "dependencies": ["-r requirements.txt"],
    }
    (folder / "python_env.yaml").write_text(yaml.safe_dump(python_env, sort_keys=False))
    conda = {
        "channels": ["conda-forge"],
        "dependencies": [
            f"python={python}",
            f"pip<={installed_version('pip') or '99'}",
            {"pip": reqs},
        ],
        "name": "lakehouse-env",
    }
    (folder / "conda.yaml").write_text(yaml.safe_dump(conda, sort_keys=False))
    return reqs
