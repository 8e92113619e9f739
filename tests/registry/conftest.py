"""Registry fixtures: model packages on disk (a folder holding an MLmodel file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

MakePackage = Callable[[str], Path]


def write_package(folder: Path, marker: str) -> Path:
    """A minimal package: ``MLmodel`` plus a file whose content identifies it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MLmodel").write_text(f"flavors:\n  python_function: {{}}\nmarker: {marker}\n")
    (folder / "model.pkl").write_text(marker)
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "extra.txt").write_text("extra")
    return folder


@pytest.fixture
def make_package(tmp_path: Path) -> MakePackage:
    """``make_package("a")`` writes a package under tmp_path and returns its folder."""

    def make(marker: str) -> Path:
        return write_package(tmp_path / "packages" / marker, marker)

    return make
