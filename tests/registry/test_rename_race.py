"""A rename racing with registrations in other processes: no version lost, duplicated or split."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lakehouse import paths
from lakehouse.config import config_overrides
from lakehouse.errors import NotFoundError
from lakehouse.registry import RegistryClient, register_model
from tests.processes import race_each

OLD, NEW = "main.ml.before", "main.ml.after"
REGISTRARS, REGISTRATIONS = 3, 12


def _package(folder: Path, marker: str) -> str:
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors: {}\n")
    (folder / "model.pkl").write_text(marker)
    return str(folder)


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
