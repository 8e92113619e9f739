"""Experiment tracking: runs, params, metrics, tags and artifacts in Delta tables.

``lakehouse.tracking.MlflowClient`` is reachable here because MLflow users import it from
``mlflow.tracking``; it is :class:`lakehouse.Client` (tracking and registry in one
object), forwarded on first use. Nothing inside this package uses it: the client class
sits a layer above tracking, so the forward is a lazy, string-named import.
"""

from __future__ import annotations

import importlib

__all__ = ["MlflowClient"]


def __getattr__(name: str) -> object:
    """``MlflowClient`` on first use (``from lakehouse.tracking import MlflowClient``)."""
    if name == "MlflowClient":
        value = importlib.import_module("lakehouse.client").Client
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
