"""Where things live under the lakehouse root (DESIGN.md, "Storage").

``<home>/warehouse/<catalog>/<schema>/<table>``  managed Delta tables
``<home>/system/<schema>/<table>``              tables of the reserved ``system`` catalog
``<home>/artifacts/``                           run artifacts
``<home>/models/``                              registered model versions (immutable copies)
"""

from __future__ import annotations

from collections.abc import Mapping

from lakehouse import paths
from lakehouse.config import Config, get_config
from lakehouse.store.delta import DeltaStore, TableSpec

__all__ = [
    "artifacts_uri",
    "models_uri",
    "system_table_uri",
    "system_tables",
    "table_uri",
    "warehouse_uri",
]


def _home(cfg: Config | None) -> str:
    return (cfg or get_config()).home_uri


def warehouse_uri(*parts: str, cfg: Config | None = None) -> str:
    """``<home>/warehouse[/catalog[/schema]]``."""
    return paths.join(_home(cfg), "warehouse", *parts)


def table_uri(catalog: str, schema: str, table: str, cfg: Config | None = None) -> str:
    """Location of a table; ``system`` tables live under ``<home>/system``."""
    if catalog == "system":
        return system_table_uri(schema, table, cfg=cfg)
    return warehouse_uri(catalog, schema, table, cfg=cfg)


def system_table_uri(schema: str, table: str, *, cfg: Config | None = None) -> str:
    """``<home>/system/<schema>/<table>``, e.g. ``system.tracking.runs``."""
    return paths.join(_home(cfg), "system", schema, table)


def artifacts_uri(*parts: str, cfg: Config | None = None) -> str:
    """``<home>/artifacts[/parts...]``: run artifacts."""
    return paths.join(_home(cfg), "artifacts", *parts)


def models_uri(*parts: str, cfg: Config | None = None) -> str:
    """``<home>/models[/parts...]``: registered model versions."""
    return paths.join(_home(cfg), "models", *parts)


def system_tables(
    schema: str, specs: Mapping[str, TableSpec], *, cfg: Config | None = None
) -> dict[str, DeltaStore]:
    """One :class:`DeltaStore` per spec: the tables ``system.<schema>.<name>`` of a root.

    How every domain store (tracking, registry, catalog) opens its tables.
    """
    return {
        name: DeltaStore(system_table_uri(schema, name, cfg=cfg), spec)
        for name, spec in specs.items()
    }
