"""A rename racing with registrations: no version lost, duplicated or split.

The first two tests fix one interleaving each, deterministically: a second writer
(its own store, so its own Delta table handles, as another process has) commits
at the exact point between one side's read and its commit. The store subclasses
below only choose that point; every read and commit is a real delta-rs one.
The last test races real processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lakehouse import paths
from lakehouse.config import config_overrides
from lakehouse.errors import NotFoundError
from lakehouse.registry import RegistryClient, register_model
from lakehouse.registry.sources import resolve_source
from lakehouse.registry.store import RegistryStore, now
from lakehouse.registry.versions import register_version, rename_model
from tests.processes import race_each

OLD, NEW = "main.ml.before", "main.ml.after"
REGISTRARS, REGISTRATIONS = 3, 12


def _package(folder: Path, marker: str) -> str:
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors: {}\n")
    (folder / "model.pkl").write_text(marker)
    return str(folder)


class _RegistersDuringTheRenamesRead(RegistryStore):
    """Another writer registers a version of OLD right after the rename read OLD's versions."""

    def __init__(self, package: str) -> None:
        super().__init__()
        self.package = package
        self.registered: list[tuple[str, int]] = []

    def version_rows(self, name: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        rows = super().version_rows(name, **kw)
        if name == OLD and not self.registered:
            mv = RegistryClient().create_model_version(OLD, self.package)
            self.registered.append((mv.name, mv.version))
        return rows


class _RenamedDuringTheAllocationsRead(RegistryStore):
    """Another writer renames OLD right after the registration read OLD's highest version."""

    renamed = False

    def max_version(self, name: str) -> int:
        found = super().max_version(name)
        if name == OLD and not self.renamed:
            self.renamed = True
            RegistryClient().rename_registered_model(OLD, NEW)
        return found


def _with_versions(home: str, package: str, count: int) -> None:
    with config_overrides(home=home):
        client = RegistryClient()
        client.create_registered_model(OLD)
        for _ in range(count):
            client.create_model_version(OLD, package)


def test_a_version_registered_between_the_renames_read_and_its_commit_moves_too(
    tmp_path: Path,
) -> None:
    home = str(tmp_path / "lh")
    package = _package(tmp_path / "pkg", "worker-0")
    _with_versions(home, package, 3)
    with config_overrides(home=home):
        store = _RegistersDuringTheRenamesRead(package)
        assert store.add_model(NEW, description=None, user_id="u", created_at=now())
        rename_model(store, OLD, NEW)
        assert store.registered == [(OLD, 4)]  # committed after the read, before the rename

        client = RegistryClient()
        assert client.search_model_versions(f"name = '{OLD}'") == []
        assert sorted(v.version for v in client.search_model_versions(f"name = '{NEW}'")) == [
            1,
            2,
            3,
            4,
        ]
        location = client.get_model_version_download_uri(NEW, 4)
        assert (Path(paths.to_local_path(location)) / "model.pkl").read_text() == "worker-0"


def test_a_registration_that_read_before_the_rename_committed_lands_under_the_new_name(
    tmp_path: Path,
) -> None:
    home = str(tmp_path / "lh")
    package = _package(tmp_path / "pkg", "worker-0")
    _with_versions(home, package, 3)
    with config_overrides(home=home):
        store = _RenamedDuringTheAllocationsRead()
        source = resolve_source(package, location=paths.to_uri(package))
        row = register_version(store, OLD, source, description=None, inputs=[])
        assert store.renamed
        assert (row["name"], row["version"]) == (NEW, 4)

        client = RegistryClient()
        assert client.search_model_versions(f"name = '{OLD}'") == []
        assert sorted(v.version for v in client.search_model_versions(f"name = '{NEW}'")) == [
            1,
            2,
            3,
            4,
        ]
        location = client.get_model_version_download_uri(NEW, 4)
        assert (Path(paths.to_local_path(location)) / "model.pkl").read_text() == "worker-0"


def _register(home: str, package: str, barrier: Any) -> list[tuple[str, int]]:
    """Register under the old name until it is gone; each success as (name, version)."""
    from lakehouse import config

    config.set_config(home=home)
    client = RegistryClient()
    client.get_registered_model(OLD)
    barrier.wait(timeout=120)
    done = []
    for _ in range(REGISTRATIONS):
        try:  # (register_model would create a new model of the old name once it is free)
            mv = client.create_model_version(OLD, package)
        except NotFoundError:  # the rename finished: the old name no longer exists
            break
        done.append((mv.name, mv.version))
    return done


def _rename(home: str, after: int, barrier: Any) -> str:
    """Rename once the model has ``after`` versions (registrations keep running)."""
    import time

    from lakehouse import config

    config.set_config(home=home)
    client = RegistryClient()
    barrier.wait(timeout=120)
    while len(client.search_model_versions(f"name = '{OLD}'")) < after:
        time.sleep(0.05)
    return client.rename_registered_model(OLD, NEW).name


@pytest.mark.slow
def test_rename_racing_registrations_keeps_every_version_once_under_the_new_name(
    tmp_path: Path,
) -> None:
    home = str(tmp_path / "lh")
    packages = [_package(tmp_path / f"pkg{w}", f"worker-{w}") for w in range(REGISTRARS)]
    with config_overrides(home=home):
        RegistryClient().create_registered_model(OLD)
    renamed, *registered = race_each(
        [(_rename, (home, 4)), *[(_register, (home, p)) for p in packages]]
    )
    assert renamed == NEW

    with config_overrides(home=home):
        client = RegistryClient()
        with pytest.raises(NotFoundError, match=f"registered model {OLD} does not exist"):
            client.get_registered_model(OLD)
        assert client.search_model_versions(f"name = '{OLD}'") == []
        versions = client.search_model_versions(f"name = '{NEW}'")
        by_number = {v.version: v for v in versions}
        # Every successful registration is there once, numbered 1..n with no gap.
        numbers = sorted(n for got in registered for _name, n in got)
        assert numbers == list(range(1, len(numbers) + 1))
        assert sorted(by_number) == numbers
        assert any(name == OLD for got in registered for name, _ in got)  # some before...
        for worker, got in enumerate(registered):
            for _name, number in got:
                mv = client.get_model_version(NEW, number)
                assert mv.status == "READY"
                # ...and each one's own files, under the new name's folder.
                location = client.get_model_version_download_uri(NEW, number)
                assert location == paths.join(home_uri(home), "models/main/ml/after", str(number))
                copied = Path(paths.to_local_path(location)) / "model.pkl"
                assert copied.read_text() == f"worker-{worker}"
        # The old name's folder holds no version any more; the new model takes new versions.
        old_root = Path(paths.to_local_path(home_uri(home))) / "models/main/ml/before"
        assert [p.name for p in old_root.glob("[0-9]*")] == []
        after = register_model(packages[0], NEW)
        assert after.version == len(numbers) + 1


def home_uri(home: str) -> str:
    return paths.to_uri(home)
