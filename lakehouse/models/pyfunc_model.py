"""Loading any package as a generic model: :class:`PyFuncModel` and :func:`load_pyfunc`.

Whatever the flavor, ``load_pyfunc(location)`` reads ``MLmodel``, finds the flavor
from the ``python_function`` loader (MLflow's module names map to ours), loads it,
and wraps it in a :class:`PyFuncModel` whose ``predict(data, params=None)`` enforces
the signature first. Packages on object storage are copied to a local temp folder.
Loads of immutable locations (a run's or a registered version's package) are cached
for the life of the process: ``cache=True`` is passed by the URI resolver for those.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lakehouse import paths
from lakehouse.errors import InvalidModelError
from lakehouse.models.enforcement import enforce_params, enforce_schema
from lakehouse.models.flavors import flavor_for_loader
from lakehouse.models.mlmodel import PYFUNC, MLModel, load_input_example
from lakehouse.models.signature import ModelSignature
from lakehouse.store import files

__all__ = ["PyFuncModel", "clear_cache", "forget", "load_pyfunc", "local_folder"]

_CACHE: dict[str, PyFuncModel] = {}
_LOCK = threading.Lock()


class PyFuncModel:
    """A loaded model of any flavor with MLflow's pyfunc interface."""

    def __init__(self, meta: MLModel, impl: Any, location: str) -> None:
        self.metadata = meta
        self._impl = impl
        self.location = location

    @property
    def signature(self) -> ModelSignature | None:
        """The model's signature (``metadata.signature``), or ``None``."""
        return self.metadata.signature

    @property
    def loader_module(self) -> str:
        """The package's pyfunc loader module name (MLflow's names)."""
        return str(self.metadata.flavors[PYFUNC]["loader_module"])

    def predict(self, data: Any, params: Mapping[str, Any] | None = None) -> Any:
        """Enforce the signature on ``data`` and ``params``, then predict.

        Raises :class:`~lakehouse.errors.SchemaMismatchError` naming the column, the
        expected and the actual type when ``data`` does not fit the signature.
        """
        signature = self.metadata.signature
        checked_params: dict[str, Any] | None = dict(params) if params else None
        if signature is not None:
            if signature.inputs is not None and not type(data).__module__.startswith("pyspark."):
                data = enforce_schema(data, signature.inputs)
            checked_params = enforce_params(params, signature.params) or None
        return self._impl.predict(data, params=checked_params)

    def unwrap_python_model(self) -> Any:
        """The PythonModel of a custom (pyfunc) model; an error for other flavors."""
        python_model = getattr(self._impl, "python_model", None)
        if python_model is None:
            raise InvalidModelError(
                f"the model at {self.location} is a {self.loader_module} model, not a custom "
                "PythonModel; use get_raw_model() or the flavor's load_model"
            )
        return python_model

    def get_raw_model(self) -> Any:
        """The flavor's native object (estimator, PipelineModel or PythonModel)."""
        raw = getattr(self._impl, "get_raw_model", None)
        return raw() if raw is not None else self.unwrap_python_model()

    def input_example(self) -> Any:
        """The input example saved with the model (a DataFrame or array), or ``None``."""
        return load_input_example(paths.to_local_path(self.location), self.metadata)

    def __repr__(self) -> str:
        flavors = ", ".join(sorted(self.metadata.flavors))
        return f"PyFuncModel(location={self.location!r}, flavors=[{flavors}])"


def local_folder(location: str) -> str:
    """A local folder holding the package at ``location`` (copied if on object storage)."""
    uri = paths.to_uri(location)
    if paths.is_local(uri):
        return paths.to_local_path(uri)
    target = tempfile.mkdtemp(prefix="lakehouse-model-")
    files.copy_tree(uri, target)
    return target


def _load(location: str) -> PyFuncModel:
    folder = local_folder(location)
    meta = MLModel.load(folder)
    conf = meta.flavors.get(PYFUNC)
    if not conf or "loader_module" not in conf:
        raise InvalidModelError(
            f"the model at {location} has no python_function flavor (flavors: "
            f"{sorted(meta.flavors)}), so it cannot be loaded as a generic model; load it "
            "with its framework's own library"
        )
    module = flavor_for_loader(str(conf["loader_module"]), location)
    impl = module._load_pyfunc(folder)
    return PyFuncModel(meta, impl, paths.to_uri(folder))


def load_pyfunc(location: str | Path, *, cache: bool = False) -> PyFuncModel:
    """Load the package at ``location`` (a local path or URI) as a :class:`PyFuncModel`.

    With ``cache=True`` (for immutable locations) a second load in this process
    returns the same object.
    """
    key = paths.to_uri(location)
    if not cache:
        return _load(key)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _load(key)
        return _CACHE[key]


def forget(location: str | Path) -> None:
    """Drop the cached load of the package at ``location`` (its files changed)."""
    with _LOCK:
        _CACHE.pop(paths.to_uri(location), None)


def clear_cache() -> None:
    """Forget every cached model (tests; long-lived servers that must free memory)."""
    with _LOCK:
        _CACHE.clear()
