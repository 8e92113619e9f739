"""Configuration: one typed object, resolved in one declared order.

Order, first wins: an explicit argument, then :func:`set_config` (``lh.set_home``
and friends), then ``LAKEHOUSE_*`` environment variables, then
``conf/lakehouse.yaml``, then the defaults below. This is the only module that
reads the environment.

Example::

    import lakehouse as lh
    lh.set_home("/data/lakehouse")          # or LAKEHOUSE_HOME=/data/lakehouse
    lh.get_config().home                    # 'file:///data/lakehouse'
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lakehouse import paths
from lakehouse.errors import ConfigError

__all__ = [
    "Config",
    "config_overrides",
    "get_config",
    "project_root",
    "reset_config",
    "set_config",
]

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout that holds this package (where ``.cache/`` and ``conf/`` live)."""
    return _PACKAGE_DIR.parent


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Resolved settings. Build with :func:`get_config`, not directly."""

    home: str = "./lakehouse-data"
    """Root of all state: a local path or an object-store URI (kept as a URI)."""
    jars_dir: str = str(project_root() / ".cache" / "jars")
    """Local folder with the Delta jars and the project's JVM jar (``make setup``)."""
    spark_master: str = "local[*]"
    """Master for sessions that lakehouse builds itself."""
    spark_conf: Mapping[str, str] = field(default_factory=dict)
    """Extra Spark settings for sessions that lakehouse builds."""
    spark_log_level: str = "WARN"
    shuffle_partitions: int = 8
    """``spark.sql.shuffle.partitions`` for sessions that lakehouse builds."""
    tracking_flush_interval: float = 1.0
    """Seconds between background flushes of buffered tracking writes."""
    tracking_flush_size: int = 5000
    """Buffered tracking rows that trigger a flush before the interval."""
    tracking_cache_mb: int = 2048
    """Memory (MiB) the per-process search cache of ``system.tracking.*`` may keep."""
    default_catalog: str = "main"
    default_schema: str = "default"

    @property
    def home_uri(self) -> str:
        return paths.to_uri(self.home)


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}
_ENV_PREFIX = "LAKEHOUSE_"
_YAML_ENV = "LAKEHOUSE_CONF"

_lock = threading.Lock()
_set_values: dict[str, Any] = {}


def _coerce(key: str, value: Any, source: str) -> Any:
    if key not in _FIELDS:
        known = ", ".join(sorted(_FIELDS))
        raise ConfigError(f"unknown configuration key {key!r} in {source}; known keys: {known}")
    default = _FIELDS[key].default
    if key == "spark_conf":
        if isinstance(value, str):
            pairs = [p for p in value.split(",") if p.strip()]
            try:
                value = dict(p.split("=", 1) for p in pairs)
            except ValueError:
                raise ConfigError(
                    f"{source}: spark_conf must be 'key=value,key=value', got {value!r}"
                ) from None
        if not isinstance(value, Mapping):
            raise ConfigError(f"{source}: spark_conf must be a mapping, got {value!r}")
        return {str(k): str(v) for k, v in value.items()}
    try:
        if isinstance(default, bool):
            return str(value).lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{source}: {key} must be a {type(default).__name__}, got {value!r}"
        ) from None
    if value is None or str(value) == "":
        raise ConfigError(f"{source}: {key} must not be empty")
    return str(value)


def _yaml_path() -> Path:
    explicit = os.environ.get(_YAML_ENV)
    return Path(explicit) if explicit else Path.cwd() / "conf" / "lakehouse.yaml"


def _from_yaml() -> dict[str, Any]:
    path = _yaml_path()
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping of settings, got {type(data).__name__}")
    return {k: _coerce(k, v, str(path)) for k, v in data.items()}


def _from_env() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _FIELDS:
        env_key = _ENV_PREFIX + key.upper()
        if env_key in os.environ:
            out[key] = _coerce(key, os.environ[env_key], f"environment variable {env_key}")
    return out


def get_config(**overrides: Any) -> Config:
    """Resolve the configuration; keyword arguments win over every other source."""
    values = _from_yaml()
    values.update(_from_env())
    with _lock:
        values.update(_set_values)
    values.update({k: _coerce(k, v, "argument") for k, v in overrides.items() if v is not None})
    if "home" in values:
        values["home"] = paths.to_uri(values["home"])
    else:
        values["home"] = paths.to_uri(str(_FIELDS["home"].default))
    return Config(**values)


def home_is_set() -> bool:
    """Whether the root was given (set_config, LAKEHOUSE_HOME or conf/lakehouse.yaml)."""
    with _lock:
        if "home" in _set_values:
            return True
    return "home" in _from_env() or "home" in _from_yaml()


def set_config(**values: Any) -> None:
    """Set values for this process (above the environment, below arguments)."""
    coerced = {k: _coerce(k, v, "set_config") for k, v in values.items()}
    with _lock:
        _set_values.update(coerced)


def reset_config(*keys: str) -> None:
    """Forget values given to :func:`set_config` (all of them when no key is named)."""
    with _lock:
        if not keys:
            _set_values.clear()
        for key in keys:
            _set_values.pop(key, None)


@contextlib.contextmanager
def config_overrides(*, clear: bool = False, **values: Any) -> Iterator[Config]:
    """Scoped :func:`set_config`: the previous values come back on exit.

    ``clear=True`` first forgets every value set in this process, so the lower
    sources (environment, YAML, defaults) show through.
    """
    with _lock:
        saved = dict(_set_values)
        if clear:
            _set_values.clear()
    set_config(**values)
    try:
        yield get_config()
    finally:
        with _lock:
            _set_values.clear()
            _set_values.update(saved)


def set_pyspark_python() -> None:
    """Point ``PYSPARK_PYTHON`` at this interpreter before the first Spark session."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


def launched_by_spark_submit() -> bool:
    """True inside a Python application started by ``spark-submit`` (its JVM is already up)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def username() -> str:
    """The user that lakehouse records as owner or run user."""
    for key in ("LAKEHOUSE_USER", "USER", "LOGNAME"):
        if os.environ.get(key):
            return os.environ[key]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"
