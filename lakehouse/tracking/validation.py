"""MLflow's limits on keys, values and batches, checked with clear errors."""

from __future__ import annotations

import numbers
import re

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "MAX_BATCH_METRICS",
    "MAX_BATCH_PARAMS",
    "MAX_BATCH_TAGS",
    "MAX_BATCH_TOTAL",
    "check_key",
    "check_metric_value",
    "check_param_value",
    "check_tag_value",
]

MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_BATCH_METRICS = 1000
MAX_BATCH_PARAMS = 100
MAX_BATCH_TAGS = 100
MAX_BATCH_TOTAL = 1000

# MLflow's rule: alphanumerics, underscores, dashes, periods, spaces, colons, slashes.
_KEY = re.compile(r"^[/\w.\- :]*$")


_checked: set[str] = set()  # names already accepted (the hot path logs few distinct names)


def check_key(kind: str, key: object) -> str:
    """A metric, param or tag name: a non-empty string of at most 250 allowed characters."""
    if isinstance(key, str) and key in _checked:
        return key
    _check_key(kind, key)
    if len(_checked) < 100_000:
        _checked.add(key)  # type: ignore[arg-type]
    return key  # type: ignore[return-value]


def _check_key(kind: str, key: object) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidArgumentError(f"{kind} name must be a non-empty string, got {key!r}")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidArgumentError(
            f"{kind} name {key[:40]!r}... is {len(key)} characters long; "
            f"the limit is {MAX_KEY_LENGTH}"
        )
    if not _KEY.match(key):
        raise InvalidArgumentError(
            f"invalid {kind} name {key!r}: names may only contain alphanumerics, underscores "
            "(_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)"
        )
    parts = key.split("/")
    if key.startswith("/") or ".." in parts or "." in parts:
        raise InvalidArgumentError(
            f"invalid {kind} name {key!r}: it must be a relative path without '.' or '..' parts"
        )
    return key


def _check_length(kind: str, key: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise InvalidArgumentError(
            f"{kind} {key!r} has a value of {len(value)} characters; the limit is {limit}. "
            "Log long text as an artifact (lh.log_text) instead."
        )
    return value


def check_param_value(key: str, value: object) -> str:
    """Params are strings (MLflow converts with ``str``), at most 6000 characters."""
    return _check_length("param", key, str(value), MAX_PARAM_VALUE_LENGTH)


def check_tag_value(key: str, value: object) -> str:
    """Tags are strings, at most 8000 characters."""
    return _check_length("tag", key, str(value), MAX_TAG_VALUE_LENGTH)


def check_metric_value(key: str, value: object) -> float:
    """A real number; NaN and +-inf are kept (MLflow keeps them too)."""
    if type(value) is float or type(value) is int:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            import numpy as np  # numpy scalars that are not numbers.Real (rare)

            if isinstance(value, np.generic) and np.isreal(value):
                return float(value)
        except ImportError:  # pragma: no cover - numpy comes with pyarrow
            pass
        raise InvalidArgumentError(
            f"metric {key!r} must be a number, got {value!r} ({type(value).__name__})"
        )
    return float(value)


def check_batch(metrics: int, params: int, tags: int) -> None:
    """MLflow's ``log_batch`` limits."""
    if metrics > MAX_BATCH_METRICS or params > MAX_BATCH_PARAMS or tags > MAX_BATCH_TAGS:
        raise InvalidArgumentError(
            f"log_batch got {metrics} metrics, {params} params and {tags} tags; the limits are "
            f"{MAX_BATCH_METRICS} metrics, {MAX_BATCH_PARAMS} params and {MAX_BATCH_TAGS} tags "
            "per call. Split the batch."
        )
    if metrics + params + tags > MAX_BATCH_TOTAL:
        raise InvalidArgumentError(
            f"log_batch got {metrics + params + tags} entries; the limit is {MAX_BATCH_TOTAL} "
            "per call. Split the batch."
        )
