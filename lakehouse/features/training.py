"""Training sets: a spine DataFrame joined, point in time, to pinned feature tables.

``create_training_set`` checks every lookup against the feature tables as they are
now and pins each table's Delta version; ``TrainingSet.load_df()`` builds a lazy
Spark DataFrame over those versions, so it returns the same rows after later
writes. The same :func:`build_features` serves ``score_batch``, so training and
scoring look features up one way.

Example::

    ts = create_training_set(df=labels, label="churned", exclude_columns=["customer_id"],
                             feature_lookups=[FeatureLookup(
                                 table_name="main.ml.customer_features",
                                 lookup_key="customer_id", timestamp_lookup_key="label_time")])
    pdf = ts.load_df().toPandas()
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lakehouse import paths
from lakehouse.catalog import namespace
from lakehouse.errors import InvalidArgumentError
from lakehouse.features.entities import (
    FeatureFunction,
    FeatureLookup,
    FeatureSpec,
    FeatureTable,
    FunctionSpec,
    LookupSpec,
)
from lakehouse.features.functions import apply_functions, check_bindings
from lakehouse.features.pit import join_lookups
from lakehouse.features.tables import get_table
from lakehouse.spark import spark as get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = [
    "TrainingSet",
    "build_features",
    "create_training_set",
    "lookups_for_scoring",
    "resolve_lookup",
]


def _check_df_columns(what: str, wanted: Iterable[str], columns: Sequence[str]) -> None:
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise InvalidArgumentError(
            f"{what}: column(s) {missing} are not in the DataFrame; columns present: "
            f"{list(columns)}"
        )


def resolve_lookup(
    lookup: FeatureLookup, columns: Sequence[str], table: FeatureTable | None = None
) -> LookupSpec:
    """Check ``lookup`` against its table and the DataFrame; pin the table's version."""
    table = table or get_table(name=lookup.table_name)
    what = f"FeatureLookup({table.name!r})"
    table_keys = tuple(k for k in table.primary_keys if k != table.timeseries_column)
    if len(lookup.lookup_keys) != len(table_keys):
        raise InvalidArgumentError(
            f"{what}: lookup_key {list(lookup.lookup_keys)} must name one DataFrame column "
            f"per primary key {list(table_keys)} (timeseries key left out), in that order"
        )
    _check_df_columns(what + ".lookup_key", lookup.lookup_keys, columns)
    if lookup.timestamp_lookup_key is not None:
        if table.timeseries_column is None:
            raise InvalidArgumentError(
                f"{what}: timestamp_lookup_key {lookup.timestamp_lookup_key!r} needs a table "
                "with a timeseries_column; this table has none (drop the timestamp key)"
            )
        _check_df_columns(what + ".timestamp_lookup_key", [lookup.timestamp_lookup_key], columns)
    available = [f for f in table.features if f != table.timeseries_column]
    features = lookup.requested_features or tuple(available)
    unknown = [f for f in features if f not in available]
    if unknown:
        raise InvalidArgumentError(
            f"{what}: feature(s) {unknown} are not features of the table; features: {available}"
        )
    renames = dict(lookup.rename_outputs or {})
    bad_renames = [f for f in renames if f not in features]
    if bad_renames:
        raise InvalidArgumentError(
            f"{what}: rename_outputs names {bad_renames}, which this lookup does not return; "
            f"it returns {list(features)}"
        )
    # A feature already in the DataFrame is not looked up (the DataFrame's value wins).
    pairs = [(f, renames.get(f, f)) for f in features if renames.get(f, f) not in columns]
    outputs = tuple(o for _, o in pairs)
    defaults = dict(lookup.default_values or {})
    unknown_defaults = [d for d in defaults if d not in {renames.get(f, f) for f in features}]
    if unknown_defaults:
        raise InvalidArgumentError(
            f"{what}: default_values keys {unknown_defaults} are not output names of this "
            f"lookup (keys are names after rename_outputs): {[renames.get(f, f) for f in features]}"
        )
    window = lookup.lookback_window
    return LookupSpec(
        table_name=table.name,
        version=table.version,
        lookup_keys=lookup.lookup_keys,
        table_keys=table_keys,
        timeseries_column=table.timeseries_column,
        timestamp_lookup_key=lookup.timestamp_lookup_key,
        features=tuple(f for f, _ in pairs),
        outputs=outputs,
        lookback_seconds=None if window is None else window.total_seconds(),
        defaults={k: v for k, v in defaults.items() if k in outputs},
    )


def _read_version(spec: LookupSpec) -> DataFrame:
    # The managed location follows from the name (no metadata read: the version is pinned).
    location = paths.to_local_path(namespace.table_location(spec.table_name))
    reader = get_spark().read.format("delta").option("versionAsOf", spec.version)
    return reader.load(location)


def _time_bounds(df: DataFrame, column: str) -> tuple[Any, Any]:
    from pyspark.sql import functions as F

    row = df.agg(F.min(column).alias("lo"), F.max(column).alias("hi")).first()
    return (row["lo"], row["hi"]) if row is not None else (None, None)


def _pruned(
    features: DataFrame, spine: DataFrame, spec: LookupSpec, bounds: dict[str, tuple[Any, Any]]
) -> DataFrame:
    """Feature rows that can match: not after the newest spine time, not before the lookback.

    Plain comparisons on the timeseries column, so Delta skips files by their
    min/max statistics and partitions on that column are pruned.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    key, column = spec.timestamp_lookup_key, spec.timeseries_column
    if key is None or column is None:
        return features
    if not isinstance(features.schema[column].dataType, TimestampType):
        return features
    if not isinstance(spine.schema[key].dataType, TimestampType):
        return features
    if key not in bounds:
        bounds[key] = _time_bounds(spine, key)
    low, high = bounds[key]
    if high is None:  # no spine row has a time: nothing can match
        return features.where(F.lit(False))
    kept = features.where(F.col(column) <= F.lit(high))
    if spec.lookback_seconds is not None and low is not None:
        earliest = low - dt.timedelta(seconds=spec.lookback_seconds)
        kept = kept.where(F.col(column) >= F.lit(earliest))
    return kept


def build_features(
    df: DataFrame,
    lookups: Sequence[LookupSpec],
    functions: Sequence[FunctionSpec],
    *,
    bucket_seconds: int | None = None,
) -> DataFrame:
    """``df`` with every lookup's outputs (each table at its pinned version), then functions.

    Point-in-time lookups first read the spine's time range (one small aggregate per
    timestamp column) to prune feature rows that no spine row can match.
    """
    bounds: dict[str, tuple[Any, Any]] = {}
    items = [(_pruned(_read_version(spec), df, spec, bounds), spec) for spec in lookups]
    out = join_lookups(df, items, bucket_seconds=bucket_seconds)
    return apply_functions(out, functions)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingSet:
    """A spine, its lookups pinned to Delta versions, and the label: ``load_df()`` builds it."""

    df: DataFrame
    feature_spec: FeatureSpec
    label: str | None
    exclude_columns: tuple[str, ...] = ()
    bucket_seconds: int | None = None

    def load_df(self) -> DataFrame:
        """The training DataFrame (lazy): the spine's rows, features, label; exclusions dropped."""
        spec = self.feature_spec
        built = build_features(
            self.df, spec.lookups, spec.functions, bucket_seconds=self.bucket_seconds
        )
        return built.drop(*self.exclude_columns)

    @property
    def table_versions(self) -> dict[str, int]:
        """Each feature table and the Delta version this set reads."""
        return self.feature_spec.table_versions


def _split(
    feature_lookups: Sequence[FeatureLookup | FeatureFunction],
) -> tuple[list[FeatureLookup], list[FeatureFunction]]:
    lookups, functions = [], []
    for item in feature_lookups:
        if isinstance(item, FeatureLookup):
            lookups.append(item)
        elif isinstance(item, FeatureFunction):
            functions.append(item)
        else:
            raise InvalidArgumentError(
                "feature_lookups holds FeatureLookup and FeatureFunction objects; got "
                f"{type(item).__name__}"
            )
    return lookups, functions


def _resolve_all(
    df: DataFrame, lookups: Sequence[FeatureLookup], functions: Sequence[FeatureFunction]
) -> tuple[list[LookupSpec], list[FunctionSpec], list[str]]:
    columns = list(df.columns)
    specs: list[LookupSpec] = []
    for lookup in lookups:
        spec = resolve_lookup(lookup, df.columns)
        clash = [o for o in spec.outputs if o in columns]
        if clash:
            raise InvalidArgumentError(
                f"FeatureLookup({spec.table_name!r}): output(s) {clash} are also returned by "
                "an earlier lookup; give one of them rename_outputs"
            )
        specs.append(spec)
        columns.extend(spec.outputs)
    fn_specs = []
    for fn in functions:
        spec_fn = FunctionSpec(
            udf_name=fn.udf_name, input_bindings=dict(fn.input_bindings), output_name=fn.output
        )
        check_bindings(spec_fn, columns)
        if spec_fn.output_name in columns:
            raise InvalidArgumentError(
                f"FeatureFunction({fn.udf_name!r}): output_name {spec_fn.output_name!r} is "
                "already a column; choose another output_name"
            )
        fn_specs.append(spec_fn)
        columns.append(spec_fn.output_name)
    return specs, fn_specs, columns


def create_training_set(
    *,
    df: DataFrame,
    feature_lookups: Sequence[FeatureLookup | FeatureFunction],
    label: str | Sequence[str] | None,
    exclude_columns: Sequence[str] | None = None,
    bucket_seconds: int | None = None,
) -> TrainingSet:
    """A training set over ``df`` (the spine: keys, times, labels) and the lookups.

    Checks every lookup and function now and pins each table's current Delta version.
    ``bucket_seconds`` splits each key's point-in-time sort into time ranges of that
    length, for tables where a few keys hold very long histories.
    """
    if isinstance(label, str):
        labels: tuple[str, ...] = (label,)
    else:
        labels = tuple(label or ())
    _check_df_columns("create_training_set label", labels, df.columns)
    exclude = tuple(exclude_columns or ())
    lookups, functions = _split(feature_lookups)
    specs, fn_specs, columns = _resolve_all(df, lookups, functions)
    excluded_unknown = [c for c in exclude if c not in columns]
    if excluded_unknown:
        raise InvalidArgumentError(
            f"create_training_set: exclude_columns {excluded_unknown} are not columns of the "
            f"training set; columns: {columns}"
        )
    feature_columns = tuple(c for c in columns if c not in exclude and c not in labels)
    needed: list[str] = []
    for spec in specs:
        needed.extend(spec.lookup_keys)
        if spec.timestamp_lookup_key:
            needed.append(spec.timestamp_lookup_key)
    needed.extend(c for fn in fn_specs for c in fn.input_bindings.values() if c in df.columns)
    spine_inputs = [c for c in df.columns if c in needed or c in feature_columns]
    feature_spec = FeatureSpec(
        lookups=tuple(specs),
        functions=tuple(fn_specs),
        input_columns=tuple(c for c in spine_inputs if c not in labels),
        feature_columns=feature_columns,
        label=labels[0] if len(labels) == 1 else None,
    )
    return TrainingSet(
        df=df,
        feature_spec=feature_spec,
        label=labels[0] if len(labels) == 1 else None,
        exclude_columns=exclude,
        bucket_seconds=bucket_seconds,
    )


def lookups_for_scoring(spec: FeatureSpec, columns: Sequence[str]) -> list[LookupSpec]:
    """The model's lookups against the tables' newest versions.

    Point-in-time when the scoring DataFrame has the lookup's timestamp column,
    otherwise the newest row per key.
    """
    out = []
    for lookup in spec.lookups:
        table = get_table(name=lookup.table_name)
        changes: dict[str, Any] = {"version": table.version}
        if lookup.timestamp_lookup_key and lookup.timestamp_lookup_key not in columns:
            changes["timestamp_lookup_key"] = None
        out.append(_replace(lookup, **changes))
    return out


def _replace(spec: LookupSpec, **changes: Any) -> LookupSpec:
    return dataclasses.replace(spec, **changes)
