"""The ``system.tracking.*`` Delta tables: their shapes and how their rows resolve.

Every table but ``experiments`` is append-only (blind appends never conflict, so
any number of processes log at once). A row carries the id of the process that
wrote it (``writer_id``) and that process's sequence number (``seq``); the pair
is unique. Mutable things (a run's status, a tag) are new rows: the current
value is the latest row of its key, chosen by :func:`latest`. Compaction
(:mod:`lakehouse.tracking.maintenance`) drops the superseded rows.

=====================  ========================================================
``experiments``        one row per experiment (MERGE-written, rare)
``runs``               run states; current = latest ``updated_at`` per ``run_id``
``params``             one row per (run_id, key) (a repeat of the same value is
                       not written)
``metrics``            full metric history: one row per point
``latest_metrics``     per flush, the newest point per (run_id, key); current =
                       max (step, timestamp, value) as MLflow defines "latest"
``tags``               tag sets and deletes; current = latest row per key
``inputs``             table versions a run read (lineage)
``dataset_inputs``     datasets a run used (MLflow's ``log_input``): name, digest,
                       source, schema, profile, context and input tags; a repeat
                       of (run_id, name, digest) is ignored on read (first wins)
``logged_models``      MLflow 3 logged models; current = latest ``updated_at``
                       per ``model_id`` (:mod:`lakehouse.tracking.logged_models`)
``logged_model_params``  one row per (model_id, key)
``logged_model_tags``  as ``tags``, per (model_id, key)
``logged_model_metrics``  points logged with ``model_id=`` and/or ``dataset=``
=====================  ========================================================
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.config import Config, get_config
from lakehouse.store import layout
from lakehouse.store.delta import DeltaStore, TableSpec
from lakehouse.tracking.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    InputTag,
    Metric,
    RunInfo,
    RunInput,
    RunStatus,
)

__all__ = [
    "SPECS",
    "TABLES",
    "TrackingStore",
    "dataset_input_row",
    "input_row",
    "key_mask",
    "latest",
    "metric_row",
    "param_row",
    "run_row",
    "split_resolved",
    "store_for",
    "tag_row",
]

_TS = pa.timestamp("us", tz="UTC")
_ID = [pa.field("writer_id", pa.string()), pa.field("seq", pa.int64())]
# History and latest values share one row shape (timestamp: epoch milliseconds).
_METRIC_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("timestamp", pa.int64()),
        pa.field("step", pa.int64()),
        *_ID,
    ]
)

SPECS: dict[str, TableSpec] = {
    "experiments": TableSpec(
        schema=pa.schema(
            [
                pa.field("experiment_id", pa.string(), nullable=False),
                pa.field("name", pa.string(), nullable=False),
                pa.field("artifact_location", pa.string()),
                pa.field("lifecycle_stage", pa.string()),
                pa.field("creation_time", _TS),
                pa.field("last_update_time", _TS),
                pa.field("tags_json", pa.string()),
            ]
        ),
        keys=("experiment_id",),
        description="Experiments (names live in the catalog.schema.name namespace).",
    ),
    "runs": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("experiment_id", pa.string()),
                pa.field("run_name", pa.string()),
                pa.field("status", pa.string()),
                pa.field("start_time", _TS),
                pa.field("end_time", _TS),
                pa.field("user_id", pa.string()),
                pa.field("artifact_uri", pa.string()),
                pa.field("lifecycle_stage", pa.string()),
                pa.field("updated_at", _TS),
                *_ID,
            ]
        ),
        description="Run states, append-only: a run's current state is its latest updated_at.",
    ),
    "params": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.string()),
                pa.field("logged_at", _TS),
                *_ID,
            ]
        ),
        description="Run parameters.",
    ),
    "metrics": TableSpec(
        schema=_METRIC_SCHEMA,
        description="Metric history, one row per point (timestamp: epoch milliseconds).",
    ),
    "latest_metrics": TableSpec(
        schema=_METRIC_SCHEMA,
        description="Newest metric point per run and key per flush; current = max(step, ts).",
    ),
    "tags": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.string()),
                pa.field("deleted", pa.bool_()),
                pa.field("updated_at", _TS),
                *_ID,
            ]
        ),
        description="Run tags, append-only: current = latest updated_at per key, unless deleted.",
    ),
    "inputs": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("table_name", pa.string(), nullable=False),
                pa.field("table_version", pa.int64()),
                pa.field("logged_at", _TS),
                *_ID,
            ]
        ),
        description="Table versions each run read (lineage).",
    ),
    "dataset_inputs": TableSpec(
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("name", pa.string(), nullable=False),
                pa.field("digest", pa.string(), nullable=False),
                pa.field("source_type", pa.string()),
                pa.field("source", pa.string()),
                pa.field("schema", pa.string()),
                pa.field("profile", pa.string()),
                pa.field("context", pa.string()),
                pa.field("tags_json", pa.string()),
                pa.field("logged_at", _TS),
                *_ID,
            ]
        ),
        description=(
            "Datasets each run used (name, digest, source JSON, schema, profile, context, "
            "input tags as JSON)."
        ),
    ),
    # MLflow 3 logged models (lakehouse.tracking.logged_models): every log_model makes one.
    "logged_models": TableSpec(
        schema=pa.schema(
            [
                pa.field("model_id", pa.string(), nullable=False),
                pa.field("experiment_id", pa.string()),
                pa.field("name", pa.string()),
                pa.field("source_run_id", pa.string()),
                pa.field("model_type", pa.string()),
                pa.field("status", pa.string()),
                pa.field("status_message", pa.string()),
                pa.field("artifact_location", pa.string()),
                pa.field("lifecycle_stage", pa.string()),
                pa.field("creation_time", _TS),
                pa.field("updated_at", _TS),
                *_ID,
            ]
        ),
        description="Logged model states, append-only: current = latest updated_at per model_id.",
    ),
    "logged_model_params": TableSpec(
        schema=pa.schema(
            [
                pa.field("model_id", pa.string(), nullable=False),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.string()),
                pa.field("logged_at", _TS),
                *_ID,
            ]
        ),
        description="Logged model parameters (log_model(params=) and the source run's).",
    ),
    "logged_model_tags": TableSpec(
        schema=pa.schema(
            [
                pa.field("model_id", pa.string(), nullable=False),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.string()),
                pa.field("deleted", pa.bool_()),
                pa.field("updated_at", _TS),
                *_ID,
            ]
        ),
        description="Logged model tags, append-only: current = latest updated_at per key.",
    ),
    "logged_model_metrics": TableSpec(
        schema=pa.schema(
            [
                pa.field("model_id", pa.string()),
                pa.field("run_id", pa.string()),
                pa.field("key", pa.string(), nullable=False),
                pa.field("value", pa.float64()),
                pa.field("timestamp", pa.int64()),
                pa.field("step", pa.int64()),
                pa.field("dataset_name", pa.string()),
                pa.field("dataset_digest", pa.string()),
                *_ID,
            ]
        ),
        description=(
            "Metric points logged with model_id= and/or dataset= (the run's metrics hold "
            "them too); timestamp: epoch milliseconds."
        ),
    ),
}

TABLES = tuple(SPECS)
DATASET_CONTEXT_TAG = "mlflow.data.context"
"""The input tag MLflow keeps a dataset's context in (``training``, ``eval``...)."""
JOURNALED = (
    "runs",
    "params",
    "metrics",
    "tags",
    "inputs",
    "dataset_inputs",
    "logged_models",
    "logged_model_params",
    "logged_model_tags",
    "logged_model_metrics",
)

# How each append-only table resolves to current rows: (key columns, order columns).
# (The logged_model* tables resolve in lakehouse.tracking.logged_models; compaction only
# merges their files: they hold a few rows per model.)
RESOLUTION: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "runs": (("run_id",), ("updated_at", "writer_id", "seq")),
    "tags": (("run_id", "key"), ("updated_at", "writer_id", "seq")),
    "latest_metrics": (("run_id", "key"), ("step", "timestamp", "value")),
    "params": (("run_id", "key"), ("writer_id", "seq")),
}


# Columns the search cache reads dictionary-encoded: few distinct values, many rows.
DICTIONARY_COLUMNS: dict[str, tuple[str, ...]] = {
    "runs": ("writer_id",),
    "params": ("key", "writer_id"),
    "latest_metrics": ("key", "writer_id"),
    "tags": ("key", "writer_id"),
}

# Columns the search cache leaves out: never returned, never used to resolve.
UNCACHED_COLUMNS: dict[str, tuple[str, ...]] = {
    "params": ("logged_at",),
    "latest_metrics": ("writer_id", "seq"),  # resolved by (step, timestamp, value)
}

# A full compaction writes the current rows of a table as files named
# ``lh-resolved-<group>-<uuid>.snappy.parquet``: the files of one group hold each
# key at most once, so readers take them as resolved and only merge newer files in.
RESOLVED_PREFIX = "lh-resolved"


def resolved_group(path: str) -> str | None:
    """The compaction group of a resolved file (by its name), or None."""
    name = path.rsplit("/", 1)[-1]
    if not name.startswith(RESOLVED_PREFIX + "-"):
        return None
    return name[len(RESOLVED_PREFIX) + 1 :].split("-", 1)[0]


def split_resolved(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """``paths`` as (the files of one resolved group, every other file)."""
    groups = sorted({g for p in paths if (g := resolved_group(p)) is not None})
    if not groups:
        return [], list(paths)
    # One group exists at a time (a full compaction removes every older file); if
    # another appeared anyway, any single group is still key-unique.
    base = [p for p in paths if resolved_group(p) == groups[0]]
    return base, [p for p in paths if resolved_group(p) != groups[0]]


class TrackingStore:
    """The ``system.tracking`` tables of one root, and their rows <-> entities mapping.

    Experiments are committed here (MERGE, rare); run data are appended by the
    journaled writer (:mod:`lakehouse.tracking.writer`) as the rows built by
    :func:`run_row`, :func:`metric_row`, :func:`param_row`, :func:`tag_row`
    and :func:`input_row`. One instance per root (:meth:`of`), so reads refresh
    each table's handle incrementally.
    """

    _instances: ClassVar[dict[str, TrackingStore]] = {}

    def __init__(self, cfg: Config | None = None) -> None:
        self.tables = layout.system_tables("tracking", SPECS, cfg=cfg)
        self.experiments = self.tables["experiments"]

    @classmethod
    def of(cls, cfg: Config | None = None) -> TrackingStore:
        """The store of ``cfg``'s root (the configured one by default), made once per root."""
        cfg = cfg or get_config()
        store = cls._instances.get(cfg.home_uri)
        if store is None:
            store = cls._instances[cfg.home_uri] = cls(cfg)
        return store

    # -- experiments ---------------------------------------------------------------
    def add_experiment(self, exp: Experiment) -> bool:
        """Record an experiment unless its name is taken; True if this call did."""
        row = {
            "experiment_id": exp.experiment_id,
            "name": exp.name,
            "artifact_location": exp.artifact_location,
            "lifecycle_stage": exp.lifecycle_stage,
            "creation_time": _from_ms(exp.creation_time),
            "last_update_time": _from_ms(exp.last_update_time),
            "tags_json": json.dumps(dict(exp.tags)),
        }
        return self.experiments.insert_if_absent([row], keys=("name",)) == 1

    def find_experiments(
        self, *, experiment_id: str | None = None, name: str | None = None
    ) -> list[Experiment]:
        """Experiments with this id and/or name (all of them when neither is given)."""
        filters: list[tuple[str, str, Any]] = []
        if experiment_id is not None:
            filters.append(("experiment_id", "=", str(experiment_id)))
        if name is not None:
            filters.append(("name", "=", name))
        return [_experiment(r) for r in self.experiments.read(filters=filters).to_pylist()]

    def update_experiment(self, exp: Experiment, fields: Sequence[str]) -> None:
        """Store ``fields`` (``lifecycle_stage``, ``tags``) of ``exp``, and its update time."""
        row = {
            **dict.fromkeys(self.experiments.spec.schema.names),
            "experiment_id": exp.experiment_id,
            "name": exp.name,
            "lifecycle_stage": exp.lifecycle_stage,
            "tags_json": json.dumps(dict(exp.tags)),
            "last_update_time": _from_ms(exp.last_update_time),
        }
        columns = ["tags_json" if f == "tags" else f for f in fields]
        self.experiments.update_columns([row], [*columns, "last_update_time"])

    # -- run data ------------------------------------------------------------------
    def current_rows(self, name: str, run_ids: Sequence[str]) -> pa.Table:
        """Rows of ``runs``/``params``/``latest_metrics``/``tags`` of some runs, resolved.

        Append-only tables hold every change: only each key's current row is kept
        (:data:`RESOLUTION`); other tables return every row of the runs.
        """
        rows = self.tables[name].read(filters=[("run_id", "in", list(run_ids))])
        if name in RESOLUTION:
            keys, order = RESOLUTION[name]
            rows = latest(rows, keys, order)
        return rows

    def metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every point of a run's metric, ordered by step, then timestamp, then logging order."""
        rows = self.tables["metrics"].read(filters=[("run_id", "=", run_id), ("key", "=", key)])
        rows = rows.sort_by(
            [("step", "ascending"), ("timestamp", "ascending"), ("seq", "ascending")]
        )
        return [
            Metric(
                key=key, value=r["value"], timestamp=r["timestamp"], step=r["step"], run_id=run_id
            )
            for r in rows.select(["value", "timestamp", "step"]).to_pylist()
        ]

    def run_inputs(self, run_id: str) -> list[RunInput]:
        """The table versions a run recorded, in logging order, without repeats."""
        rows = self.tables["inputs"].read(filters=[("run_id", "=", run_id)])
        rows = rows.sort_by([("logged_at", "ascending"), ("seq", "ascending")])
        seen: dict[tuple[str, int | None], RunInput] = {}
        for r in rows.select(["table_name", "table_version"]).to_pylist():
            key = (r["table_name"], r["table_version"])
            seen.setdefault(key, RunInput(table_name=key[0], version=key[1]))
        return list(seen.values())

    def dataset_inputs(self, run_ids: Sequence[str]) -> dict[str, list[DatasetInput]]:
        """Each run's dataset inputs, in logging order; a repeated (name, digest) kept once."""
        rows = self.tables["dataset_inputs"].read(filters=[("run_id", "in", list(run_ids))])
        return dataset_inputs_of(rows)


def dataset_inputs_of(rows: pa.Table) -> dict[str, list[DatasetInput]]:
    """``dataset_inputs`` rows as each run's :class:`DatasetInput` list (first use wins)."""
    rows = rows.sort_by(
        [("logged_at", "ascending"), ("writer_id", "ascending"), ("seq", "ascending")]
    )
    out: dict[str, dict[tuple[str, str], DatasetInput]] = {}
    for r in rows.to_pylist():
        seen = out.setdefault(r["run_id"], {})
        key = (r["name"], r["digest"])
        if key in seen:
            continue
        dataset = Dataset(
            name=r["name"],
            digest=r["digest"],
            source_type=r["source_type"] or "",
            source=r["source"] or "",
            schema=r["schema"],
            profile=r["profile"],
        )
        tags = json.loads(r["tags_json"] or "{}")
        seen[key] = DatasetInput(
            dataset=dataset, tags=tuple(InputTag(key=k, value=v) for k, v in tags.items())
        )
    return {run_id: list(inputs.values()) for run_id, inputs in out.items()}


def store_for(name: str, cfg: Config | None = None) -> DeltaStore:
    """The Delta table ``system.tracking.<name>`` of ``cfg``'s root (cached per root)."""
    return TrackingStore.of(cfg).tables[name]


def _from_ms(ms: int | None) -> dt.datetime | None:
    return None if ms is None else dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def _experiment(row: Mapping[str, Any]) -> Experiment:
    return Experiment(
        experiment_id=row["experiment_id"],
        name=row["name"],
        artifact_location=row["artifact_location"],
        lifecycle_stage=row["lifecycle_stage"],
        tags=json.loads(row["tags_json"] or "{}"),
        creation_time=epoch_ms(row["creation_time"]),
        last_update_time=epoch_ms(row["last_update_time"]),
    )


def _now_us() -> int:
    return time.time_ns() // 1000


def _us(ms: int | None) -> int | None:
    return None if ms is None else int(ms) * 1000


def run_row(info: RunInfo) -> dict[str, Any]:
    """The ``runs`` row recording ``info`` as the run's state from now on."""
    return {
        "run_id": info.run_id,
        "experiment_id": info.experiment_id,
        "run_name": info.run_name,
        "status": info.status.value,
        "start_time": _us(info.start_time),
        "end_time": _us(info.end_time),
        "user_id": info.user_id,
        "artifact_uri": info.artifact_uri,
        "lifecycle_stage": info.lifecycle_stage,
        "updated_at": _now_us(),
    }


def metric_row(run_id: str, metric: Metric) -> dict[str, Any]:
    """The ``metrics`` row of one point (value, timestamp and step already checked)."""
    return {
        "run_id": run_id,
        "key": metric.key,
        "value": metric.value,
        "timestamp": int(metric.timestamp),
        "step": int(metric.step or 0),
    }


def param_row(run_id: str, key: str, value: str) -> dict[str, Any]:
    """The ``params`` row of one param."""
    return {"run_id": run_id, "key": key, "value": value, "logged_at": _now_us()}


def tag_row(run_id: str, key: str, value: str | None, *, deleted: bool = False) -> dict[str, Any]:
    """The ``tags`` row that sets (or, ``deleted``, removes) a tag."""
    return {
        "run_id": run_id,
        "key": key,
        "value": value,
        "deleted": deleted,
        "updated_at": _now_us(),
    }


def input_row(run_id: str, run_input: RunInput) -> dict[str, Any]:
    """The ``inputs`` row recording that a run read a table version."""
    return {
        "run_id": run_id,
        "table_name": run_input.table_name,
        "table_version": run_input.version,
        "logged_at": _now_us(),
    }


def dataset_input_row(run_id: str, dataset_input: DatasetInput) -> dict[str, Any]:
    """The ``dataset_inputs`` row recording that a run used a dataset (tags already checked)."""
    ds = dataset_input.dataset
    tags = {t.key: t.value for t in dataset_input.tags}
    return {
        "run_id": run_id,
        "name": ds.name,
        "digest": ds.digest,
        "source_type": ds.source_type,
        "source": ds.source,
        "schema": ds.schema,
        "profile": ds.profile,
        "context": tags.get(DATASET_CONTEXT_TAG),
        "tags_json": json.dumps(tags),
        "logged_at": _now_us(),
    }


def _key_ids(table: pa.Table, keys: Sequence[str]) -> pa.Array:
    """One array identifying each row's ``keys`` (the column, or combined integer codes)."""
    if len(keys) == 1:
        col = table[keys[0]]
        return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    code: pa.Array | None = None
    for k in keys:
        col = table[k]
        encoded = pc.dictionary_encode(
            col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        )
        idx = pc.cast(encoded.indices, pa.int64())
        code = idx if code is None else pc.add(pc.multiply(code, len(encoded.dictionary)), idx)
    assert code is not None
    return code


def latest(
    table: pa.Table, keys: Sequence[str], order: Sequence[str], *, check_unique: bool = True
) -> pa.Table:
    """The last row per ``keys`` when rows are ordered by ``order`` (vectorized).

    Rows whose key occurs once are kept as they are (hashing only); only rows of
    repeated keys are sorted. Row order is not preserved.
    """
    if table.num_rows <= 1:
        return table
    ids = _key_ids(table, keys)
    if not check_unique:
        return _last_per_key(table, ids, order)
    counts = pc.value_counts(ids)
    if len(counts) == table.num_rows:
        return table
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    dup = pc.is_in(ids, value_set=repeated)
    once = table.filter(pc.invert(dup))
    return pa.concat_tables([once, _last_per_key(table.filter(dup), ids.filter(dup), order)])


def _last_per_key(table: pa.Table, ids: pa.Array, order: Sequence[str]) -> pa.Table:
    """Sort by key code then order; keep each key's last row (where the next key differs)."""
    # Sorting integer codes is much cheaper than sorting key strings.
    codes = ids if pa.types.is_integer(ids.type) else pc.dictionary_encode(ids).indices
    # Arrow cannot sort dictionary columns: order by their values.
    ranked = pa.table({"_code": codes, **{c: _plain(table[c]) for c in order}})
    idx = pc.sort_indices(ranked, sort_keys=[(c, "ascending") for c in ranked.column_names])
    codes = codes.take(idx)
    n = len(codes)
    changes = pc.not_equal(codes.slice(0, n - 1), codes.slice(1))
    last = pa.concat_arrays([changes, pa.array([True])])
    return table.take(idx.filter(last))


def _plain(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.cast(col, col.type.value_type) if pa.types.is_dictionary(col.type) else col


def key_mask(table: pa.Table, key: str) -> pa.ChunkedArray:
    """Rows of ``table`` whose ``key`` column equals ``key`` (on dictionary codes when encoded)."""
    col = table["key"]
    if not pa.types.is_dictionary(col.type):
        return pc.equal(col, key)
    # index() is -1 for a key absent from a chunk's dictionary: no code matches it.
    masks = [pc.equal(c.indices, pc.index(c.dictionary, key).as_py()) for c in col.chunks]
    return pa.chunked_array(masks, pa.bool_())


def epoch_ms(value: dt.datetime | None) -> int | None:
    """A stored UTC timestamp as MLflow's epoch milliseconds."""
    return None if value is None else int(value.timestamp() * 1000)


def run_info_from_row(row: Mapping[str, Any]) -> RunInfo:
    """One row of ``system.tracking.runs`` as a :class:`RunInfo`."""
    return RunInfo(
        run_id=row["run_id"],
        experiment_id=row["experiment_id"],
        run_name=row["run_name"] or "",
        status=RunStatus(row["status"]),
        start_time=epoch_ms(row["start_time"]) or 0,
        end_time=epoch_ms(row["end_time"]),
        user_id=row["user_id"] or "",
        artifact_uri=row["artifact_uri"],
        lifecycle_stage=row["lifecycle_stage"],
    )
