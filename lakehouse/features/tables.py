"""Feature tables: Delta tables in the namespace with primary keys and a timeseries key.

One truth (DESIGN.md): a feature table is an ordinary managed Delta table; its keys,
timeseries column and tags are table properties and its description is the table
comment, all in the table's own Delta log, so ``lh.describe_table``, Spark SQL's
``DESCRIBE TABLE EXTENDED`` / ``SHOW TBLPROPERTIES`` and :func:`get_table` read the
same facts. Data goes through Spark (the data plane); ``write_table`` is a Delta
MERGE on the keys, retried when a concurrent writer wins the commit.

Example::

    create_table(name="main.ml.customer_features", primary_keys=["customer_id", "ts"],
                 timeseries_column="ts", df=features_df, description="order activity")
    write_table(name="main.ml.customer_features", df=new_rows)   # upsert on the keys
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lakehouse import paths
from lakehouse.catalog import namespace
from lakehouse.catalog.names import parse_name
from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.features.entities import FeatureTable
from lakehouse.spark import spark as get_spark
from lakehouse.store.delta import with_retry

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = [
    "KEYS_PROPERTY",
    "TAGS_PROPERTY",
    "TIMESERIES_PROPERTY",
    "check_keys",
    "create_table",
    "drop_table",
    "get_table",
    "list_tables",
    "register_last_refresh",
    "read_table",
    "write_table",
]

KEYS_PROPERTY = "lakehouse.feature.primary_keys"
TIMESERIES_PROPERTY = "lakehouse.feature.timeseries_column"
TAGS_PROPERTY = "lakehouse.feature.tags"
_TIME_TYPES = ("timestamp", "timestamp_ntz", "date")
# Hook set by the refresh job's module: full name -> its last refresh record, or None.
_last_refresh_hooks: list[Any] = []


def _key_tuple(primary_keys: str | Sequence[str], what: str) -> tuple[str, ...]:
    keys = (primary_keys,) if isinstance(primary_keys, str) else tuple(primary_keys or ())
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise InvalidArgumentError(f"{what}: primary_keys must name one or more columns")
    if len(set(keys)) != len(keys):
        raise InvalidArgumentError(f"{what}: primary_keys {list(keys)} repeat a column")
    return keys


def _check_columns(
    name: str, schema: StructType, keys: Sequence[str], timeseries: str | None
) -> None:
    columns = schema.fieldNames()
    missing = [k for k in keys if k not in columns]
    if missing:
        raise InvalidArgumentError(
            f"feature table {name}: primary key column(s) {missing} are not in the data; "
            f"columns present: {columns}"
        )
    if timeseries is None:
        return
    if timeseries not in keys:
        raise InvalidArgumentError(
            f"feature table {name}: timeseries_column {timeseries!r} must be one of the "
            f"primary keys {list(keys)}; add it to primary_keys"
        )
    kind = schema[timeseries].dataType.typeName()
    if kind not in _TIME_TYPES:
        raise InvalidArgumentError(
            f"feature table {name}: timeseries_column {timeseries!r} has type {kind}; "
            "expected a timestamp or a date"
        )


def check_keys(name: str, df: DataFrame, keys: Sequence[str]) -> None:
    """Refuse null or duplicate keys in ``df``, naming one offending key."""
    from pyspark.sql import functions as F

    any_null = F.lit(False)
    for key in keys:
        any_null = any_null | F.col(key).isNull()
    null_row = df.where(any_null).select(*keys).limit(1).collect()
    if null_row:
        raise InvalidArgumentError(
            f"feature table {name}: primary key columns {list(keys)} must not be null; "
            f"found a row with key {null_row[0].asDict()}. Drop or fill those rows first"
        )
    dup = df.groupBy(*keys).count().where(F.col("count") > 1).limit(1).collect()
    if dup:
        sample = {k: dup[0][k] for k in keys}
        raise InvalidArgumentError(
            f"feature table {name}: primary key {sample} appears {dup[0]['count']} times in "
            "the data; keys must be unique. Deduplicate (e.g. keep the newest row per key)"
        )


def create_table(
    *,
    name: str,
    primary_keys: str | Sequence[str],
    df: DataFrame | None = None,
    schema: StructType | None = None,
    timeseries_column: str | None = None,
    partition_columns: str | Sequence[str] | None = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> FeatureTable:
    """Create a feature table from ``df`` (its rows become the first version) or ``schema``."""
    full = str(parse_name(name))
    keys = _key_tuple(primary_keys, f"create_table({full!r})")
    if df is None and schema is None:
        raise InvalidArgumentError(f"create_table({full!r}) needs df= or schema=")
    data_schema = df.schema if df is not None else schema
    assert data_schema is not None
    if df is not None and schema is not None and df.schema.fieldNames() != schema.fieldNames():
        raise InvalidArgumentError(
            f"create_table({full!r}): df columns {df.columns} differ from schema columns "
            f"{schema.fieldNames()}; pass one of them"
        )
    _check_columns(full, data_schema, keys, timeseries_column)
    parts = (partition_columns,) if isinstance(partition_columns, str) else partition_columns
    if df is not None:
        check_keys(full, df, keys)
    properties = {KEYS_PROPERTY: json.dumps(list(keys))}
    if timeseries_column is not None:
        properties[TIMESERIES_PROPERTY] = timeseries_column
    if tags:
        properties[TAGS_PROPERTY] = json.dumps({str(k): str(v) for k, v in tags.items()})
    namespace.create_table(
        full,
        df if df is not None else data_schema,
        comment=description,
        partition_by=tuple(parts or ()),
        properties=properties,
    )
    return get_table(name=full)


def _is_feature_table(properties: Mapping[str, str]) -> bool:
    return KEYS_PROPERTY in properties


def get_table(*, name: str) -> FeatureTable:
    """Keys, timeseries column, features and types, description, version, location, refresh."""
    desc = namespace.describe_table(name)
    props = dict(desc.properties)
    if not _is_feature_table(props):
        raise NotFoundError(
            f"table {desc.full_name} exists but is not a feature table (it has no primary "
            f"keys); create one with create_table(name=..., primary_keys=[...])"
        )
    keys = tuple(json.loads(props[KEYS_PROPERTY]))
    last_refresh = None
    for hook in _last_refresh_hooks:
        last_refresh = hook(desc.full_name)
    return FeatureTable(
        name=desc.full_name,
        primary_keys=keys,
        timeseries_column=props.get(TIMESERIES_PROPERTY),
        features={c.name: c.type for c in desc.columns if c.name not in keys},
        description=desc.comment,
        tags=json.loads(props.get(TAGS_PROPERTY, "{}")),
        partition_columns=desc.partition_columns,
        version=desc.version,
        location=desc.location,
        created_at=desc.created_at,
        updated_at=desc.updated_at,
        last_refresh=last_refresh,
    )


def register_last_refresh(hook: Any) -> None:
    """Let the refresh job report a table's last refresh in :func:`get_table`."""
    if hook not in _last_refresh_hooks:
        _last_refresh_hooks.append(hook)


def read_table(
    *,
    name: str,
    as_of_version: int | None = None,
    as_of_timestamp: str | dt.datetime | None = None,
) -> DataFrame:
    """The feature table as a Spark DataFrame, now or at a Delta version or time."""
    table = get_table(name=name)
    if as_of_version is not None and as_of_timestamp is not None:
        raise InvalidArgumentError(
            f"read_table({table.name!r}): pass as_of_version or as_of_timestamp, not both"
        )
    reader = get_spark().read.format("delta")
    if as_of_version is not None:
        if as_of_version < 0 or as_of_version > table.version:
            raise InvalidArgumentError(
                f"read_table({table.name!r}): as_of_version={as_of_version} is not a version "
                f"of the table (0..{table.version})"
            )
        reader = reader.option("versionAsOf", int(as_of_version))
    elif as_of_timestamp is not None:
        stamp = as_of_timestamp
        if isinstance(stamp, dt.datetime):
            stamp = stamp.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        reader = reader.option("timestampAsOf", str(stamp))
    return reader.load(paths.to_local_path(table.location))


def _merge_condition(keys: Sequence[str]) -> str:
    return " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)


def write_table(*, name: str, df: DataFrame, mode: str = "merge") -> None:
    """Upsert ``df`` into the feature table on its primary keys (timeseries key included).

    Rows whose keys exist are updated, others inserted; columns of ``df`` the table
    lacks become new features (Delta schema evolution); table columns missing from
    ``df`` keep their values on updated rows and are null on inserted ones. Null or
    duplicate keys are refused before anything is written.
    """
    if mode != "merge":
        raise InvalidArgumentError(
            f"write_table mode {mode!r} is not supported; use mode='merge' (upsert on keys)"
        )
    table = get_table(name=name)
    _check_columns(table.name, df.schema, table.primary_keys, table.timeseries_column)
    check_keys(table.name, df, table.primary_keys)
    from delta.tables import DeltaTable

    session = get_spark()
    location = paths.to_local_path(table.location)

    def merge() -> None:
        # A fresh handle per attempt: a retry must merge into the newest snapshot.
        target = DeltaTable.forPath(session, location)
        (
            target.alias("t")
            .merge(df.alias("s"), _merge_condition(table.primary_keys))
            .whenMatchedUpdateAll()
            .whenNotMatchedInsertAll()
            .withSchemaEvolution()
            .execute()
        )

    with_retry(merge, what=f"write_table({table.name!r})")


def drop_table(*, name: str) -> None:
    """Drop a feature table and its data (refuses a table that is not a feature table)."""
    get_table(name=name)
    namespace.drop_table(name)


def list_tables(schema: str | None = None) -> list[FeatureTable]:
    """The feature tables of ``catalog.schema`` (the default schema when none)."""
    out = []
    for full in namespace.list_tables(schema):
        props = namespace.describe_table(full).properties
        if _is_feature_table(props):
            out.append(get_table(name=full))
    return out
