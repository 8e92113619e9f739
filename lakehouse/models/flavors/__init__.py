"""Model flavors: one module per framework, each with MLflow's module shape.

Every flavor module has ``FLAVOR_NAME``, ``save_model(...)``, ``load_model(path)`` (the
native object) and ``_load_pyfunc(path, model_config=None)`` (an object with
``predict(data, params=None)``), which is the :class:`Flavor` protocol; a test checks
each module against it. Packages name their pyfunc loader with MLflow's module names
(``mlflow.sklearn``, ``mlflow.pyfunc.model``, ``mlflow.spark``) so that MLflow loads
them natively; :func:`flavor_for_loader` maps those names to our modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

from lakehouse.errors import InvalidModelError

__all__ = ["FLAVOR_MODULES", "LOADER_MODULES", "Flavor", "flavor_for_loader", "flavor_module"]


@runtime_checkable
class Flavor(Protocol):
    """What every flavor module provides (checked by ``tests/models/test_flavors.py``)."""

    FLAVOR_NAME: str
    save_model: Callable[..., Any]

    def load_model(self, path: str) -> Any:
        """Load the flavor's native model object from a local package folder."""
        ...

    def _load_pyfunc(self, path: str, model_config: dict[str, Any] | None = None) -> Any:
        """Load an object with ``predict(data, params=None)`` from a local package folder."""
        ...


# flavor name in MLmodel -> our module
FLAVOR_MODULES = {
    "sklearn": "lakehouse.models.flavors.sklearn",
    "python_function": "lakehouse.models.flavors.pyfunc",
    "spark": "lakehouse.models.flavors.spark",
    "xgboost": "lakehouse.models.flavors.xgboost",
    "lightgbm": "lakehouse.models.flavors.lightgbm",
}
# python_function.loader_module in MLmodel -> our module
LOADER_MODULES = {
    "mlflow.sklearn": FLAVOR_MODULES["sklearn"],
    "mlflow.pyfunc.model": FLAVOR_MODULES["python_function"],
    "mlflow.spark": FLAVOR_MODULES["spark"],
    "mlflow.xgboost": FLAVOR_MODULES["xgboost"],
    "mlflow.lightgbm": FLAVOR_MODULES["lightgbm"],
    **{m: m for m in FLAVOR_MODULES.values()},
}


def flavor_module(flavor: str) -> ModuleType:
    """Our module for a flavor name (``sklearn``, ``python_function``, ``spark``)."""
    return importlib.import_module(FLAVOR_MODULES[flavor])


def flavor_for_loader(loader_module: str, location: str) -> ModuleType:
    """Our module for a package's ``loader_module``; :class:`InvalidModelError` if unknown."""
    target = LOADER_MODULES.get(loader_module)
    if target is None:
        raise InvalidModelError(
            f"the model at {location} needs loader {loader_module!r}, which lakehouse cannot "
            f"load; supported loaders: {sorted(LOADER_MODULES)}. Load it with the framework's "
            "own library, or re-save it with lh.sklearn, lh.pyfunc or lh.spark_ml."
        )
    return importlib.import_module(target)
