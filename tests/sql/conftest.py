"""Fixtures for Spark SQL over the namespace: the shared session pointed at a fresh root."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import lakehouse as lh


@pytest.fixture
def sql_spark(spark, home: str) -> Iterator:  # type: ignore[no-untyped-def]
    """The test run's session, following this test's root (as ``lh.spark()`` does).

    ``main`` and ``main.default`` exist; ``main.ml`` is made for the tests. The current
    catalog is put back to ``spark_catalog`` afterwards (tests run ``SET CATALOG``).
    """
    session = lh.spark()
    lh.create_schema("main.ml")
    yield session
    session.sql("SET CATALOG spark_catalog")
    session.sql("USE spark_catalog.default")
