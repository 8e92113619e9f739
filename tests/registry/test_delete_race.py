"""Deleting a model while a version of it is being registered: nothing is left behind.

Each test fixes one interleaving, as tests/registry/test_rename_race.py does: a
second writer (its own client, so its own Delta table handles, as another process
has) commits at the exact point between one side's read and its commit. The store
subclasses only choose that point; every read and commit is a real delta-rs one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lakehouse import paths
from lakehouse.config import config_overrides
from lakehouse.errors import NotFoundError
from lakehouse.registry import RegistryClient
from lakehouse.registry.sources import resolve_source
from lakehouse.registry.store import RegistryStore
from lakehouse.registry.versions import register_version

MODEL = "main.ml.doomed"


def _package(folder: Path) -> str:
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors: {}\n")
    (folder / "model.pkl").write_text("weights")
    return str(folder)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[str]:
    """A root whose model has versions 1-3, made current; yields the package's path."""
    package = _package(tmp_path / "pkg")
    with config_overrides(home=str(tmp_path / "lh")):
        client = RegistryClient()
        client.create_registered_model(MODEL)
        for _ in range(3):
            client.create_model_version(MODEL, package)
        yield package


class _RegistersDuringTheDeletesRead(RegistryStore):
    """Another writer registers a version right after the delete read the versions."""

    def __init__(self, package: str) -> None:
        super().__init__()
        self.package = package
        self.registered: list[int] = []

    def version_rows(self, name: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        rows = super().version_rows(name, **kw)
        if name == MODEL and not self.registered:
            self.registered.append(
                RegistryClient().create_model_version(MODEL, self.package).version
            )
        return rows


class _DeletedDuringTheAllocationsRead(RegistryStore):
    """Another writer deletes the model right after the registration read its highest version."""

    deleted = False

    def max_version(self, name: str) -> int:
        found = super().max_version(name)
        if name == MODEL and not self.deleted:
            self.deleted = True
            RegistryClient().delete_registered_model(MODEL)
        return found


def _rows_left(name: str) -> list[tuple[int, str]]:
    """Every row of ``name`` in model_versions, markers and deleted ones included."""
    rows = RegistryStore().versions.read(filters=[("name", "=", name)]).to_pylist()
    return sorted((r["version"], r["status"]) for r in rows)


def test_a_version_registered_between_the_deletes_read_and_its_commit_goes_too(
    seeded: str,
) -> None:
    store = _RegistersDuringTheDeletesRead(seeded)
    removed = store.remove_model(MODEL)
    assert store.registered == [4]  # committed after the read, before the delete
    assert sorted(r["version"] for r in removed) == [1, 2, 3, 4]
    assert _rows_left(MODEL) == [(0, "DELETED")]  # the marker only
    with pytest.raises(NotFoundError, match=f"registered model {MODEL} does not exist"):
        RegistryClient().get_registered_model(MODEL)


def test_a_registration_that_read_before_the_delete_committed_fails_and_leaves_nothing(
    seeded: str, tmp_path: Path
) -> None:
    models_root = tmp_path / "lh" / "models/main/ml/doomed"
    assert len(list(models_root.rglob("model.pkl"))) == 3  # the seeded versions' files
    store = _DeletedDuringTheAllocationsRead()
    source = resolve_source(seeded, location=paths.to_uri(seeded))
    with pytest.raises(NotFoundError, match="deleted while a version was being registered"):
        register_version(store, MODEL, source, description=None, inputs=[])
    assert store.deleted
    assert _rows_left(MODEL) == [(0, "DELETED")]
    assert not models_root.exists() or list(models_root.rglob("model.pkl")) == []

    # The name is free again: a new model of it starts at version 1.
    client = RegistryClient()
    client.create_registered_model(MODEL)
    assert client.create_model_version(MODEL, seeded).version == 1
    assert _rows_left(MODEL) == [(1, "READY")]


def test_a_model_created_again_starts_without_rows_a_racing_writer_left(seeded: str) -> None:
    client = RegistryClient()
    client.set_registered_model_alias(MODEL, "champion", 3)
    client.set_model_version_tag(MODEL, 3, "validated", "true")
    store = RegistryStore()
    late = {
        table: getattr(store, table).read(filters=[("name", "=", MODEL)]).to_pylist()
        for table in ("aliases", "version_tags")
    }
    client.delete_registered_model(MODEL)
    # An alias move and a tag write that checked the version before the delete and
    # committed after it leave their rows under the deleted name.
    for table, rows in late.items():
        getattr(store, table).append(rows)
    client.create_registered_model(MODEL)
    assert client.alias_history(MODEL) == []
    with pytest.raises(NotFoundError):
        client.get_model_version_by_alias(MODEL, "champion")
    assert client.create_model_version(MODEL, seeded).version == 1
    assert client.get_model_version(MODEL, 1).tags == {}
