"""Autolog fixtures: background logging landed, autologging off and no active run after
each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import lakehouse as lh
from lakehouse.autologging import background
from lakehouse.tracking import fluent


@pytest.fixture(autouse=True)
def _autolog_off() -> Iterator[None]:
    yield
    background.wait()  # a test's background logging never lands in the next test
    lh.autolog(disable=True)
    while fluent.active_run() is not None:
        fluent.end_run()


@pytest.fixture
def iris():  # type: ignore[no-untyped-def]
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True, as_frame=True)


@pytest.fixture
def binary():  # type: ignore[no-untyped-def]
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X.iloc[:, :6], y
