"""Fixtures of the feature-store tests: a client on a fresh root, and day-based times."""

from __future__ import annotations

import datetime as dt

import pytest

from lakehouse.feature_store import FeatureEngineeringClient


def day(n: int, hour: int = 0) -> dt.datetime:
    """Midnight (or ``hour``) of day ``n`` of January 2026, UTC."""
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n, hours=hour)


@pytest.fixture
def fe(spark, home: str) -> FeatureEngineeringClient:  # type: ignore[no-untyped-def]
    """A feature-engineering client on a fresh lakehouse root."""
    return FeatureEngineeringClient()
