"""Fixtures of the feature-store tests: a client on a fresh root, and day-based times."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest

from lakehouse.feature_store import FeatureEngineeringClient


def day(n: int, hour: int = 0) -> dt.datetime:
    """Midnight (or ``hour``) of day ``n`` of January 2026, UTC."""
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n, hours=hour)


@pytest.fixture
def fe(spark, home: str) -> FeatureEngineeringClient:  # type: ignore[no-untyped-def]
    """A feature-engineering client on a fresh lakehouse root."""
    return FeatureEngineeringClient()


# The as-of join's two plans: the JVM operator (the default) and the window fallback.
PIT_OPERATORS = ("fill", "window")


@contextlib.contextmanager
def pit_operator(spark, name: str) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Plan the as-of joins made inside with ``spark.lakehouse.pit.operator=name``."""
    spark.conf.set("spark.lakehouse.pit.operator", name)
    try:
        yield
    finally:
        spark.conf.unset("spark.lakehouse.pit.operator")
