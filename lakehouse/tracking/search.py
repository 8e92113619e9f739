"""``search_runs``: a parsed filter evaluated with pyarrow compute over system.tracking.*.

Plan: take the current run states (cached per table version, see
:mod:`~lakehouse.tracking.snapshots`); line up with them only the metric, param
and tag keys the filter and ``order_by`` name (latest metrics come from
``latest_metrics``, never from the full history; the aligned arrays are cached
too, so a repeated search joins nothing); keep the runs of the experiments and
view asked for; evaluate the AST as Arrow masks; sort; slice; then fetch every
param, latest metric and tag of the runs kept, and shape them like MLflow
(pandas, ``Run`` objects or a Spark DataFrame).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.config import Config
from lakehouse.errors import InvalidArgumentError
from lakehouse.tracking import snapshots
from lakehouse.tracking.entities import (
    Experiment,
    Run,
    RunData,
    RunInputs,
    ViewType,
)
from lakehouse.tracking.filters import (
    And,
    Comparison,
    Node,
    OrderKey,
    parse_filter,
    parse_order_by,
    referenced,
)
from lakehouse.tracking.tables import dataset_inputs_of, run_info_from_row

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ExperimentRuns",
    "SearchResult",
    "count_runs",
    "filter_experiments",
    "run_keys",
    "runs_by_experiment",
    "search",
]

_TABLE_OF = {"metrics": "latest_metrics", "params": "params", "tags": "tags"}
_RUN_COLUMNS = ["run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Runs kept by a search, in order, with their params, latest metrics and tags."""

    runs: pa.Table
    params: pa.Table
    metrics: pa.Table
    tags: pa.Table
    datasets: pa.Table | None = None
    """``dataset_inputs`` rows of the runs kept (``Run.inputs``)."""

    def to_pandas(self) -> pd.DataFrame:
        import pandas as pd  # imported here: keeps `import lakehouse` fast

        columns: dict[str, Any] = {c: self.runs[c] for c in _RUN_COLUMNS}
        ids = self.runs["run_id"].combine_chunks()
        for prefix, table in (
            ("metrics", self.metrics),
            ("params", self.params),
            ("tags", self.tags),
        ):
            columns.update(_wide(prefix, table, ids))
        # Missing metrics are NaN, missing params and tags None (as MLflow's frame).
        out = pa.table(columns).to_pandas()
        for col in ("start_time", "end_time"):
            out[col] = pd.to_datetime(out[col], utc=True).astype("datetime64[ns, UTC]")
        return out

    def to_runs(self) -> list[Run]:
        def grouped(table: pa.Table) -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            for r in table.select(["run_id", "key", "value"]).to_pylist():
                out.setdefault(r["run_id"], {})[r["key"]] = r["value"]
            return out

        params, metrics, tags = grouped(self.params), grouped(self.metrics), grouped(self.tags)
        inputs = dataset_inputs_of(self.datasets) if self.datasets is not None else {}
        runs = []
        for row in self.runs.to_pylist():
            info = run_info_from_row(row)
            rid = info.run_id
            data = RunData(
                params=params.get(rid, {}), metrics=metrics.get(rid, {}), tags=tags.get(rid, {})
            )
            used = RunInputs(dataset_inputs=tuple(inputs.get(rid, ())))
            runs.append(Run(info=info, data=data, inputs=used))
        return runs

    def to_spark(self) -> Any:
        """A Spark DataFrame with the pandas output's columns (pyspark imported lazily)."""
        from lakehouse.spark import spark

        frame = self.to_pandas()
        session = spark()
        if frame.empty:
            from pyspark.sql.types import StringType, StructField, StructType

            schema = StructType([StructField(c, StringType()) for c in frame.columns])
            return session.createDataFrame([], schema)
        return session.createDataFrame(frame)


def _match(rows: pa.Table, run_ids: pa.Array | pa.ChunkedArray) -> tuple[Any, Any]:
    """Rows whose ``run_id`` is in ``run_ids``: (their row numbers, their positions there).

    A multi-threaded hash join: several times faster than ``index_in`` with a
    value set of a million run ids. Pairs come in no particular order.
    """
    import numpy as np  # imported here: keeps `import lakehouse` fast

    left = pa.table({"run_id": rows["run_id"], "_i": np.arange(rows.num_rows, dtype=np.int64)})
    right = pa.table({"run_id": run_ids, "_p": np.arange(len(run_ids), dtype=np.int64)})
    pairs = left.join(right, "run_id", use_threads=True)
    return pairs["_i"].to_numpy(), pairs["_p"].to_numpy()


def _spread(values: pa.Array, index: Any, where: Any, length: int) -> pa.Array:
    """An array of ``length`` holding ``values[index[i]]`` at ``where[i]``, null elsewhere."""
    import numpy as np  # imported here: keeps `import lakehouse` fast

    inverse = np.full(length, -1, np.int64)
    inverse[where] = index
    return values.take(pa.array(inverse, mask=inverse < 0))


def _wide(prefix: str, rows: pa.Table, run_ids: pa.Array) -> dict[str, pa.Array]:
    """Pivot (run_id, key, value) rows into one column per key, aligned with ``run_ids``.

    Vectorized: each row's position in ``run_ids`` is found once (:func:`_match`);
    a key's column is its values taken through the inverse of those positions
    (null where absent). Columns come in key order.
    """
    import numpy as np  # imported here: keeps `import lakehouse` fast

    if rows.num_rows == 0 or len(run_ids) == 0:
        return {}
    index, where = _match(rows, run_ids)
    keys = rows["key"].combine_chunks()
    if not pa.types.is_dictionary(keys.type):
        keys = pc.dictionary_encode(keys)
    codes = keys.indices.to_numpy()[index]
    values = rows["value"].combine_chunks()
    names = keys.dictionary.to_pylist()
    out: dict[str, pa.Array] = {}
    for code in sorted(range(len(names)), key=names.__getitem__):
        picked = np.flatnonzero(codes == code)
        if len(picked) == 0:
            continue  # a key only rows of other runs have
        out[f"{prefix}.{names[code]}"] = _spread(values, index[picked], where[picked], len(run_ids))
    return out


def _live_tags(rows: pa.Table) -> pa.Table:
    return rows.filter(pc.invert(pc.fill_null(rows["deleted"], False)))


# Values of one metric/param/tag key aligned with the rows of the current runs table,
# kept while both tables are the cached ones (weak references: never kept alive here).
_aligned_cache: OrderedDict[tuple[str, str, str], tuple[Any, Any, pa.Array]] = OrderedDict()
_aligned_lock = threading.Lock()
_ALIGNED_KEYS = 64


def _aligned(cfg: Config, kind: str, key: str, runs: pa.Table) -> pa.Array:
    """The current value of ``kind.key`` for each row of ``runs`` (null where absent).

    Computed once per version of the two tables; a warm search only takes
    cached arrays.
    """
    rows = snapshots.current_key(cfg, _TABLE_OF[kind], key)
    slot = (cfg.home_uri, kind, key)
    with _aligned_lock:
        hit = _aligned_cache.get(slot)
        if hit is not None and hit[0]() is rows and hit[1]() is runs:
            _aligned_cache.move_to_end(slot)
            return hit[2]
    live = _live_tags(rows) if kind == "tags" else rows
    index, where = _match(live, runs["run_id"])
    values = _spread(live["value"].combine_chunks(), index, where, runs.num_rows)
    with _aligned_lock:
        _aligned_cache[slot] = (weakref.ref(rows), weakref.ref(runs), values)
        while len(_aligned_cache) > _ALIGNED_KEYS:
            _aligned_cache.popitem(last=False)
    return values


def _visible(runs: pa.Table, ids: list[str] | None, view: ViewType) -> pa.ChunkedArray:
    """Rows of ``runs`` in the lifecycle stages of ``view`` and the experiments ``ids``."""
    mask = pc.is_in(runs["lifecycle_stage"], value_set=pa.array(view.stages()))
    if ids is not None:
        mask = pc.and_(mask, pc.is_in(runs["experiment_id"], value_set=pa.array(ids, pa.string())))
    return mask


def _of_runs(cfg: Config, name: str, run_ids: pa.ChunkedArray | None) -> pa.Table:
    """Current rows of ``name`` for ``run_ids`` (every run's when None)."""
    if run_ids is None:
        rows = snapshots.current(cfg, name)
    else:
        rows = snapshots.current_of_runs(cfg, name, run_ids)
    return _live_tags(rows) if name == "tags" else rows


def _attribute(table: pa.Table, key: str) -> pa.ChunkedArray:
    if key not in table.column_names:
        return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])
    col = table[key]
    if pa.types.is_timestamp(col.type):
        # Compare with MLflow's epoch milliseconds.
        return pc.divide(pc.cast(col, pa.int64()), 1000)
    return col


def _compare(col: Any, node: Comparison) -> Any:
    op, value = node.op, node.value
    if op == "IS NULL":
        return pc.is_null(col)
    if op == "IS NOT NULL":
        return pc.is_valid(col)
    if op in ("IN", "NOT IN"):
        items = list(value) if isinstance(value, tuple) else [value]
        typed = pa.array(items, type=col.type if pa.types.is_floating(col.type) else None)
        if pa.types.is_integer(col.type):
            col = pc.cast(col, pa.float64())
            typed = pa.array([float(v) for v in items], pa.float64())  # type: ignore[arg-type]
        hit = pc.is_in(col, value_set=typed)
        hit = pc.if_else(pc.is_null(col), None, hit)
        return pc.invert(hit) if op == "NOT IN" else hit
    if op in ("LIKE", "ILIKE", "NOT LIKE", "NOT ILIKE"):
        hit = pc.match_like(col, value, ignore_case="ILIKE" in op)
        return pc.invert(hit) if op.startswith("NOT") else hit
    fn = {
        "=": pc.equal,
        "!=": pc.not_equal,
        "<": pc.less,
        "<=": pc.less_equal,
        ">": pc.greater,
        ">=": pc.greater_equal,
    }[op]
    return fn(col, value)


def _dataset_column(node: Comparison) -> str:
    """The column holding, per run, whether any of its datasets matches ``node``."""
    return f"datasets:{node!r}"


def _comparisons(node: Node | None) -> list[Comparison]:
    if node is None:
        return []
    if isinstance(node, Comparison):
        return [node]
    return [c for n in node.items for c in _comparisons(n)]


def _dataset_matches(cfg: Config, node: Node | None, runs: pa.Table) -> dict[str, Any]:
    """Per ``datasets.*`` comparison: which runs logged a dataset matching it (as MLflow).

    Each comparison is its own "some dataset of the run matches", so
    ``datasets.name = 'a' AND datasets.context = 'eval'`` may match two datasets.
    """
    comparisons = [c for c in _comparisons(node) if c.kind == "datasets"]
    if not comparisons:
        return {}
    rows = snapshots.current(cfg, "dataset_inputs")
    out: dict[str, Any] = {}
    for c in comparisons:
        hit = pc.fill_null(_compare(rows[c.key], c), False)
        ids = pc.unique(rows["run_id"].filter(hit).combine_chunks())
        out[_dataset_column(c)] = pc.is_in(runs["run_id"], value_set=ids)
    return out


def evaluate(node: Node | None, table: pa.Table) -> Any:
    """A boolean mask of ``table``'s rows matching ``node`` (nulls do not match)."""
    if node is None:
        return pa.chunked_array([pa.array([True] * table.num_rows, pa.bool_())])
    if isinstance(node, Comparison) and node.kind == "datasets":
        name = _dataset_column(node)
        if name in table.column_names:
            return table[name]
        return pa.chunked_array([pa.array([False] * table.num_rows, pa.bool_())])
    if isinstance(node, Comparison):
        name = f"{node.kind}.{node.key}"
        col = table[name] if name in table.column_names else pa.nulls(table.num_rows, pa.string())
        if pa.types.is_null(col.type):
            numeric = isinstance(node.value, float) or (
                isinstance(node.value, tuple) and node.value and isinstance(node.value[0], float)
            )
            col = pc.cast(col, pa.float64() if numeric else pa.string())
        return _compare(col, node)
    masks = [evaluate(n, table) for n in node.items]
    combine = pc.and_kleene if isinstance(node, And) else pc.or_kleene
    out = masks[0]
    for m in masks[1:]:
        out = combine(out, m)
    return out


def _sort_key(o: OrderKey) -> tuple[str, str, str]:
    return (f"{o.kind}.{o.key}", "ascending" if o.ascending else "descending", "at_end")


def _sorted(table: pa.Table, order: list[OrderKey]) -> pa.Table:
    keys = [_sort_key(o) for o in order]
    keys += [("attributes.start_time", "descending", "at_end"), ("run_id", "ascending", "at_end")]
    idx = pc.sort_indices(table, sort_keys=keys)
    return table.take(idx)


def _matching(
    cfg: Config,
    experiment_ids: list[str] | None,
    node: Node | None,
    order: list[OrderKey],
    view: ViewType,
) -> tuple[pa.Table, pa.Table]:
    """The current runs, and the rows (``_row`` into them) a filter keeps, unsorted."""
    import numpy as np  # imported here: keeps `import lakehouse` fast

    wanted = referenced(node) | {(o.kind, o.key) for o in order}
    wanted.add(("attributes", "start_time"))
    runs = snapshots.current(cfg, "runs")
    columns: dict[str, Any] = {"_row": pa.array(np.arange(runs.num_rows, dtype=np.int64))}
    for kind, key in sorted(wanted):
        name = f"{kind}.{key}"
        if kind == "datasets":
            continue  # matched per comparison below
        if kind == "attributes":
            columns[name] = _attribute(runs, key)
        else:
            columns[name] = _aligned(cfg, kind, key, runs)
    columns.update(_dataset_matches(cfg, node, runs))
    columns["run_id"] = runs["run_id"]
    table = pa.table(columns).filter(_visible(runs, experiment_ids, view))
    return runs, table.filter(pc.fill_null(evaluate(node, table), False))


def search(
    cfg: Config,
    experiment_ids: list[str] | None,
    filter_string: str,
    view: ViewType,
    max_results: int,
    order_by: Sequence[str],
    offset: int = 0,
) -> SearchResult:
    """Evaluate a search; see :func:`lakehouse.search_runs` for the arguments."""
    order = parse_order_by(list(order_by))
    runs, table = _matching(cfg, experiment_ids, parse_filter(filter_string), order, view)
    table = _sorted(table, order).slice(offset, max_results)
    kept = runs.take(table["_row"])
    everything = kept.num_rows == runs.num_rows
    ids = None if everything else kept["run_id"]
    return SearchResult(
        kept,
        params=_of_runs(cfg, "params", ids),
        metrics=_of_runs(cfg, "latest_metrics", ids),
        tags=_of_runs(cfg, "tags", ids),
        datasets=_of_runs(cfg, "dataset_inputs", ids),
    )


def count_runs(
    cfg: Config,
    experiment_ids: list[str] | None,
    filter_string: str = "",
    view: ViewType = ViewType.ACTIVE_ONLY,
) -> int:
    """How many runs a search with this filter matches (nothing sorted or fetched).

    Example::

        count_runs(cfg, ["1"], "metrics.auc > 0.8")   # pages of a runs table
    """
    return _matching(cfg, experiment_ids, parse_filter(filter_string), [], view)[1].num_rows


@dataclass(frozen=True, slots=True)
class ExperimentRuns:
    """An experiment's runs at a glance: how many, and when the newest one moved."""

    count: int
    last_time: int | None
    """The latest start or end time of its runs, epoch milliseconds."""


def runs_by_experiment(
    cfg: Config, view: ViewType = ViewType.ACTIVE_ONLY
) -> dict[str, ExperimentRuns]:
    """Run counts and last activity per experiment id, from the cached run states.

    One grouping over the current ``runs`` table: no search per experiment.
    """
    runs = snapshots.current(cfg, "runs")
    runs = runs.filter(_visible(runs, None, view))
    if runs.num_rows == 0:
        return {}
    start, end = (pc.cast(runs[c], pa.int64()) for c in ("start_time", "end_time"))
    latest = pc.max_element_wise(start, end, skip_nulls=True)
    grouped = (
        pa.table({"experiment_id": runs["experiment_id"], "t": latest})
        .group_by("experiment_id")
        .aggregate([("t", "count", pc.CountOptions(mode="all")), ("t", "max")])
    )
    return {
        row["experiment_id"]: ExperimentRuns(
            count=row["t_count"],
            last_time=None if row["t_max"] is None else row["t_max"] // 1000,
        )
        for row in grouped.to_pylist()
    }


def run_keys(
    cfg: Config, experiment_ids: list[str] | None, view: ViewType = ViewType.ACTIVE_ONLY
) -> dict[str, list[str]]:
    """Every param, metric and tag key the experiments' runs have, sorted, by kind.

    Example::

        run_keys(cfg, ["1"])   # {"params": [...], "metrics": [...], "tags": [...]}
    """
    runs = snapshots.current(cfg, "runs")
    visible = runs.filter(_visible(runs, experiment_ids, view))
    ids = None if visible.num_rows == runs.num_rows else visible["run_id"]
    return {
        kind: snapshots.keys(cfg, _TABLE_OF[kind], ids) for kind in ("params", "metrics", "tags")
    }


def filter_experiments(
    exps: list[Experiment],
    filter_string: str | None,
    order_by: Sequence[str] | None,
    max_results: int | None,
) -> list[Experiment]:
    """``search_experiments``: the same grammar over ``attributes.name`` and ``tags.*``."""
    node = parse_filter(filter_string)
    if any(kind == "datasets" for kind, _ in referenced(node)):
        raise InvalidArgumentError(
            f"invalid experiment filter {filter_string!r}: datasets.* describe runs; filter "
            "experiments on name, tags.<key> and times, and runs with lh.search_runs"
        )
    rows: dict[str, list[Any]] = {
        "attributes.name": [e.name for e in exps],
        "attributes.experiment_id": [e.experiment_id for e in exps],
        "attributes.creation_time": [e.creation_time for e in exps],
        "attributes.last_update_time": [e.last_update_time for e in exps],
    }
    for kind, key in referenced(node) | {
        (o.kind, o.key) for o in parse_order_by(list(order_by or []))
    }:
        if kind == "tags":
            rows[f"tags.{key}"] = [e.tags.get(key) for e in exps]
    table = pa.table(rows) if exps else pa.table({k: pa.array([], pa.string()) for k in rows})
    table = table.append_column("idx", pa.array(range(len(exps)), pa.int64()))
    table = table.filter(pc.fill_null(evaluate(node, table), False))
    order = parse_order_by(list(order_by or []))
    keys = [_sort_key(o) for o in order]
    keys += [
        ("attributes.creation_time", "descending", "at_end"),
        ("attributes.experiment_id", "ascending", "at_end"),
    ]
    table = table.take(pc.sort_indices(table, sort_keys=keys))
    picked = [exps[i] for i in table["idx"].to_pylist()]
    return picked[:max_results] if max_results else picked
