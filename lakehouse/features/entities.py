"""The records of the feature store: lookups, on-demand functions, tables, the feature spec.

``FeatureLookup`` and ``FeatureFunction`` take Databricks' parameter names, so code
written for ``databricks.feature_engineering`` runs with a changed import.
``FeatureSpec`` is what a model logged with a training set carries: the tables, keys,
features, renames, functions and the Delta versions it was trained on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "FeatureFunction",
    "FeatureLookup",
    "FeatureSpec",
    "FeatureTable",
    "LookupSpec",
    "FunctionSpec",
]


def _names(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    names = tuple(value)
    if not all(isinstance(n, str) and n for n in names):
        raise InvalidArgumentError(
            f"{what} must be a column name or a list of names, got {value!r}"
        )
    return names


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureLookup:
    """Features to join from one feature table onto a training or scoring DataFrame.

    ``lookup_key`` names the DataFrame's columns matched, in order, to the table's
    primary keys (the timeseries key left out). With ``timestamp_lookup_key`` the
    lookup is point-in-time: the newest feature row whose time is at or before the
    DataFrame row's time (and within ``lookback_window``). ``default_values`` is keyed
    by the output name (after ``rename_outputs``) and fills rows where no feature row
    qualified.

    Example::

        FeatureLookup(table_name="main.ml.customer_features", lookup_key="customer_id",
                      feature_names=["orders_30d"], timestamp_lookup_key="label_time",
                      rename_outputs={"orders_30d": "orders"}, default_values={"orders": 0})
    """

    table_name: str
    lookup_key: str | Sequence[str]
    feature_names: str | Sequence[str] | None = None
    rename_outputs: Mapping[str, str] | None = None
    timestamp_lookup_key: str | None = None
    lookback_window: dt.timedelta | None = None
    default_values: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.table_name, str) or not self.table_name:
            raise InvalidArgumentError("FeatureLookup needs table_name='catalog.schema.table'")
        if not _names(self.lookup_key, "FeatureLookup.lookup_key"):
            raise InvalidArgumentError(
                f"FeatureLookup({self.table_name!r}) needs lookup_key: the DataFrame column(s) "
                "matched to the table's primary keys"
            )
        _names(self.feature_names, "FeatureLookup.feature_names")
        if self.lookback_window is not None and (
            not isinstance(self.lookback_window, dt.timedelta)
            or self.lookback_window < dt.timedelta(0)
        ):
            raise InvalidArgumentError(
                f"FeatureLookup({self.table_name!r}).lookback_window must be a non-negative "
                f"datetime.timedelta, got {self.lookback_window!r}"
            )
        if self.lookback_window is not None and self.timestamp_lookup_key is None:
            raise InvalidArgumentError(
                f"FeatureLookup({self.table_name!r}) sets lookback_window without "
                "timestamp_lookup_key; a lookback needs the DataFrame's time column"
            )

    @property
    def lookup_keys(self) -> tuple[str, ...]:
        """``lookup_key`` as a tuple."""
        return _names(self.lookup_key, "lookup_key")

    @property
    def requested_features(self) -> tuple[str, ...]:
        """``feature_names`` as a tuple (empty: every feature of the table)."""
        return _names(self.feature_names, "feature_names")


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureFunction:
    """An on-demand feature: a Python function registered in the namespace, applied per row.

    ``input_bindings`` maps the function's parameters to columns (of the DataFrame or
    of looked-up features); the result is the column ``output_name``.

    Example::

        fe.create_function(name="main.ml.ratio", func=lambda a, b: a / b if b else None)
        FeatureFunction(udf_name="main.ml.ratio", output_name="amount_per_order",
                        input_bindings={"a": "amount_30d", "b": "orders_30d"})
    """

    udf_name: str
    input_bindings: Mapping[str, str] = field(default_factory=dict)
    output_name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.udf_name, str) or not self.udf_name:
            raise InvalidArgumentError("FeatureFunction needs udf_name='catalog.schema.function'")

    @property
    def output(self) -> str:
        """The output column: ``output_name``, or the function's own name."""
        return self.output_name or self.udf_name.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureTable:
    """What ``get_table`` reports about a feature table (read from its Delta log)."""

    name: str
    primary_keys: tuple[str, ...]
    timeseries_column: str | None
    features: Mapping[str, str]
    description: str | None
    tags: Mapping[str, str]
    partition_columns: tuple[str, ...]
    version: int
    location: str
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    last_refresh: Mapping[str, Any] | None = None

    @property
    def table_id(self) -> str:
        """The table's full name (Databricks reports an id; the namespace name is ours)."""
        return self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupSpec:
    """One resolved lookup: the table at a pinned version and the columns it yields."""

    table_name: str
    version: int
    lookup_keys: tuple[str, ...]
    table_keys: tuple[str, ...]
    timeseries_column: str | None
    timestamp_lookup_key: str | None
    features: tuple[str, ...]
    outputs: tuple[str, ...]
    lookback_seconds: float | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the model package's ``feature_spec.yaml``."""
        return {
            "table_name": self.table_name,
            "version": self.version,
            "lookup_keys": list(self.lookup_keys),
            "table_keys": list(self.table_keys),
            "timeseries_column": self.timeseries_column,
            "timestamp_lookup_key": self.timestamp_lookup_key,
            "features": list(self.features),
            "outputs": list(self.outputs),
            "lookback_seconds": self.lookback_seconds,
            "defaults": dict(self.defaults),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LookupSpec:
        """The inverse of :meth:`to_dict`."""
        return cls(
            table_name=data["table_name"],
            version=int(data["version"]),
            lookup_keys=tuple(data["lookup_keys"]),
            table_keys=tuple(data["table_keys"]),
            timeseries_column=data.get("timeseries_column"),
            timestamp_lookup_key=data.get("timestamp_lookup_key"),
            features=tuple(data["features"]),
            outputs=tuple(data["outputs"]),
            lookback_seconds=data.get("lookback_seconds"),
            defaults=dict(data.get("defaults") or {}),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionSpec:
    """One on-demand function as a model carries it."""

    udf_name: str
    input_bindings: Mapping[str, str]
    output_name: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``feature_spec.yaml``."""
        return {
            "udf_name": self.udf_name,
            "input_bindings": dict(self.input_bindings),
            "output_name": self.output_name,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FunctionSpec:
        """The inverse of :meth:`to_dict`."""
        return cls(
            udf_name=data["udf_name"],
            input_bindings=dict(data["input_bindings"]),
            output_name=data["output_name"],
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureSpec:
    """Everything a model needs to look its features up again, as at training time.

    ``input_columns`` are the DataFrame columns the model is given (the spine);
    ``feature_columns`` are, in order, the columns the inner model was trained on.
    """

    lookups: tuple[LookupSpec, ...]
    functions: tuple[FunctionSpec, ...]
    input_columns: tuple[str, ...]
    feature_columns: tuple[str, ...]
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``feature_spec.yaml``."""
        return {
            "lookups": [lookup.to_dict() for lookup in self.lookups],
            "functions": [fn.to_dict() for fn in self.functions],
            "input_columns": list(self.input_columns),
            "feature_columns": list(self.feature_columns),
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        """The inverse of :meth:`to_dict`."""
        return cls(
            lookups=tuple(LookupSpec.from_dict(d) for d in data.get("lookups") or ()),
            functions=tuple(FunctionSpec.from_dict(d) for d in data.get("functions") or ()),
            input_columns=tuple(data.get("input_columns") or ()),
            feature_columns=tuple(data.get("feature_columns") or ()),
            label=data.get("label"),
        )

    @property
    def table_versions(self) -> dict[str, int]:
        """Each feature table and the Delta version the spec pins."""
        return {lookup.table_name: lookup.version for lookup in self.lookups}
