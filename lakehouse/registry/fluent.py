"""Fluent registry calls (``lh.register_model`` ...): each forwards to RegistryClient."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lakehouse.registry.client import RegistryClient
from lakehouse.registry.entities import Lineage, ModelVersion, RegisteredModel

__all__ = [
    "lineage",
    "register_model",
    "rollback_alias",
    "search_model_versions",
    "search_registered_models",
]


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


def search_registered_models(
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: Sequence[str] | None = None,
) -> list[RegisteredModel]:
    """Registered models matching ``filter_string`` (MLflow's argument order; all by default)."""
    return RegistryClient().search_registered_models(
        filter_string, max_results=max_results or 100_000, order_by=order_by
    )


def search_model_versions(
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: Sequence[str] | None = None,
) -> list[ModelVersion]:
    """Model versions matching ``filter_string`` (MLflow's argument order; all by default)."""
    return RegistryClient().search_model_versions(
        filter_string, max_results=max_results or 100_000, order_by=order_by
    )
