"""Fitting in several threads at once (autologging's thread-safety tests)."""

from __future__ import annotations

import threading
from typing import Any


def fit_trees_in_threads(X: Any, y: Any, depths: tuple[int, ...]) -> dict[int, Any]:
    """Fit one DecisionTreeClassifier per depth, each in its own thread, all at once.

    Returns the fitted models by depth; an exception in any thread fails the caller.
    """
    from sklearn.tree import DecisionTreeClassifier

    models: dict[int, Any] = {}
    errors: list[BaseException] = []

    def train(depth: int) -> None:
        try:
            models[depth] = DecisionTreeClassifier(max_depth=depth).fit(X, y)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=train, args=(d,)) for d in depths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return models
