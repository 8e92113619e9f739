"""Fixtures for model packaging tests: a small fitted estimator and its data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lakehouse.models.pyfunc_model import clear_cache


@pytest.fixture
def xy() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"a": rng.integers(0, 50, 40).astype("int32"), "b": rng.random(40)})
    return frame, (frame["b"] > 0.5).astype(int).to_numpy()


@pytest.fixture
def estimator(xy):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(*xy)


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def allow_mlflow_unpickling(monkeypatch: pytest.MonkeyPatch) -> None:
    """mlflow 3.17 refuses every sklearn/pyfunc deserialization without this flag."""
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
