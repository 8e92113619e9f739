"""Fluent registry calls (``lh.register_model`` ...): each forwards to RegistryClient."""

from __future__ import annotations

from collections.abc import Iterable

from lakehouse.registry.client import RegistryClient
from lakehouse.registry.entities import Lineage, ModelVersion

__all__ = ["lineage", "register_model", "rollback_alias"]


def register_model(
    model_uri: str,
    name: str,
    *,
    tags: dict[str, str] | None = None,
    description: str | None = None,
    inputs: Iterable[tuple[str, int | None]] | None = None,
) -> ModelVersion:
    """Register the package at ``model_uri`` as the next version of ``name``.

    Creates ``catalog.schema.model`` if absent, copies the package to the
    version's read-only folder and records the source run and its input tables.
    Example::

        mv = lh.register_model(f"runs:/{run.info.run_id}/model", "main.ml.churn")
        mv.version  # 1, then 2, 3...
    """
    return RegistryClient().add_version(
        name, model_uri, tags=tags, description=description, inputs=inputs, create_model=True
    )


def rollback_alias(name: str, alias: str) -> ModelVersion:
    """Put ``alias`` back on the version it pointed to before its last move."""
    return RegistryClient().rollback_alias(name, alias)


def lineage(name: str, version: str | int) -> Lineage:
    """The run, source and input tables (with Delta versions) behind a model version."""
    return RegistryClient().lineage(name, version)
