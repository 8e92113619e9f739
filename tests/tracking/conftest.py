"""Tracking fixtures: a fresh root per test, and no active run leaking between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lakehouse.tracking import fluent


@pytest.fixture(autouse=True)
def _no_active_run() -> Iterator[None]:
    yield
    while fluent.active_run() is not None:
        fluent.end_run()
