"""Batch scoring of a Delta table into a date-partitioned Delta table: ``lh.score_table``.

One scoring run: resolve the model URI (or each alias) once, read the input table
at one Delta version (only the asked partition, pruned by Spark), score with the
pinned versions, and replace exactly that partition of the output with
``replaceWhere``; the run is recorded in tracking (model URIs and versions, input
and output tables with their Delta versions, rows, duration). Every check that can
fail (tables, partition, model, alias, columns) runs before anything is written.

The pieces are pure DataFrame functions (``read_input``, ``add_run_columns``,
``output_frame``) that the nightly job (``jobs/batch_score.py``) and the tests call
directly. Example::

    lh.score_table("models:/main.ml.churn@champion", "main.ml.features", "main.ml.scores",
                   partition={"feature_date": "2026-11-28"}, keys=["customer_id"])
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lakehouse import paths
from lakehouse.catalog import namespace
from lakehouse.catalog.names import check_writable, parse_name
from lakehouse.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from lakehouse.registry.uris import ResolvedModelUri, parse_model_uri, resolve_model_uri
from lakehouse.scoring.predict import predict_df
from lakehouse.spark import spark as get_spark
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.entities import Metric, Param

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame
    from pyspark.sql.types import DataType

__all__ = [
    "RUN_COLUMNS",
    "ScoredModel",
    "ScoringResult",
    "ScoringSpec",
    "add_run_columns",
    "output_frame",
    "partition_predicate",
    "read_input",
    "run_scoring",
    "score_table",
    "write_scores",
]

RUN_COLUMNS = ("model_name", "model_version", "scored_at")
DEFAULT_EXPERIMENT = "batch_scoring"
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringSpec:
    """What one scoring run does (the job's YAML maps onto it; ``score_table`` builds one).

    ``partition`` maps partition columns of the input to the values to score (all rows
    when empty); ``aliases`` scores ``model_uri``'s registered model once per alias, each
    into ``<prediction_column>_<alias>`` with ``model_version_<alias>``.
    """

    model_uri: str
    input_table: str
    output_table: str
    partition: Mapping[str, Any] = field(default_factory=dict)
    keys: tuple[str, ...] | None = None
    prediction_column: str = "prediction"
    aliases: tuple[str, ...] = ()
    result_type: str = "double"
    experiment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoredModel:
    """One model version a run scored with, and the column it wrote."""

    column: str
    version_column: str
    uri: str
    name: str | None
    version: int | None
    alias: str | None
    location: str
    resolved: ResolvedModelUri


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringResult:
    """What a scoring run wrote, where, and with which versions."""

    run_id: str
    models: tuple[ScoredModel, ...]
    input_table: str
    input_version: int
    output_table: str
    output_location: str
    output_version: int
    partition: Mapping[str, str]
    rows_in: int
    rows_out: int
    seconds: float
    feature_tables: Mapping[str, int] = field(default_factory=dict)
    """Feature tables looked up (models logged with a training set) and their Delta versions."""


# -- pure DataFrame functions -----------------------------------------------------------
def _typed_value(column: str, value: Any, data_type: DataType) -> Any:
    """``value`` as the Python value of the partition column's type (for pruning literals)."""
    from pyspark.sql.types import DateType, IntegralType, StringType

    try:
        if isinstance(data_type, DateType):
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if isinstance(data_type, IntegralType):
            return int(value)
    except ValueError:
        raise InvalidArgumentError(
            f"partition value {value!r} for column {column!r} is not a "
            f"{data_type.simpleString()} (e.g. 2026-11-28 for a date)"
        ) from None
    if isinstance(data_type, StringType):
        return str(value)
    return value


def partition_predicate(df: DataFrame, partition: Mapping[str, Any]) -> Column | None:
    """``col = value AND ...`` with values typed like the columns (so Spark prunes files)."""
    from pyspark.sql import functions as F

    types = {f.name: f.dataType for f in df.schema.fields}
    missing = [c for c in partition if c not in types]
    if missing:
        raise InvalidArgumentError(
            f"partition column(s) {missing} are not columns of the input; columns present: "
            f"{sorted(types)}"
        )
    predicate: Column | None = None
    for column, value in partition.items():
        typed = F.lit(_typed_value(column, value, types[column])).cast(types[column])
        term = F.col(column) == typed
        predicate = term if predicate is None else predicate & term
    return predicate


def read_input(location: str, version: int, partition: Mapping[str, Any]) -> DataFrame:
    """The input table at ``version``, filtered to ``partition`` (pruned, never scanned whole)."""
    df = (
        get_spark()
        .read.format("delta")
        .option("versionAsOf", version)
        .load(paths.to_local_path(location))
    )
    predicate = partition_predicate(df, partition)
    return df if predicate is None else df.where(predicate)


def add_run_columns(
    df: DataFrame, models: Sequence[ScoredModel], *, scored_at: dt.datetime
) -> DataFrame:
    """``model_name``, ``model_version`` (one per alias when several) and ``scored_at``."""
    from pyspark.sql import functions as F

    name = models[0].name or models[0].uri
    out = df.withColumn("model_name", F.lit(name))
    for model in models:
        out = out.withColumn(model.version_column, F.lit(model.version).cast("int"))
    return out.withColumn("scored_at", F.lit(scored_at).cast("timestamp"))


def output_frame(
    scored: DataFrame,
    *,
    keys: Sequence[str] | None,
    partition_columns: Sequence[str],
    models: Sequence[ScoredModel],
) -> DataFrame:
    """The columns written: keys (all input columns when None), partition, scores, run columns."""
    run_columns = ["model_name", *(m.version_column for m in models), "scored_at"]
    scores = [m.column for m in models]
    if keys is None:
        kept = [c for c in scored.columns if c not in {*scores, *run_columns}]
    else:
        kept = [*keys, *(c for c in partition_columns if c not in keys)]
    return scored.select(*kept, *scores, *run_columns)


# -- checks before any write ------------------------------------------------------------
def _resolve_models(spec: ScoringSpec) -> tuple[ScoredModel, ...]:
    if not spec.aliases:
        resolved = resolve_model_uri(spec.model_uri)
        return (_scored(resolved, spec.prediction_column, "model_version", None),)
    if len(set(spec.aliases)) != len(spec.aliases):
        raise InvalidArgumentError(f"aliases {list(spec.aliases)} name an alias twice")
    name = _model_name(spec.model_uri)
    return tuple(
        _scored(
            resolve_model_uri(f"models:/{name}@{alias}"),
            f"{spec.prediction_column}_{alias}",
            f"model_version_{alias}",
            alias,
        )
        for alias in spec.aliases
    )


def _model_name(model_uri: str) -> str:
    """The registered model a URI or bare name names (for scoring several aliases)."""
    if model_uri.startswith("models:"):
        return parse_model_uri(model_uri).name
    return str(parse_name(model_uri))


def _scored(
    resolved: ResolvedModelUri, column: str, version_column: str, alias: str | None
) -> ScoredModel:
    return ScoredModel(
        column=column,
        version_column=version_column,
        uri=resolved.uri,
        name=resolved.name,
        version=resolved.version,
        alias=alias or resolved.alias,
        location=resolved.location,
        resolved=resolved,
    )


def _check_columns(df: DataFrame, spec: ScoringSpec, models: Sequence[ScoredModel]) -> None:
    present = set(df.columns)
    missing = [k for k in spec.keys or () if k not in present]
    if missing:
        raise InvalidArgumentError(
            f"key column(s) {missing} are not columns of {spec.input_table}; columns present: "
            f"{sorted(present)}"
        )
    written = {*(m.column for m in models), *(m.version_column for m in models), *RUN_COLUMNS}
    clash = sorted(written & present) if spec.keys is None else sorted(written & set(spec.keys))
    if clash:
        raise InvalidArgumentError(
            f"input column(s) {clash} of {spec.input_table} would be overwritten by the "
            "scoring columns; pass keys= without them or another prediction_column"
        )


def _check_partition_has_rows(df: DataFrame, spec: ScoringSpec) -> None:
    if not spec.partition or df.limit(1).count() > 0:
        return
    shown = ", ".join(f"{k}={v}" for k, v in spec.partition.items())
    raise NotFoundError(
        f"partition {shown} of {spec.input_table} has no rows; nothing to score. Check the "
        f"date, or list the partitions with SELECT DISTINCT {', '.join(spec.partition)} "
        f"FROM {spec.input_table}"
    )


def _check_output(spec: ScoringSpec, frame: DataFrame, partition_columns: Sequence[str]) -> bool:
    """True when the output table exists; an error when its columns or partitioning differ."""
    full = parse_name(spec.output_table)
    check_writable(full.catalog, f"write scores into {full}")
    if str(full) == str(parse_name(spec.input_table)):
        raise InvalidArgumentError(f"the output table {full} is the input table; pick another")
    try:
        existing = namespace.describe_table(str(full))
    except NotFoundError:
        namespace.list_tables(full.schema_name)  # the schema must exist: its own clear error
        return False
    want = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
    have = [(c.name, c.type) for c in existing.columns]
    if [n for n, _ in want] != [n for n, _ in have] or (
        tuple(existing.partition_columns) != tuple(partition_columns)
    ):
        raise InvalidArgumentError(
            f"output table {full} has columns {[n for n, _ in have]} partitioned by "
            f"{list(existing.partition_columns)}, but this run writes {[n for n, _ in want]} "
            f"partitioned by {list(partition_columns)}; write to a new table or drop it first"
        )
    return True


# -- the write --------------------------------------------------------------------------
def _sql_literal(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _replace_where(partition: Mapping[str, Any], frame: DataFrame) -> str:
    """The SQL predicate of the partition, for Delta's ``replaceWhere``."""
    types = {f.name: f.dataType for f in frame.schema.fields}
    return " AND ".join(
        f"`{column}` = {_sql_literal(_typed_value(column, value, types[column]))}"
        for column, value in partition.items()
    )


def _write(
    frame: DataFrame,
    spec: ScoringSpec,
    partition_columns: Sequence[str],
    *,
    exists: bool,
    marker: str,
) -> tuple[str, int, int]:
    """Replace the scored partition(s); returns the location, its Delta version and rows."""
    full = parse_name(spec.output_table)
    if not exists:
        # "ignore": another run may have made it meanwhile; replaceWhere still only
        # touches this run's partition.
        namespace.create_table(
            str(full),
            frame.schema,
            partition_by=partition_columns,
            comment=f"Scores written by lakehouse batch scoring from {spec.input_table}.",
            mode="ignore",
        )
    location = namespace.describe_table(str(full)).location
    writer = frame.write.format("delta").mode("overwrite").option("userMetadata", marker)
    if spec.partition:
        writer = writer.option("replaceWhere", _replace_where(spec.partition, frame))
    elif partition_columns:
        writer = writer.option("partitionOverwriteMode", "dynamic")
    writer.save(paths.to_local_path(location))
    version, rows = _commit_of(location, marker)
    return location, version, rows


def write_scores(frame: DataFrame, spec: ScoringSpec, *, marker: str) -> tuple[str, int, int]:
    """Write ``frame`` as a scoring run does: replace exactly ``spec.partition`` of the output.

    For callers that score with their own function (the feature store's
    ``score_batch``) and keep this module's output rules: the table is made when absent,
    partitioned by the partition's columns, and refused when its columns or
    partitioning differ. ``marker`` tags the commit (its ``userMetadata``). Returns the
    output's location, the commit's Delta version and the rows written.
    """
    partition_columns = list(spec.partition)
    exists = _check_output(spec, frame, partition_columns)
    return _write(frame, spec, partition_columns, exists=exists, marker=marker)


def _commit_of(location: str, marker: str) -> tuple[int, int]:
    """Version and written rows of this run's commit (found by its userMetadata marker)."""
    from delta.tables import DeltaTable

    history = DeltaTable.forPath(get_spark(), paths.to_local_path(location)).history(20)
    for row in history.select("version", "userMetadata", "operationMetrics").collect():
        if row["userMetadata"] == marker:
            metrics = row["operationMetrics"] or {}
            return int(row["version"]), int(metrics.get("numOutputRows", 0))
    raise NotFoundError(f"the scoring commit {marker} is not in the history of {location}")


# -- one run ----------------------------------------------------------------------------
def _score(
    df: DataFrame, models: Sequence[ScoredModel], result_type: str
) -> tuple[DataFrame, dict[str, int]]:
    """``df`` plus one score column per model; the feature tables looked up, with versions.

    A model logged with a training set scores through the feature store's path (its
    features looked up on the driver's plan, point in time on the spine's timestamp
    column, then the inner model); its feature columns are not kept. Models whose
    lookups are the same (a champion and a challenger trained on one feature set)
    share one lookup. Other models score with the plain UDF. Each checks its input
    columns on the driver, no task runs.
    """
    # scoring and features are sibling layers that import each other: import lazily.
    from lakehouse.features.model import FeaturePlan, has_feature_spec, plan_features

    scored = df
    groups: dict[str, list[tuple[ScoredModel, FeaturePlan]]] = {}
    for m in models:
        if m.column in scored.columns:
            raise InvalidArgumentError(
                f"the input already has a column {m.column!r}; choose another prediction_column"
            )
        if has_feature_spec(m.resolved):
            plan = plan_features(m.resolved, df)
            groups.setdefault(plan.key, []).append((m, plan))
        else:
            scored = predict_df(
                scored, m.resolved, prediction_column=m.column, result_type=result_type
            )
    feature_tables: dict[str, int] = {}
    for members in groups.values():
        scored = _score_with_features(scored, members, result_type)
        feature_tables.update(members[0][1].versions)
    kept = [m.column for m in models]  # the input's columns, then the scores in model order
    return scored.select(*[f"`{c}`" for c in df.columns], *kept), feature_tables


def _score_with_features(
    scored: DataFrame, members: Sequence[tuple[ScoredModel, Any]], result_type: str
) -> DataFrame:
    """One lookup for ``members`` (their plans are equal), each model's score on it."""
    from lakehouse.features.model import lookup_features, score_looked_up

    built = lookup_features(members[0][1], scored)
    for m, plan in members:
        built = score_looked_up(plan, built, prediction_column=m.column, result_type=result_type)
    return built.select(*[f"`{c}`" for c in scored.columns], *[m.column for m, _ in members])


def _experiment_id(client: TrackingClient, spec: ScoringSpec) -> str:
    # Default: beside the output table, so the scores and their runs share a schema.
    name = spec.experiment or f"{parse_name(spec.output_table).schema_name}.{DEFAULT_EXPERIMENT}"
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    try:
        return client.create_experiment(name)
    except AlreadyExistsError:  # another job made it first
        made = client.get_experiment_by_name(name)
        assert made is not None
        return made.experiment_id


def _log_run(client: TrackingClient, spec: ScoringSpec, result: ScoringResult) -> None:
    params: dict[str, Any] = {
        "input_table": result.input_table,
        "input_version": result.input_version,
        "output_table": result.output_table,
        "output_version": result.output_version,
        "partition": ",".join(f"{k}={v}" for k, v in result.partition.items()) or "(all)",
        "model_name": result.models[0].name or "",
    }
    for m in result.models:
        suffix = f"_{m.alias}" if spec.aliases else ""
        params[f"model_uri{suffix}"] = m.uri
        params[f"model_version{suffix}"] = m.version if m.version is not None else ""
    metrics = {
        "rows_in": result.rows_in,
        "rows_out": result.rows_out,
        "duration_seconds": result.seconds,
    }
    now = int(time.time() * 1000)
    client.log_batch(
        result.run_id,
        metrics=[Metric(key=k, value=float(v), timestamp=now) for k, v in metrics.items()],
        params=[Param(key=k, value=str(v)) for k, v in params.items()],
    )
    client.log_input(result.run_id, result.input_table, result.input_version)
    for table, version in result.feature_tables.items():
        client.log_input(result.run_id, table, version)


def run_scoring(spec: ScoringSpec, *, progress: Progress | None = None) -> ScoringResult:
    """Check everything, score, replace the output partition, record the run; see module doc."""
    say = progress or (lambda _: None)
    started = time.perf_counter()
    scored_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    say("resolving the model")
    models = _resolve_models(spec)
    source = namespace.describe_table(spec.input_table)
    say(f"reading {source.full_name} at version {source.version}")
    df = read_input(source.location, source.version, spec.partition)
    _check_columns(df, spec, models)
    # Before scoring: a feature-store model's lookups read the spine's time range.
    _check_partition_has_rows(df, spec)
    scored, feature_tables = _score(df, models, spec.result_type)
    partition_columns = list(spec.partition) or list(source.partition_columns)
    frame = output_frame(
        add_run_columns(scored, models, scored_at=scored_at),
        keys=spec.keys,
        partition_columns=partition_columns,
        models=models,
    )
    exists = _check_output(spec, frame, partition_columns)
    client = TrackingClient()
    run = client.create_run(
        _experiment_id(client, spec),
        run_name=f"score {spec.output_table}",
        tags={"lakehouse.job": "batch_score"},
    )
    run_id = run.info.run_id
    try:
        say(f"counting rows of {source.full_name}")
        rows_in = df.count()
        say(f"scoring {rows_in:,} rows into {spec.output_table}")
        location, version, rows_out = _write(
            frame, spec, partition_columns, exists=exists, marker=f"lakehouse-score-{run_id}"
        )
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        client.flush()
        raise
    result = ScoringResult(
        run_id=run_id,
        models=models,
        input_table=source.full_name,
        input_version=source.version,
        output_table=str(parse_name(spec.output_table)),
        output_location=location,
        output_version=version,
        partition={k: str(v) for k, v in spec.partition.items()},
        rows_in=rows_in,
        rows_out=rows_out,
        seconds=time.perf_counter() - started,
        feature_tables=feature_tables,
    )
    _log_run(client, spec, result)
    client.set_terminated(run_id, "FINISHED")
    client.flush()
    return result


def score_table(
    model_uri: str,
    input_table: str,
    output_table: str,
    *,
    partition: Mapping[str, Any] | None = None,
    keys: Sequence[str] | None = None,
    prediction_column: str = "prediction",
    aliases: Sequence[str] | None = None,
) -> ScoringResult:
    """Score ``input_table`` (or one partition of it) into ``output_table``; record the run.

    The model URI (or each alias of ``aliases``) is resolved once, at the start, and
    that version is written on every row (``model_name``, ``model_version``,
    ``scored_at``). The output is partitioned like the scored partition and a rerun
    replaces exactly that partition. Example::

        result = lh.score_table(
            "models:/main.ml.churn@champion", "main.ml.features", "main.ml.scores",
            partition={"feature_date": "2026-11-28"}, keys=["customer_id"])
        result.output_version, result.models[0].version

    With ``aliases=["champion", "challenger"]`` (and ``model_uri`` naming the model),
    the input is read once and scored into ``prediction_champion`` and
    ``prediction_challenger``, with ``model_version_champion`` and ``model_version_challenger``.
    """
    return run_scoring(
        ScoringSpec(
            model_uri=model_uri,
            input_table=input_table,
            output_table=output_table,
            partition=dict(partition or {}),
            keys=None if keys is None else tuple(keys),
            prediction_column=prediction_column,
            aliases=tuple(aliases or ()),
        )
    )
