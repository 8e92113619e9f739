"""Model URIs: the one place that says where ``runs:/``, ``models:/``, paths and storage URIs point.

Forms, as MLflow writes them (names are ``catalog.schema.model``)::

    runs:/<run_id>/<artifact path>
    models:/<name>/<version>        models:/<name>@<alias>
    models:/<name>/<stage>          (None, Staging, Production, Archived; any case)
    models:/<name>/latest           (the highest READY version)
    models:/m-<32 hex>              (an MLflow 3 logged model: its package in its run)
    /a/local/path, file:///..., s3://bucket/...  (a package folder)

Every caller (the flavor faces' ``load_model``, registration, ``spark_udf``,
serving, scoring jobs) goes through :func:`resolve_model_uri`, so the same
mistake gets the same error class and wording wherever it is made: a malformed
URI is an :class:`InvalidArgumentError`, an unknown run, model, version or alias
a :class:`NotFoundError`. Aliases, stages and ``latest`` are resolved at call
time and the answer carries the version they named, so a caller can pin it::

    found = resolve_model_uri("models:/main.ml.churn@champion")
    found.version, found.pinned_uri  # 3, 'models:/main.ml.churn/3'

The lookups read the registry's store directly (not the client), so
:class:`~lakehouse.registry.client.RegistryClient` can delegate here without an
import cycle; the client's own checks (:func:`find_model`, :func:`find_version`)
come from here too, so their messages are the resolver's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lakehouse import paths
from lakehouse.catalog.names import parse_name
from lakehouse.errors import InvalidArgumentError, InvalidStateError, NotFoundError
from lakehouse.models.uris import PackageLocation, add_uri_resolver
from lakehouse.registry.aliases import last_move
from lakehouse.registry.entities import ModelVersionStatus, Stage, canonical_stage
from lakehouse.registry.sources import publish
from lakehouse.registry.store import RegistryStore
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.entities import LoggedModelStatus
from lakehouse.tracking.logged_models import is_model_id
from lakehouse.tracking.writer import wait_for_background_writes

__all__ = [
    "STORAGE_SCHEMES",
    "ModelRef",
    "ResolvedModelUri",
    "find_model",
    "find_version",
    "logged_model_id",
    "no_alias",
    "parse_model_uri",
    "parse_version",
    "resolve_model_uri",
    "resolve_version",
    "version_location",
]

# Schemes whose URIs are package folders on storage (pyarrow filesystems).
STORAGE_SCHEMES = ("file", "s3", "s3a", "gs", "gcs", "hdfs", "viewfs", "abfs", "abfss")
_MODEL_FORMS = (
    "models:/<catalog.schema.model>/<version>, models:/<catalog.schema.model>@<alias>, "
    "models:/<catalog.schema.model>/<stage>, models:/<catalog.schema.model>/latest "
    "or models:/m-<logged model id>"
)
_FORMS = (
    f"runs:/<run_id>/<artifact path>, {_MODEL_FORMS}, a local path, or a storage URI "
    f"({', '.join(s + '://' for s in STORAGE_SCHEMES)})"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelRef:
    """What a ``models:/`` URI points at: exactly one of version, alias, stage, latest."""

    name: str
    version: int | None = None
    alias: str | None = None
    stage: Stage | None = None
    latest: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedModelUri:
    """A model URI and the package folder it points to, as resolved at call time."""

    uri: str
    """The URI as given."""
    location: str
    """The package folder, as a URI (``file://``, ``s3://`` ...)."""
    immutable: bool
    """True for ``runs:/`` and ``models:/`` (a logged or registered package never
    changes), so loads may be cached; False for paths, which can be overwritten."""
    run_id: str | None = None
    """The run that logged the package (for ``models:/``, the version's run), if known."""
    name: str | None = None
    """The registered model's full name, for ``models:/`` URIs."""
    version: int | None = None
    """The registered version the URI named when resolved (aliases, stages, latest)."""
    alias: str | None = None
    """The alias in ``models:/<name>@<alias>``, if that was the form."""
    model_id: str | None = None
    """The logged model (``m-<id>``) for ``models:/m-<id>`` URIs."""

    @property
    def pinned_uri(self) -> str:
        """``models:/<name>/<version>`` for a registered version, else the URI as given."""
        if self.name is not None and self.version is not None:
            return f"models:/{self.name}/{self.version}"
        return self.uri


def _bad_model_uri(uri: str, why: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"invalid model URI {uri!r}: {why}; expected {_MODEL_FORMS}")


def parse_model_uri(uri: str) -> ModelRef:
    """Parse a ``models:/`` URI (the name is checked with the namespace rule); no I/O."""
    if not isinstance(uri, str) or not uri.startswith("models:"):
        raise _bad_model_uri(str(uri), "it does not start with 'models:/'")
    body = uri[len("models:") :].lstrip("/").rstrip("/")
    if "@" in body:
        name, _, alias = body.partition("@")
        if not alias or "/" in alias:
            raise _bad_model_uri(uri, "the alias after '@' is empty or has a '/'")
        return ModelRef(name=str(parse_name(name)), alias=alias)
    name, _, suffix = body.partition("/")
    if not suffix or "/" in suffix:
        raise _bad_model_uri(uri, "it names no version, alias, stage or 'latest'")
    full = str(parse_name(name))
    if suffix.isdigit():
        return ModelRef(name=full, version=parse_version(suffix))
    if suffix.lower() == "latest":
        return ModelRef(name=full, latest=True)
    try:
        return ModelRef(name=full, stage=canonical_stage(suffix))
    except InvalidArgumentError:
        raise _bad_model_uri(
            uri, f"{suffix!r} is not a version number, a stage or 'latest'"
        ) from None


def parse_version(version: str | int) -> int:
    """A registered version number (a positive whole number); InvalidArgumentError if not."""
    try:
        number = int(version)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or isinstance(version, bool):
        raise InvalidArgumentError(
            f"invalid model version {version!r}: expected a positive whole number such as 1"
        )
    return number


# -- registry lookups shared with RegistryClient (one message per mistake) -----------------
def find_model(store: RegistryStore, name: str) -> dict[str, Any]:
    """The registered model's row; :class:`NotFoundError` naming how to find or create it."""
    full = str(parse_name(name))
    row = store.model_row(full)
    if row is None:
        raise NotFoundError(
            f"registered model {full} does not exist; see search_registered_models() or "
            "`lakehouse models list`, or register it with lh.register_model(uri, name)"
        )
    return row


def find_version(
    store: RegistryStore, name: str, version: str | int, *, ready: bool = False
) -> dict[str, Any]:
    """A live version's row; NotFoundError if absent or deleted, InvalidStateError if not READY."""
    full, number = str(parse_name(name)), parse_version(version)
    rows = store.versions.read(filters=[("name", "=", full), ("version", "=", number)]).to_pylist()
    if not rows or rows[0]["deleted"]:
        find_model(store, full)
        state = "was deleted" if rows else "does not exist"
        raise NotFoundError(
            f"version {number} of model {full} {state}; see "
            f"search_model_versions(\"name = '{full}'\") or `lakehouse models versions {full}`"
        )
    if ready and rows[0]["status"] != ModelVersionStatus.READY:
        raise InvalidStateError(
            f"version {number} of model {full} is {rows[0]['status']}, not READY "
            f"({rows[0]['status_message'] or 'its files are still being copied'}); "
            "use a READY version"
        )
    return rows[0]


def no_alias(full: str, alias: str) -> NotFoundError:
    """The error for an alias that is not set on a model."""
    return NotFoundError(
        f"alias {alias!r} is not set on model {full}; see get_registered_model('{full}')"
        ".aliases or `lakehouse models describe " + full + "`"
    )


def resolve_version(store: RegistryStore, uri: str) -> tuple[str, int]:
    """``models:/...`` -> (full name, version number), aliases and stages read now."""
    ref = parse_model_uri(uri)
    if ref.version is not None:
        return ref.name, ref.version
    full = find_model(store, ref.name)["name"]
    if ref.alias is not None:
        move = last_move(store, full, ref.alias)
        if move is None or move.to_version is None:
            raise no_alias(full, ref.alias)
        return full, move.to_version
    ready = [
        r
        for r in store.version_rows(full)
        if r["status"] == ModelVersionStatus.READY
        and (ref.latest or r["current_stage"] == (ref.stage or Stage.NONE).value)
    ]
    if not ready:
        what = "READY version" if ref.latest else f"READY version in stage {ref.stage}"
        raise NotFoundError(f"model URI {uri!r}: model {full} has no {what}")
    return full, max(r["version"] for r in ready)


def version_location(row: dict[str, Any]) -> str:
    """A version's read-only package folder, finishing its publish if its writer died."""
    publish(row["staging_location"], row["storage_location"])
    return str(row["storage_location"])


# -- the resolver ------------------------------------------------------------------------
def _runs(uri: str) -> ResolvedModelUri:
    rest = uri[len("runs:") :].lstrip("/")
    run_id, _, artifact_path = rest.partition("/")
    if not run_id or not artifact_path.strip("/"):
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
    location = paths.join(run.info.artifact_uri, artifact_path.strip("/"))
    return ResolvedModelUri(uri=uri, location=location, immutable=True, run_id=run_id)


def logged_model_id(uri: str) -> str | None:
    """The id in ``models:/m-<32 hex>``, or None for any other URI (no I/O)."""
    if not uri.startswith("models:"):
        return None
    body = uri[len("models:") :].strip("/")
    return body if is_model_id(body) else None


def _logged(uri: str, model_id: str) -> ResolvedModelUri:
    try:
        model = TrackingClient().get_logged_model(model_id)
    except NotFoundError as exc:
        raise NotFoundError(f"model URI {uri!r}: {exc}") from None
    if model.status == LoggedModelStatus.FAILED:
        raise InvalidStateError(
            f"model URI {uri!r}: logged model {model_id} is FAILED ({model.status_message}); "
            "its package is incomplete: log the model again"
        )
    return ResolvedModelUri(
        uri=uri,
        location=model.artifact_location,
        immutable=True,
        run_id=model.source_run_id,
        model_id=model_id,
    )


def _models(uri: str, store: RegistryStore) -> ResolvedModelUri:
    name, version = resolve_version(store, uri)
    row = find_version(store, name, version, ready=True)
    return ResolvedModelUri(
        uri=uri,
        location=version_location(row),
        immutable=True,
        run_id=row["run_id"],
        name=name,
        version=version,
        alias=parse_model_uri(uri).alias,
    )


def resolve_model_uri(uri: str | Path, *, store: RegistryStore | None = None) -> ResolvedModelUri:
    """Find the package folder a model URI names, and the registered version it pins.

    Reads tracking (``runs:/``) or the registry (``models:/``); a path or storage URI
    is taken as the package folder without checking it exists. ``store`` lets a
    registry client resolve through the store it already holds.
    """
    if not isinstance(uri, str | Path):
        raise InvalidArgumentError(f"model URI must be a string or a path, got {uri!r}")
    text = str(uri)
    if not text.strip():
        raise InvalidArgumentError(f"model URI is empty; expected {_FORMS}")
    scheme = urlparse(text).scheme.lower()
    if scheme == "runs":
        return _runs(text)
    if scheme == "models":
        wait_for_background_writes()  # a model or version autolog still logs is found
        model_id = logged_model_id(text)
        if model_id is not None:
            return _logged(text, model_id)
        return _models(text, store if store is not None else RegistryStore())
    if len(scheme) <= 1 or scheme in STORAGE_SCHEMES:  # '' or a Windows drive letter
        return ResolvedModelUri(uri=text, location=paths.to_uri(text), immutable=False)
    raise InvalidArgumentError(
        f"model URI {text!r} has scheme {scheme!r}, which lakehouse does not know; "
        f"expected {_FORMS}"
    )


def _package_location(uri: str) -> PackageLocation | None:
    """The models layer's view of a ``runs:/`` or ``models:/`` URI (None for the others)."""
    if urlparse(uri).scheme.lower() not in ("runs", "models"):
        return None
    found = resolve_model_uri(uri)
    registered = f"{found.name}/{found.version}" if found.name is not None else None
    return PackageLocation(found.location, immutable=found.immutable, registered=registered)


add_uri_resolver(_package_location)  # lakehouse.models.set_signature & co. take these URIs
