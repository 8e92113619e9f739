"""Where a model URI points: ``runs:/``, ``models:/``, local paths and storage URIs.

This module sits above tracking and the registry (it asks them where a run's
artifacts or a registered version live) and below the faces (``lh.sklearn``,
``lh.pyfunc``, ``lh.spark_ml``) that load models by URI. ``runs:/`` and ``models:/``
locations are immutable (a logged package and a registered version never change),
so loads through them are cached per process; local paths are not (they can be
overwritten). Aliases and stages are resolved on every call, so moving an alias
takes effect at the next load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.registry.client import RegistryClient
from lakehouse.tracking.client import TrackingClient

__all__ = ["ResolvedModelUri", "resolve_model_uri"]

# Schemes whose URIs are package folders on storage (pyarrow filesystems).
STORAGE_SCHEMES = ("file", "s3", "s3a", "gs", "gcs", "hdfs", "viewfs", "abfs", "abfss")
_FORMS = (
    "runs:/<run_id>/<artifact path>, models:/<catalog.schema.model>/<version>, "
    "models:/<catalog.schema.model>@<alias>, a local path, or a storage URI "
    f"({', '.join(s + '://' for s in STORAGE_SCHEMES)})"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedModelUri:
    """A model URI and the package folder it points to."""

    uri: str
    location: str
    immutable: bool
    run_id: str | None = None


def _runs(uri: str) -> ResolvedModelUri:
    rest = uri[len("runs:") :].lstrip("/")
    run_id, _, artifact_path = rest.partition("/")
    if not run_id or not artifact_path:
        raise InvalidArgumentError(
            f"model URI {uri!r} must name a run and an artifact path: "
            "'runs:/<run_id>/<artifact path>', e.g. 'runs:/0a1b2c/model'"
        )
    try:
        run = TrackingClient().get_run(run_id)
    except NotFoundError as exc:
        raise NotFoundError(
            f"model URI {uri!r}: run {run_id!r} does not exist ({exc}). Check the run id "
            "(lh.search_runs lists runs)."
        ) from None
    location = paths.join(run.info.artifact_uri, artifact_path)
    return ResolvedModelUri(uri=uri, location=location, immutable=True, run_id=run_id)


def _models(uri: str) -> ResolvedModelUri:
    location = RegistryClient().resolve_model_uri(uri)
    return ResolvedModelUri(uri=uri, location=location, immutable=True)


def resolve_model_uri(uri: str | Path) -> ResolvedModelUri:
    """Find the package folder a model URI names (no I/O beyond tracking/registry reads)."""
    text = str(uri)
    if not text.strip():
        raise InvalidArgumentError(f"model URI is empty; expected {_FORMS}")
    scheme = urlparse(text).scheme.lower()
    if scheme == "runs":
        return _runs(text)
    if scheme == "models":
        return _models(text)
    if len(scheme) <= 1 or scheme in STORAGE_SCHEMES:  # '' or a Windows drive letter
        return ResolvedModelUri(uri=text, location=paths.to_uri(text), immutable=False)
    raise InvalidArgumentError(
        f"model URI {text!r} has scheme {scheme!r}, which lakehouse does not know; "
        f"expected {_FORMS}"
    )
