"""Where a model URI's package is, for the functions of this layer that take a URI.

This layer knows nothing of runs or the registry, yet MLflow's ``mlflow.models``
functions (``set_signature``, ``validate_serving_input``) take ``runs:/`` and
``models:/`` URIs. The layers that know those schemes register a resolver here
when they are imported (``lakehouse.registry.uris`` does), as tracking's read
barriers are registered from above; a path or storage URI needs none. ``import
lakehouse`` loads its modules lazily, so the first ``runs:/`` or ``models:/`` URI
seen here imports that module by name (:data:`RESOLVER_MODULE`) if nothing has yet.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError

__all__ = ["PackageLocation", "add_uri_resolver", "package_location"]


@dataclass(frozen=True, slots=True)
class PackageLocation:
    """The package folder a model URI names."""

    location: str
    """The folder, as a URI (``file://``, ``s3://`` ...)."""
    immutable: bool
    """True when the package never changes (a run's or a registered one): loads may be cached."""
    registered: str | None = None
    """``name/version`` when the URI names a registered model version."""


Resolver = Callable[[str], PackageLocation | None]
RESOLVER_MODULE = "lakehouse.registry.uris"  # registers the runs:/ and models:/ resolver
_SCHEMES = ("runs:/", "models:/")
_RESOLVERS: list[Resolver] = []


def add_uri_resolver(resolver: Resolver) -> None:
    """Let ``resolver`` answer for the URIs it knows (it returns None for the others)."""
    if resolver not in _RESOLVERS:
        _RESOLVERS.append(resolver)


def package_location(model_uri: str | Path) -> PackageLocation:
    """The package folder of ``model_uri``: a registered resolver's answer, else the path."""
    if not isinstance(model_uri, str | Path) or not str(model_uri).strip():
        raise InvalidArgumentError(f"model URI must be a non-empty string, got {model_uri!r}")
    text = str(model_uri)
    if text.startswith(_SCHEMES) and not _RESOLVERS:
        importlib.import_module(RESOLVER_MODULE)
    for resolver in _RESOLVERS:
        found = resolver(text)
        if found is not None:
            return found
    if text.startswith(_SCHEMES):
        raise InvalidArgumentError(f"model URI {text!r}: no resolver for its scheme")
    return PackageLocation(paths.to_uri(text), immutable=False)
