"""The ``catalog.schema.table`` namespace on Delta.

One truth (DESIGN.md): the folder layout under ``<home>/warehouse`` says which
catalogs, schemas and tables exist; a table's own Delta log holds its schema,
comment, properties, partitioning and history; ``system.catalog.catalogs`` and
``system.catalog.schemas`` (written with delta-rs) hold only what neither has:
comments, owners and creation times of catalogs and schemas. Table data is
written with Spark. ``main`` and ``main.default`` exist on first use.

Example::

    import lakehouse as lh
    lh.create_schema("main.ml", comment="churn work")
    lh.create_table("main.ml.orders", orders_df, partition_by=["order_date"])
    lh.describe_table("main.ml.orders").version   # 0
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from lakehouse import paths
from lakehouse.catalog.entities import CatalogInfo, ColumnInfo, SchemaInfo, TableDescription
from lakehouse.catalog.names import SYSTEM_CATALOG, check_writable, parse_name, split_parts
from lakehouse.catalog.store import CatalogStore, described
from lakehouse.config import get_config, username
from lakehouse.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    NotEmptyError,
    NotFoundError,
    TableLocationMissingError,
)
from lakehouse.spark import on_session, register_catalog
from lakehouse.store import files, layout
from lakehouse.store.delta import DeltaStore, table_metadata

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = [
    "CatalogInfo",
    "ColumnInfo",
    "SchemaInfo",
    "TableDescription",
    "create_catalog",
    "create_schema",
    "create_table",
    "describe_table",
    "drop_catalog",
    "drop_schema",
    "drop_table",
    "list_catalogs",
    "list_schemas",
    "list_tables",
    "table",
    "table_location",
]

WriteMode = Literal["error", "append", "overwrite", "ignore"]
# Schemas of the system catalog, made by lakehouse itself.
SYSTEM_SCHEMAS = {
    "catalog": "Namespace metadata: catalog and schema comments and owners.",
    "tracking": "Experiments, runs, params, metrics and tags.",
    "registry": "Registered models, versions, aliases and their history.",
}


# -- folders (the truth of what exists) -------------------------------------------------
_is_dir = files.is_dir
_subdirs = files.child_dirs
_mkdir = files.make_dirs
_rmtree = files.remove
_has_delta_log = files.has_delta_commit


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- metadata tables ---------------------------------------------------------------------
def _store() -> CatalogStore:
    return CatalogStore(get_config())


def _schemas_table() -> DeltaStore:
    return _store().schemas


_defaults_lock = threading.Lock()
_defaults_done: set[str] = set()


def _ensure_defaults() -> None:
    """``main`` and ``main.default`` exist on first use of a root."""
    cfg = get_config()
    home = cfg.home_uri
    if home in _defaults_done:
        return
    with _defaults_lock:
        if home in _defaults_done:
            return
        if not _is_dir(layout.warehouse_uri(cfg.default_catalog)):
            _create_catalog(cfg.default_catalog, "The default catalog.", exclusive=False)
        if not _is_dir(layout.warehouse_uri(cfg.default_catalog, cfg.default_schema)):
            _create_schema(
                cfg.default_catalog, cfg.default_schema, "The default schema.", exclusive=False
            )
        _defaults_done.add(home)


# Spark SQL sessions see main.default on first use too.
on_session(_ensure_defaults)


# -- catalogs ----------------------------------------------------------------------------
def _create_catalog(name: str, comment: str | None, *, exclusive: bool) -> CatalogInfo:
    existed = _is_dir(layout.warehouse_uri(name))
    if exclusive and existed:
        raise AlreadyExistsError(f"catalog {name!r} already exists; pass exist_ok=True to reuse it")
    _mkdir(layout.warehouse_uri(name))
    info = CatalogInfo(name=name, comment=comment, owner=username(), created_at=_now())
    if not _store().add_catalog(info) and exclusive:
        raise AlreadyExistsError(
            f"catalog {name!r} was created by another writer at the same moment; "
            "pass exist_ok=True to reuse it"
        )
    return _catalog_info(name)


def create_catalog(name: str, comment: str | None = None, *, exist_ok: bool = True) -> CatalogInfo:
    """Create a catalog (``exist_ok=False`` raises :class:`AlreadyExistsError` if present)."""
    (name,) = split_parts(name, 1)
    check_writable(name, f"create catalog {name!r}")
    _ensure_defaults()
    info = _create_catalog(name, comment, exclusive=not exist_ok)
    register_catalog(name)  # Spark SQL resolves it at once in a running session
    return info


def _catalog_info(name: str) -> CatalogInfo:
    return CatalogInfo(name=name, **described(_store().catalog_meta(name)))


def list_catalogs() -> list[CatalogInfo]:
    """Every catalog: the folders under the warehouse, and the reserved ``system``."""
    _ensure_defaults()
    meta = _store().catalogs_meta()
    names = _subdirs(layout.warehouse_uri())
    out = [CatalogInfo(name=n, **described(meta.get(n))) for n in names]
    out.append(CatalogInfo(name=SYSTEM_CATALOG, comment="Reserved: lakehouse's own tables."))
    return out


def drop_catalog(name: str, *, cascade: bool = False) -> None:
    """Drop a catalog; refuses one that holds schemas unless ``cascade=True``."""
    (name,) = split_parts(name, 1)
    check_writable(name, f"drop catalog {name!r}")
    _require_catalog(name)
    schemas = _subdirs(layout.warehouse_uri(name))
    if schemas and not cascade:
        raise NotEmptyError(
            f"catalog {name!r} is not empty: it holds schemas {', '.join(schemas)}; "
            "drop them first or pass cascade=True"
        )
    _rmtree(layout.warehouse_uri(name))
    # With the metadata of every schema of the catalog (a schema made by SQL has none).
    _store().remove_catalog(name)
    _defaults_done.discard(get_config().home_uri)


def _require_catalog(name: str) -> None:
    if name == SYSTEM_CATALOG:
        return
    _ensure_defaults()
    if not _is_dir(layout.warehouse_uri(name)):
        known = ", ".join(c.name for c in list_catalogs())
        raise NotFoundError(
            f"catalog {name!r} does not exist (known catalogs: {known}); "
            f"create it with lh.create_catalog({name!r})"
        )


# -- schemas -----------------------------------------------------------------------------
def _schema_dir(catalog: str, schema: str) -> str:
    if catalog == SYSTEM_CATALOG:
        return paths.join(get_config().home_uri, "system", schema)
    return layout.warehouse_uri(catalog, schema)


def _create_schema(
    catalog: str, schema: str, comment: str | None, *, exclusive: bool
) -> SchemaInfo:
    location = _schema_dir(catalog, schema)
    if exclusive and _is_dir(location):
        raise AlreadyExistsError(
            f"schema '{catalog}.{schema}' already exists; pass exist_ok=True to reuse it"
        )
    _mkdir(location)
    info = SchemaInfo(
        catalog_name=catalog, name=schema, comment=comment, owner=username(), created_at=_now()
    )
    if not _store().add_schema(info) and exclusive:
        raise AlreadyExistsError(
            f"schema '{catalog}.{schema}' was created by another writer at the same moment; "
            "pass exist_ok=True to reuse it"
        )
    return _schema_info(catalog, schema)


def create_schema(name: str, comment: str | None = None, *, exist_ok: bool = True) -> SchemaInfo:
    """Create ``catalog.schema`` (the catalog must exist)."""
    catalog, schema = split_parts(name, 2)
    check_writable(catalog, f"create schema {name!r}")
    _require_catalog(catalog)
    return _create_schema(catalog, schema, comment, exclusive=not exist_ok)


def _schema_info(catalog: str, schema: str) -> SchemaInfo:
    if catalog == SYSTEM_CATALOG:
        return SchemaInfo(catalog_name=catalog, name=schema, comment=SYSTEM_SCHEMAS.get(schema))
    meta = _store().schema_meta(catalog, schema)
    return SchemaInfo(catalog_name=catalog, name=schema, **described(meta))


def list_schemas(catalog: str | None = None) -> list[SchemaInfo]:
    """Schemas of one catalog (the default catalog when none is named)."""
    catalog = split_parts(catalog, 1)[0] if catalog else get_config().default_catalog
    _require_catalog(catalog)
    if catalog == SYSTEM_CATALOG:
        names = _subdirs(paths.join(get_config().home_uri, "system"))
        return [_schema_info(catalog, n) for n in names]
    meta = _store().schemas_meta(catalog)
    return [
        SchemaInfo(catalog_name=catalog, name=n, **described(meta.get(n)))
        for n in _subdirs(layout.warehouse_uri(catalog))
    ]


def _require_schema(catalog: str, schema: str) -> None:
    _require_catalog(catalog)
    if not _is_dir(_schema_dir(catalog, schema)):
        raise NotFoundError(
            f"schema '{catalog}.{schema}' does not exist; create it with "
            f"lh.create_schema('{catalog}.{schema}')"
        )


def drop_schema(name: str, *, cascade: bool = False) -> None:
    """Drop a schema; refuses one that holds tables unless ``cascade=True``."""
    catalog, schema = split_parts(name, 2)
    check_writable(catalog, f"drop schema {name!r}")
    _require_schema(catalog, schema)
    location = layout.warehouse_uri(catalog, schema)
    tables = _subdirs(location)
    if tables and not cascade:
        raise NotEmptyError(
            f"schema {name!r} is not empty: it holds tables {', '.join(tables)}; "
            "drop them first or pass cascade=True"
        )
    _rmtree(location)
    _store().remove_schema(catalog, schema)
    _defaults_done.discard(get_config().home_uri)


# -- schema metadata for Spark SQL ---------------------------------------------------------
class _SqlSchemaRecorder:
    """The Python end of ``io.lakehouse.LakehouseCatalog.SchemaRecorder`` (Py4J callbacks).

    Spark SQL's CREATE SCHEMA [COMMENT], COMMENT ON SCHEMA, DROP SCHEMA and DESCRIBE
    SCHEMA reach ``system.catalog.schemas`` through here, so delta-rs stays the one
    engine writing it (DESIGN.md). The plugin passes the root it resolved the schema in.
    """

    def __init__(self, gateway: Any):
        self.gateway = gateway

    def created(self, home: str, catalog: str, schema: str, comment: str | None) -> None:
        info = SchemaInfo(
            catalog_name=catalog, name=schema, comment=comment, owner=username(), created_at=_now()
        )
        CatalogStore(get_config(home=home)).replace_schema(info)

    def commented(self, home: str, catalog: str, schema: str, comment: str | None) -> None:
        CatalogStore(get_config(home=home)).set_schema_comment(catalog, schema, comment)

    def dropped(self, home: str, catalog: str, schema: str) -> None:
        CatalogStore(get_config(home=home)).remove_schema(catalog, schema)
        _defaults_done.discard(home)  # main.default comes back on next use, as after drop_schema

    def describe(self, home: str, catalog: str, schema: str) -> Any:
        if catalog == SYSTEM_CATALOG:
            known: dict[str, str | None] = {"comment": SYSTEM_SCHEMAS.get(schema)}
        else:
            info = CatalogStore(get_config(home=home)).schema_meta(catalog, schema)
            known = {"comment": info.comment, "owner": info.owner} if info else {}
        from py4j.java_collections import MapConverter  # with pyspark: optional

        values = {k: v for k, v in known.items() if v is not None}
        return MapConverter().convert(values, self.gateway._gateway_client)

    class Java:
        implements = ["io.lakehouse.LakehouseCatalog$SchemaRecorder"]


_recorder: _SqlSchemaRecorder | None = None  # referenced here so Py4J's proxy stays alive


def _attach_sql_recorder() -> None:
    """Attach the recorder to the session's JVM (once per JVM; the plugin keeps it)."""
    global _recorder
    from pyspark import SparkContext
    from pyspark.java_gateway import ensure_callback_server_started

    context: Any = SparkContext._active_spark_context
    if context is None or (_recorder is not None and _recorder.gateway is context._gateway):
        return
    ensure_callback_server_started(context._gateway)
    recorder = _SqlSchemaRecorder(context._gateway)
    context._jvm.io.lakehouse.LakehouseCatalog.setRecorder(recorder)
    _recorder = recorder


on_session(_attach_sql_recorder)


# -- tables ------------------------------------------------------------------------------
def table_location(name: str) -> str:
    """The managed location of ``catalog.schema.table`` (whether or not it exists)."""
    full = parse_name(name)
    return layout.table_uri(full.catalog, full.schema, full.name)


def _existing_location(name: str) -> str:
    full = parse_name(name)
    location = layout.table_uri(full.catalog, full.schema, full.name)
    if _has_delta_log(location):
        return location
    if _is_dir(location):
        raise TableLocationMissingError(
            f"table {full} has a folder at {location} but no Delta log (_delta_log) in it: "
            "its Delta data was deleted or moved outside lakehouse. Restore the folder, or "
            f"drop the table with lh.drop_table('{full}') and create it again."
        )
    _require_schema(full.catalog, full.schema)
    raise NotFoundError(
        f"table {full} does not exist (no Delta table at {location}); "
        f"see lh.list_tables('{full.schema_name}')"
    )


def _path_identifier(location: str) -> str:
    # Qualified with spark_catalog: after SET CATALOG main, a bare delta.`path` would
    # resolve as the table `path` in schema main.delta.
    return "spark_catalog.delta.`" + paths.to_local_path(location).replace("`", "``") + "`"


def create_table(
    name: str,
    data: DataFrame | StructType,
    *,
    comment: str | None = None,
    partition_by: Sequence[str] = (),
    properties: Mapping[str, str] | None = None,
    mode: WriteMode = "error",
) -> TableDescription:
    """Create a managed Delta table from a Spark DataFrame or a schema.

    ``mode``: ``"error"`` (default) refuses an existing table, ``"ignore"`` keeps
    it, ``"overwrite"`` replaces it atomically, ``"append"`` adds the rows.

    Example::

        lh.create_table("main.ml.scores", df, comment="nightly scores",
                        partition_by=["score_date"])
    """
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

    from lakehouse.spark import spark as get_spark

    full = parse_name(name)
    check_writable(full.catalog, f"create table {full}")
    if mode not in ("error", "append", "overwrite", "ignore"):
        raise InvalidArgumentError(
            f"mode {mode!r} is not one of 'error', 'append', 'overwrite', 'ignore'"
        )
    _ensure_defaults()
    _require_schema(full.catalog, full.schema)
    location = layout.table_uri(full.catalog, full.schema, full.name)
    exists = _has_delta_log(location)
    if exists and mode == "error":
        raise AlreadyExistsError(
            f"table {full} already exists at {location}; pass mode='overwrite', "
            "'append' or 'ignore'"
        )
    if exists and mode == "ignore":
        return describe_table(name)
    session = get_spark()
    if isinstance(data, StructType):
        df = session.createDataFrame([], data)
    elif isinstance(data, DataFrame):
        df = data
    else:
        raise InvalidArgumentError(
            f"create_table({name!r}) takes a Spark DataFrame or a StructType, "
            f"got {type(data).__name__}"
        )
    missing = [c for c in partition_by if c not in df.columns]
    if missing:
        raise InvalidArgumentError(
            f"partition column(s) {missing} are not columns of the data; "
            f"columns present: {df.columns}"
        )
    writer = df.writeTo(_path_identifier(location)).using("delta")
    if partition_by:
        from pyspark.sql.functions import col

        writer = writer.partitionedBy(*[col(c) for c in partition_by])
    for key, value in (properties or {}).items():
        writer = writer.tableProperty(key, str(value))
    if comment is not None:
        writer = writer.tableProperty("comment", comment)
    try:
        if exists and mode == "append":
            df.write.format("delta").mode("append").save(paths.to_local_path(location))
        elif exists:
            writer.createOrReplace()
        else:
            writer.create()
    except Exception:
        if not exists:  # a failed create leaves no half-made table behind
            _rmtree(location)
        raise
    return describe_table(name)


def table(name: str) -> DataFrame:
    """The table as a Spark DataFrame.

    Example::

        lh.table("main.demo.orders").groupBy("customer_id").count()
    """
    from lakehouse.spark import spark as get_spark

    location = _existing_location(name)
    return get_spark().read.format("delta").load(paths.to_local_path(location))


def _ms(value: int | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(value / 1000, dt.UTC)


def describe_table(name: str) -> TableDescription:
    """Location, columns, comment, partitioning, properties, version and times of a table.

    Read from the table's own Delta log (no JVM needed).
    """
    location = _existing_location(name)
    meta = table_metadata(location)
    columns = tuple(
        ColumnInfo(
            name=f["name"],
            type=f["type"] if isinstance(f["type"], str) else f["type"].get("type", "struct"),
            nullable=bool(f.get("nullable", True)),
            comment=(f.get("metadata") or {}).get("comment"),
        )
        for f in meta.fields
    )
    return TableDescription(
        full_name=str(parse_name(name)),
        location=location,
        columns=columns,
        comment=meta.description,
        partition_columns=meta.partition_columns,
        properties=dict(meta.configuration),
        version=meta.version,
        created_at=_ms(meta.created_ms),
        updated_at=_ms(meta.updated_ms),
    )


def list_tables(schema: str | None = None) -> list[str]:
    """Full names of the tables in ``catalog.schema`` (the default schema when none)."""
    cfg = get_config()
    schema = schema or f"{cfg.default_catalog}.{cfg.default_schema}"
    catalog, schema_name = split_parts(schema, 2)
    _ensure_defaults()
    _require_schema(catalog, schema_name)
    folder = _schema_dir(catalog, schema_name)
    return [
        f"{catalog}.{schema_name}.{t}"
        for t in _subdirs(folder)
        if _has_delta_log(paths.join(folder, t))
    ]


def drop_table(name: str, *, missing_ok: bool = False) -> None:
    """Drop a managed table and its data."""
    full = parse_name(name)
    check_writable(full.catalog, f"drop table {full}")
    location = layout.table_uri(full.catalog, full.schema, full.name)
    if not _is_dir(location):
        if missing_ok:
            return
        _existing_location(name)
    _rmtree(location)
