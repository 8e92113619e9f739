"""store.files on a real local root: listing, copy, move, remove, read-only marking."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lakehouse import paths
from lakehouse.store import files


def _tree(root: Path) -> Path:
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "MLmodel").write_text("flavors: {}\n")
    (root / "pkg" / "sub" / "data.bin").write_bytes(b"12345")
    (root / "pkg" / ".hidden").mkdir()
    (root / "pkg" / "_delta_log").mkdir()
    return root / "pkg"


def test_listing_sees_children_and_hides_dot_and_underscore_folders(tmp_path: Path) -> None:
    pkg = _tree(tmp_path)
    uri = paths.to_uri(pkg)
    names = [(e.name, e.is_dir) for e in files.list_children(uri)]
    assert names == [(".hidden", True), ("MLmodel", False), ("_delta_log", True), ("sub", True)]
    assert files.child_dirs(uri) == ["sub"]
    assert files.list_children(paths.join(uri, "absent")) == []
    assert files.list_children(paths.join(uri, "MLmodel")) == []  # a file has no children
    assert files.is_dir(uri) and files.is_file(paths.join(uri, "MLmodel"))
    assert not files.exists(paths.join(uri, "absent"))
    assert files.tree_size(uri) == len("flavors: {}\n") + 5


def test_copy_move_and_remove_a_tree(tmp_path: Path) -> None:
    pkg = _tree(tmp_path)
    copy = paths.to_uri(tmp_path / "deep" / "er" / "copy")
    files.copy_tree(pkg, copy)
    assert (tmp_path / "deep/er/copy/sub/data.bin").read_bytes() == b"12345"
    moved = paths.to_uri(tmp_path / "elsewhere" / "moved")
    files.move(copy, moved)
    assert not files.exists(copy)
    assert files.read_bytes(paths.join(moved, "sub/data.bin")) == b"12345"
    files.copy_tree(paths.join(moved, "MLmodel"), tmp_path / "one" / "MLmodel")  # one file
    assert (tmp_path / "one" / "MLmodel").read_text() == "flavors: {}\n"
    files.remove(moved)
    files.remove(moved)  # absent: nothing happens
    files.remove(tmp_path / "one" / "MLmodel")
    assert not files.exists(moved) and not (tmp_path / "one" / "MLmodel").exists()


def test_moving_onto_a_folder_that_is_not_empty_fails_and_keeps_both(tmp_path: Path) -> None:
    pkg = _tree(tmp_path)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "other.txt").write_text("not ours")
    with pytest.raises(OSError):
        files.move(pkg, taken)
    assert (taken / "other.txt").read_text() == "not ours"
    assert (pkg / "MLmodel").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_read_only_files_refuse_writes(tmp_path: Path) -> None:
    pkg = _tree(tmp_path)
    files.mark_read_only(pkg)
    with pytest.raises(PermissionError):
        (pkg / "MLmodel").write_text("changed")


def test_read_only_marking_clears_every_write_bit(tmp_path: Path) -> None:
    pkg = _tree(tmp_path)
    files.mark_read_only(paths.to_uri(pkg))
    for path in (pkg / "MLmodel", pkg / "sub" / "data.bin"):
        assert path.stat().st_mode & 0o222 == 0
    assert (pkg / "sub").stat().st_mode & 0o200  # folders stay writable: a version can go
    files.remove(pkg)
    assert not pkg.exists()


def test_write_bytes_creates_folders_and_has_delta_commit_needs_a_commit(tmp_path: Path) -> None:
    table = paths.to_uri(tmp_path / "t")
    files.make_dirs(paths.join(table, "_delta_log"))
    assert not files.has_delta_commit(table)  # a failed create leaves an empty log
    files.write_bytes(paths.join(table, "_delta_log", "00000000000000000000.json"), b"{}")
    assert files.has_delta_commit(table)
