"""Feature-table refreshes: compute a feature table from source Delta tables, merge, record.

A refresh is described by a YAML file (``conf/features/*.yaml``)::

    table: main.demo.customer_features
    primary_keys: [customer_id, feature_date]
    timeseries_column: feature_date
    description: Order activity and profile of each customer, per day.
    sources:                       # alias -> table; each read at one pinned Delta version
      orders: main.demo.orders
      customers: main.demo.customers
    sql: |                         # over the aliases; or `transform: package.module:function`
      SELECT ...
    schedule: "0 2 * * *"          # read by `lakehouse scheduler` (with job, submit_args)
    job: jobs/refresh_features.py

:func:`refresh` reads each source at its current version (the same version for
the whole computation), computes the rows, and merges into the feature table
only the rows that are new or differ from the stored ones (through
:func:`lakehouse.features.tables.write_table`), so a rerun on unchanged inputs
writes nothing and the table keeps its version. Keys missing from the result
stay in the table (a refresh adds and updates history; it never deletes).
Each refresh appends one row to ``system.features.refreshes`` (delta-rs):
when it ran, the source tables and versions it read, rows inserted and updated,
and the table's versions before and after; ``get_table`` reports the newest.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from lakehouse import paths
from lakehouse.catalog import namespace
from lakehouse.catalog.names import parse_name
from lakehouse.config import Config
from lakehouse.errors import ConfigError, InvalidArgumentError, NotFoundError
from lakehouse.features import tables
from lakehouse.spark import spark as get_spark
from lakehouse.store import layout
from lakehouse.store.delta import DeltaStore, TableSpec

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = [
    "REFRESHES_SPEC",
    "RefreshConfig",
    "RefreshResult",
    "compute",
    "last_refresh",
    "list_refreshes",
    "load_refresh_config",
    "refresh",
    "refreshes_store",
]

# Keys the scheduler reads beside a job's own (lakehouse.scheduler.jobs.SCHEDULE_KEYS,
# a layer above this one: a test keeps the two equal).
SCHEDULER_KEYS = frozenset({"schedule", "job", "submit_args"})
_OWN_KEYS = frozenset(
    {
        "table",
        "primary_keys",
        "timeseries_column",
        "partition_columns",
        "description",
        "sources",
        "sql",
        "transform",
    }
)
_ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRANSFORM = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

_TS = pa.timestamp("us", tz="UTC")
REFRESHES_SPEC = TableSpec(
    schema=pa.schema(
        [
            pa.field("refresh_id", pa.string(), nullable=False),
            pa.field("table_name", pa.string(), nullable=False),
            pa.field("job", pa.string()),
            pa.field("conf_file", pa.string()),
            pa.field("definition", pa.string()),
            pa.field("start_time", _TS),
            pa.field("end_time", _TS),
            pa.field(
                "sources",
                pa.list_(pa.struct([("name", pa.string()), ("version", pa.int64())])),
            ),
            pa.field("rows_computed", pa.int64()),
            pa.field("rows_inserted", pa.int64()),
            pa.field("rows_updated", pa.int64()),
            pa.field("version_before", pa.int64()),
            pa.field("version_after", pa.int64()),
        ]
    ),
    keys=("refresh_id",),
    description="Feature-table refreshes: when, from which source versions, rows changed.",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshConfig:
    """What a refresh YAML says: the feature table, its sources and how to compute it."""

    table: str
    primary_keys: tuple[str, ...]
    sources: Mapping[str, str]
    sql: str | None = None
    transform: str | None = None
    timeseries_column: str | None = None
    partition_columns: tuple[str, ...] = ()
    description: str | None = None
    job: str | None = None
    conf_file: str | None = None

    def __post_init__(self) -> None:
        where = self.conf_file or f"refresh of {self.table}"
        if (self.sql is None) == (self.transform is None):
            raise ConfigError(f"{where}: give exactly one of 'sql' or 'transform'")
        if self.transform is not None and not _TRANSFORM.match(self.transform):
            raise ConfigError(
                f"{where}: transform {self.transform!r} must name a function as "
                "'package.module:function'"
            )
        if not self.sources:
            raise ConfigError(f"{where}: 'sources' must map at least one alias to a table")
        for alias in self.sources:
            if not _ALIAS.match(alias):
                raise ConfigError(
                    f"{where}: source alias {alias!r} must be a SQL identifier "
                    "(letters, digits, '_'; not starting with a digit)"
                )
        if not self.primary_keys:
            raise ConfigError(f"{where}: 'primary_keys' must list one or more columns")

    @property
    def definition(self) -> str:
        """``sql`` or the transform's ``module:function``, as recorded with each refresh."""
        return self.transform or "sql"


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshResult:
    """What one refresh did: table versions, source versions read, rows changed."""

    table: str
    source_versions: Mapping[str, int]
    rows_computed: int
    rows_inserted: int
    rows_updated: int
    version_before: int | None
    version_after: int
    start_time: dt.datetime
    end_time: dt.datetime
    refresh_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def rows_changed(self) -> int:
        """Inserted plus updated rows."""
        return self.rows_inserted + self.rows_updated


def _str_list(value: Any, key: str, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise ConfigError(f"{where}: {key!r} must be a column name or a list of them")
    return tuple(items)


def load_refresh_config(path: str | Path) -> RefreshConfig:
    """Read a refresh YAML; unknown keys and missing or ill-typed values are ConfigErrors."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"refresh config {file} does not exist")
    try:
        data = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file} must hold a mapping, got {type(data).__name__}")
    unknown = sorted(set(data) - _OWN_KEYS - SCHEDULER_KEYS)
    if unknown:
        raise ConfigError(
            f"{file}: unknown key(s) {unknown}; known keys: {sorted(_OWN_KEYS | SCHEDULER_KEYS)}"
        )
    for required in ("table", "primary_keys", "sources"):
        if required not in data:
            raise ConfigError(f"{file}: missing required key {required!r}")
    sources = data["sources"]
    if not isinstance(sources, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in sources.items()
    ):
        raise ConfigError(f"{file}: 'sources' must map aliases to table names, got {sources!r}")
    for key in ("sql", "transform", "timeseries_column", "description", "table"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ConfigError(f"{file}: {key!r} must be a string")
    return RefreshConfig(
        table=str(parse_name(data["table"])),
        primary_keys=_str_list(data["primary_keys"], "primary_keys", str(file)),
        sources={alias: str(parse_name(name)) for alias, name in sources.items()},
        sql=data.get("sql"),
        transform=data.get("transform"),
        timeseries_column=data.get("timeseries_column"),
        partition_columns=_str_list(
            data.get("partition_columns", []), "partition_columns", str(file)
        ),
        description=data.get("description"),
        job=file.stem,
        conf_file=str(file.resolve()),
    )


def _load_transform(spec: str) -> Callable[[Mapping[str, DataFrame]], DataFrame]:
    module_name, func_name = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"transform {spec!r}: cannot import {module_name!r} ({exc})") from None
    func = getattr(module, func_name, None)
    if not callable(func):
        raise ConfigError(f"transform {spec!r}: {module_name} has no function {func_name!r}")
    return cast(Callable[[Mapping[str, Any]], Any], func)


def _pinned_sources(config: RefreshConfig) -> tuple[dict[str, DataFrame], dict[str, int]]:
    """Each source as a DataFrame at its current Delta version, and those versions."""
    session = get_spark()
    frames: dict[str, DataFrame] = {}
    versions: dict[str, int] = {}
    for alias, name in config.sources.items():
        desc = namespace.describe_table(name)
        frames[alias] = (
            session.read.format("delta")
            .option("versionAsOf", desc.version)
            .load(paths.to_local_path(desc.location))
        )
        versions[name] = desc.version
    return frames, versions


def compute(config: RefreshConfig) -> tuple[DataFrame, dict[str, int]]:
    """The feature rows ``config`` defines, and the source versions they were computed from.

    SQL sees each source under its alias (a temporary view of the pinned version);
    a transform is called as ``function(sources)`` with ``{alias: DataFrame}``.
    """
    frames, versions = _pinned_sources(config)
    if config.transform is not None:
        result = _load_transform(config.transform)(frames)
    else:
        assert config.sql is not None
        for alias, frame in frames.items():
            frame.createOrReplaceTempView(alias)
        result = get_spark().sql(config.sql)
    if not hasattr(result, "schema") or not hasattr(result, "columns"):
        raise InvalidArgumentError(
            f"refresh of {config.table}: {config.definition} returned "
            f"{type(result).__name__}, expected a Spark DataFrame"
        )
    return result, versions


def _changed_rows(
    new: DataFrame, current: DataFrame, keys: tuple[str, ...]
) -> tuple[DataFrame, DataFrame]:
    """Rows of ``new`` that differ from ``current`` (null-safe), and those among them to insert."""
    if set(new.columns) - set(current.columns):
        changed = new  # new features: every row gains a column
    else:
        changed = new.exceptAll(current.select(*new.columns))
    inserts = changed.join(current.select(*keys), list(keys), "left_anti")
    return changed, inserts


def refresh(config: RefreshConfig, *, cfg: Config | None = None) -> RefreshResult:
    """Compute ``config``'s feature table, merge what changed, record the refresh (module doc)."""
    start = dt.datetime.now(dt.UTC)
    rows, versions = compute(config)
    rows = rows.persist()
    try:
        computed = rows.count()
        before, inserted, updated = _merge(config, rows, computed)
    finally:
        rows.unpersist()
    after = tables.get_table(name=config.table).version
    result = RefreshResult(
        table=config.table,
        source_versions=versions,
        rows_computed=computed,
        rows_inserted=inserted,
        rows_updated=updated,
        version_before=before,
        version_after=after,
        start_time=start,
        end_time=dt.datetime.now(dt.UTC),
    )
    _record(config, result, cfg)
    return result


def _merge(config: RefreshConfig, rows: DataFrame, computed: int) -> tuple[int | None, int, int]:
    """Create the table from ``rows``, or merge the changed rows; (version before, ins, upd)."""
    try:
        current = tables.get_table(name=config.table)
    except NotFoundError:
        current = None
    if current is None:
        tables.create_table(
            name=config.table,
            primary_keys=config.primary_keys,
            df=rows,
            timeseries_column=config.timeseries_column,
            partition_columns=config.partition_columns or None,
            description=config.description,
        )
        return None, computed, 0
    if tuple(current.primary_keys) != config.primary_keys:
        raise InvalidArgumentError(
            f"refresh of {config.table}: the table's primary keys are "
            f"{list(current.primary_keys)}, the config says {list(config.primary_keys)}; "
            "make them equal (or drop the table to rebuild it)"
        )
    tables.check_keys(config.table, rows, config.primary_keys)
    stored = tables.read_table(name=config.table, as_of_version=current.version)
    changed, inserts = _changed_rows(rows, stored, config.primary_keys)
    changed = changed.persist()
    try:
        n_changed = changed.count()
        if n_changed == 0:
            return current.version, 0, 0
        n_inserted = inserts.count()
        tables.write_table(name=config.table, df=changed)
        return current.version, n_inserted, n_changed - n_inserted
    finally:
        changed.unpersist()


# -- system.features.refreshes ---------------------------------------------------------
def refreshes_store(cfg: Config | None = None) -> DeltaStore:
    """The Delta table ``system.features.refreshes`` (written by delta-rs only)."""
    return DeltaStore(layout.system_table_uri("features", "refreshes", cfg=cfg), REFRESHES_SPEC)


def _record(config: RefreshConfig, result: RefreshResult, cfg: Config | None) -> None:
    refreshes_store(cfg).append(
        [
            {
                "refresh_id": result.refresh_id,
                "table_name": result.table,
                "job": config.job,
                "conf_file": config.conf_file,
                "definition": config.definition,
                "start_time": result.start_time,
                "end_time": result.end_time,
                "sources": [{"name": n, "version": v} for n, v in result.source_versions.items()],
                "rows_computed": result.rows_computed,
                "rows_inserted": result.rows_inserted,
                "rows_updated": result.rows_updated,
                "version_before": result.version_before,
                "version_after": result.version_after,
            }
        ]
    )


def list_refreshes(table: str | None = None, *, cfg: Config | None = None) -> list[dict[str, Any]]:
    """Recorded refreshes (of ``table``, or all), newest first, as dicts of the row."""
    filters = [("table_name", "=", str(parse_name(table)))] if table else None
    rows = refreshes_store(cfg).read(filters)
    if rows.num_rows == 0:
        return []
    rows = rows.take(pc.sort_indices(rows, sort_keys=[("start_time", "descending")]))
    return cast(list[dict[str, Any]], rows.to_pylist())


def last_refresh(table: str) -> dict[str, Any] | None:
    """The newest recorded refresh of ``table`` (what ``get_table`` reports), or None."""
    found = list_refreshes(table)
    return found[0] if found else None


tables.register_last_refresh(last_refresh)
