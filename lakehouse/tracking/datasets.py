"""Dataset inputs of runs: MLflow's checks on them, and the table lineage they carry.

A :class:`~lakehouse.tracking.entities.DatasetInput` is what ``log_inputs`` stores
(``system.tracking.dataset_inputs``). A dataset whose source is a namespace Delta
table at a version (``source_type`` ``delta_table``, built by ``lh.data.from_spark``
with ``table_name``) is also the lineage ``lh.log_input(table, version)`` records.
"""

from __future__ import annotations

import json
from typing import Any

from lakehouse.catalog.names import parse_name
from lakehouse.errors import InvalidArgumentError, InvalidNameError
from lakehouse.tracking.entities import Dataset, DatasetInput, InputTag

__all__ = ["MAX_DATASETS_PER_CALL", "check_dataset_input", "dataset_table_version"]

# MLflow's limits (mlflow.utils.validation).
MAX_DATASETS_PER_CALL = 1000
_LIMITS = {"name": 500, "digest": 36, "source": 65535, "schema": 1048575, "profile": 16777215}
_TAG_KEY_LIMIT = 255
_TAG_VALUE_LIMIT = 500


def _text(what: str, value: Any, limit: int, *, required: bool = True) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value):
        raise InvalidArgumentError(
            f"{what} must be a non-empty string, got {value!r}; build datasets with "
            "lh.data.from_pandas / from_numpy / from_spark"
        )
    if len(value) > limit:
        raise InvalidArgumentError(
            f"{what} is {len(value)} characters long, which exceeds the maximum of {limit}"
        )


def check_dataset_input(item: Any) -> DatasetInput:
    """``item`` if it is a valid :class:`DatasetInput` (MLflow's limits), else a clear error."""
    if not isinstance(item, DatasetInput):
        raise InvalidArgumentError(
            f"log_inputs takes DatasetInput objects, got {type(item).__name__}; e.g. "
            "DatasetInput(dataset=lh.data.from_pandas(df)._to_mlflow_entity(), "
            "tags=[InputTag(key='mlflow.data.context', value='training')])"
        )
    ds = item.dataset
    if not isinstance(ds, Dataset):
        raise InvalidArgumentError(
            f"DatasetInput.dataset must be a lakehouse.entities.Dataset, got {type(ds).__name__}"
        )
    for field, limit in _LIMITS.items():
        _text(
            f"dataset {field}",
            getattr(ds, field),
            limit,
            required=field not in ("schema", "profile"),
        )
    _text("dataset source_type", ds.source_type, 255)
    for tag in item.tags:
        if not isinstance(tag, InputTag):
            raise InvalidArgumentError(
                f"dataset input tags must be InputTag objects, got {type(tag).__name__}"
            )
        _text("input tag key", tag.key, _TAG_KEY_LIMIT)
        _text(f"input tag {tag.key!r} value", tag.value, _TAG_VALUE_LIMIT)
    return item


def dataset_table_version(ds: Dataset) -> tuple[str, int] | None:
    """(full table name, Delta version) when ``ds`` was read from a namespace table."""
    if ds.source_type != "delta_table":
        return None
    try:
        source = json.loads(ds.source)
    except ValueError:
        return None
    name, version = source.get("delta_table_name"), source.get("delta_table_version")
    if not isinstance(name, str) or version is None:
        return None
    try:
        return str(parse_name(name)), int(version)
    except (InvalidNameError, ValueError, TypeError):
        return None  # a table of another catalog system: no namespace lineage
