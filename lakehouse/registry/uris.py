"""``models:/`` URIs, as MLflow writes them, for ``catalog.schema.model`` names.

``models:/<name>/<version>``, ``models:/<name>@<alias>``, ``models:/<name>/<stage>``
(None, Staging, Production, Archived; any case) and ``models:/<name>/latest``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.catalog.names import parse_name
from lakehouse.errors import InvalidArgumentError
from lakehouse.registry.entities import Stage, canonical_stage

__all__ = ["ModelRef", "parse_model_uri"]

_FORMS = (
    "models:/<catalog.schema.model>/<version>, models:/<catalog.schema.model>@<alias>, "
    "models:/<catalog.schema.model>/<stage> or models:/<catalog.schema.model>/latest"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelRef:
    """What a ``models:/`` URI points at: exactly one of version, alias, stage, latest."""

    name: str
    version: int | None = None
    alias: str | None = None
    stage: Stage | None = None
    latest: bool = False


def _bad(uri: str, why: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"invalid model URI {uri!r}: {why}; expected {_FORMS}")


def parse_model_uri(uri: str) -> ModelRef:
    """Parse a ``models:/`` URI (the name is checked with the namespace rule)."""
    if not isinstance(uri, str) or not uri.startswith("models:"):
        raise _bad(str(uri), "it does not start with 'models:/'")
    body = uri[len("models:") :].lstrip("/").rstrip("/")
    if "@" in body:
        name, _, alias = body.partition("@")
        if not alias or "/" in alias:
            raise _bad(uri, "the alias after '@' is empty or has a '/'")
        return ModelRef(name=str(parse_name(name)), alias=alias)
    name, _, suffix = body.partition("/")
    if not suffix or "/" in suffix:
        raise _bad(uri, "it names no version, alias, stage or 'latest'")
    full = str(parse_name(name))
    if suffix.isdigit():
        return ModelRef(name=full, version=int(suffix))
    if suffix.lower() == "latest":
        return ModelRef(name=full, latest=True)
    try:
        return ModelRef(name=full, stage=canonical_stage(suffix))
    except InvalidArgumentError:
        raise _bad(uri, f"{suffix!r} is not a version number, a stage or 'latest'") from None
