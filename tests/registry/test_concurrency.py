"""Real processes racing on one model: version numbers and alias moves stay exact.

Four registrars of fifteen versions each race as hard as eight of fifty: what matters is
that their commits interleave, and the test checks that they did.
"""

from __future__ import annotations

import time
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from lakehouse import paths
from lakehouse.config import config_overrides
from lakehouse.registry import RegistryClient, register_model
from tests.processes import race

MODEL = "main.ml.race"
REGISTRARS, REGISTRATIONS = 4, 15
MOVERS, MOVES = 4, 30


def _package(folder: Path, marker: str) -> str:
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors: {}\n")
    (folder / "model.pkl").write_text(marker)
    return str(folder)


def _register_many(home: str, package: str, count: int, barrier: Any) -> list[int]:
    from lakehouse import config

    config.set_config(home=home)
    RegistryClient().ensure_registered_model(MODEL)  # every process has touched the tables
    barrier.wait(timeout=120)
    return [register_model(package, MODEL).version for _ in range(count)]


def _move_many(home: str, worker: int, count: int, barrier: Any) -> list[int]:
    from lakehouse import config

    config.set_config(home=home)
    client = RegistryClient()
    client.get_registered_model(MODEL)
    barrier.wait(timeout=120)
    # Each worker sets its own versions: worker w only ever sets w+1 or w+5.
    targets = [worker + 1 + MOVERS * (i % 2) for i in range(count)]
    for version in targets:
        client.set_registered_model_alias(MODEL, "champion", version)
    return targets


@pytest.mark.slow
def test_four_processes_register_fifteen_versions_each(tmp_path: Path) -> None:
    home = str(tmp_path / "lh")
    packages = [_package(tmp_path / f"pkg{w}", f"worker-{w}") for w in range(REGISTRARS)]
    started = time.monotonic()
    results = race(_register_many, [(home, p, REGISTRATIONS) for p in packages])
    print(f"{REGISTRARS}x{REGISTRATIONS} registrations: {time.monotonic() - started:.1f}s")
    with config_overrides(home=home):
        versions = RegistryClient().search_model_versions(f"name = '{MODEL}'")
    total = REGISTRARS * REGISTRATIONS
    assert sorted(v.version for v in versions) == list(range(1, total + 1))
    assert sorted(n for got in results for n in got) == list(range(1, total + 1))
    # The workers raced: two of them got versions between each other's first and last.
    spans = [(min(got), max(got)) for got in results]
    assert any(a[0] < b[1] and b[0] < a[1] for a, b in combinations(spans, 2)), results
    by_number = {v.version: v for v in versions}
    for worker, got in enumerate(results):
        for number in got:
            mv = by_number[number]
            assert mv.source == packages[worker]
            assert mv.status == "READY"
            copied = Path(paths.to_local_path(mv.storage_location)) / "model.pkl"
            assert copied.read_text() == f"worker-{worker}"


@pytest.mark.slow
def test_four_processes_move_champion_thirty_times_each(
    tmp_path: Path,
) -> None:
    home = str(tmp_path / "lh")
    package = _package(tmp_path / "pkg", "m")
    with config_overrides(home=home):
        for _ in range(2 * MOVERS):
            register_model(package, MODEL)
    started = time.monotonic()
    results = race(_move_many, [(home, w, MOVES) for w in range(MOVERS)])
    print(f"{MOVERS}x{MOVES} alias moves: {time.monotonic() - started:.1f}s")
    with config_overrides(home=home):
        client = RegistryClient()
        history = client.alias_history(MODEL, "champion")
        final = client.get_model_version_by_alias(MODEL, "champion").version
    assert [m.sequence for m in history] == list(range(1, MOVERS * MOVES + 1))
    # One chain: each move starts where the previous one ended.
    assert history[0].from_version is None
    for before, after in zip(history, history[1:], strict=False):
        assert after.from_version == before.to_version
    assert final == history[-1].to_version
    assert final in {v for got in results for v in got}
    # Every worker's moves are all there, in the order that worker made them.
    by_worker = {
        w: [m.to_version for m in history if m.to_version in (w + 1, w + 1 + MOVERS)]
        for w in range(MOVERS)
    }
    assert by_worker == {w: results[w] for w in range(MOVERS)}
    # The workers raced: their moves interleave rather than follow one another in blocks.
    movers = [(m.to_version - 1) % MOVERS for m in history]
    switches = sum(a != b for a, b in zip(movers, movers[1:], strict=False))
    assert switches > MOVERS - 1, movers
