"""The Spark session: reuse the active one, or build a local one with Delta.

``lh.spark()`` returns the active SparkSession when there is one (a notebook, a
``spark-submit`` job): its configuration is kept, and if Delta is not set up an
error lists the configs and jars to add. Otherwise it builds a local session
with Delta, the project's cached jars (never ``spark.jars.packages``), the
hard-link LogStore, the warehouse under the lakehouse root and quiet logs.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse import config as _config
from lakehouse import paths
from lakehouse.errors import SparkSetupError
from lakehouse.store import files

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = [
    "catalog_names",
    "delta_spark_conf",
    "jar_paths",
    "on_session",
    "register_catalog",
    "spark",
]

DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"
LOG_STORE = "io.lakehouse.HardLinkLogStore"
CATALOG_PLUGIN = "io.lakehouse.LakehouseCatalog"
# Refuses every write into `system` (also ones the plugin alone cannot see, such as
# INSERT INTO system.s.t SELECT * FROM system.s.t).
LAKEHOUSE_EXTENSION = "io.lakehouse.LakehouseExtensions"
HOME_CONF = "spark.lakehouse.home"
JVM_JAR = "lakehouse-jvm.jar"

SYSTEM_CATALOG = "system"
# The part rule of lakehouse/catalog/names.py (a layer above: not importable here): any
# character but '.', whitespace, '/', control characters and DEL; folders are lowercase.
_CATALOG_NAME = re.compile(r"[^.\sA-Z/\x00-\x1f\x7f#?%]{1,255}")

_lock = threading.Lock()
_session_hooks: list[Callable[[], None]] = []


def jar_paths(cfg: _config.Config | None = None) -> list[str]:
    """Local paths of the cached Delta jars and the project's JVM jar."""
    cfg = cfg or _config.get_config()
    folder = Path(cfg.jars_dir)
    jars = sorted(str(p) for p in folder.glob("*.jar"))
    if not any(p.endswith(JVM_JAR) for p in jars) or len(jars) < 2:
        raise SparkSetupError(
            f"the Delta jars are not in {folder}. Run `make setup` (or "
            "`python java/build.py`) in the lakehouse checkout once, or set "
            "LAKEHOUSE_JARS_DIR to a folder that holds them."
        )
    return jars


def catalog_names(cfg: _config.Config | None = None) -> list[str]:
    """Catalogs Spark SQL resolves: the default, each folder of ``<home>/warehouse``, ``system``.

    The folders are the truth (DESIGN.md, "One truth"), listed as
    ``lakehouse.catalog.namespace`` lists them (:func:`lakehouse.store.files.child_dirs`).
    """
    cfg = cfg or _config.get_config()
    found = {cfg.default_catalog, SYSTEM_CATALOG}
    folders = files.child_dirs(paths.join(cfg.home_uri, "warehouse"))
    found.update(name for name in folders if _CATALOG_NAME.fullmatch(name))
    found.discard("spark_catalog")
    return sorted(found)


def delta_spark_conf(cfg: _config.Config | None = None) -> dict[str, str]:
    """The Spark settings every lakehouse session needs (also for ``spark-submit``).

    Besides Delta: ``spark.sql.catalog.<name>=io.lakehouse.LakehouseCatalog`` for each
    catalog of the root, ``spark.lakehouse.home``, the root that plugin reads, and the
    ``io.lakehouse.LakehouseExtensions`` session extension that refuses writes into ``system``.
    """
    cfg = cfg or _config.get_config()
    catalogs = {f"spark.sql.catalog.{name}": CATALOG_PLUGIN for name in catalog_names(cfg)}
    return {
        **catalogs,
        "spark.jars": ",".join(jar_paths(cfg)),
        "spark.sql.extensions": f"{DELTA_EXTENSION},{LAKEHOUSE_EXTENSION}",
        "spark.sql.catalog.spark_catalog": DELTA_CATALOG,
        "spark.delta.logStore.file.impl": LOG_STORE,
        "spark.sql.sources.default": "delta",
        "spark.sql.session.timeZone": "UTC",
        HOME_CONF: cfg.home_uri,
    }


def _local_conf(cfg: _config.Config) -> dict[str, str]:
    conf = delta_spark_conf(cfg)
    conf.update(
        {
            "spark.master": cfg.spark_master,
            "spark.app.name": "lakehouse",
            "spark.sql.warehouse.dir": paths.join(cfg.home_uri, "spark-warehouse"),
            "spark.sql.shuffle.partitions": str(cfg.shuffle_partitions),
            # Delta's default of 50 makes every small commit take seconds on a laptop.
            "spark.databricks.delta.snapshotPartitions": str(cfg.shuffle_partitions),
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            # Keep tables readable and writable by delta-rs (DESIGN.md, "Storage").
            "spark.databricks.delta.properties.defaults.enableDeletionVectors": "false",
            "spark.driver.extraJavaOptions": "-Dlog4j2.configurationFile="
            + str(Path(__file__).with_name("log4j2.properties")),
        }
    )
    conf.update(cfg.spark_conf)
    return conf


# Settings a spark-submit launch owns: the cluster's master and the launch-time jars.
_SUBMIT_OWNED = ("spark.master", "spark.jars", "spark.driver.extraJavaOptions", "spark.app.name")


def _submitted_conf(cfg: _config.Config) -> dict[str, str]:
    """Under ``spark-submit``: our settings only where the submit command left them unset."""
    from pyspark import SparkConf, SparkContext

    SparkContext._ensure_initialized()
    submitted = SparkConf()
    return {
        k: v
        for k, v in _local_conf(cfg).items()
        if k not in _SUBMIT_OWNED and not submitted.contains(k)
    }


def _quiet_python_loggers() -> None:
    # pyspark logs every failed query as a JSON stack trace beside the error we raise.
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger", "py4j"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _check_delta(session: SparkSession) -> None:
    conf = session.conf
    missing = []
    if DELTA_EXTENSION not in (conf.get("spark.sql.extensions", "") or ""):
        missing.append(f"spark.sql.extensions={DELTA_EXTENSION}")
    if conf.get("spark.sql.catalog.spark_catalog", "") != DELTA_CATALOG:
        missing.append(f"spark.sql.catalog.spark_catalog={DELTA_CATALOG}")
    if not missing:
        try:
            jvm: Any = session._jvm
            jvm.java.lang.Thread.currentThread().getContextClassLoader().loadClass(DELTA_EXTENSION)
        except Exception:
            missing.append("the Delta jars on spark.jars / --jars")
    if missing:
        raise SparkSetupError(
            "the active Spark session is not set up for Delta: missing "
            + ", ".join(missing)
            + ". These are read only when the first session of a process starts: restart "
            "the notebook or job with them, plus spark.jars=<the jars in .cache/jars> and "
            f"spark.delta.logStore.file.impl={LOG_STORE} (lakehouse.spark.delta_spark_conf() "
            "lists them all)."
        )


def _register_catalogs(session: SparkSession, names: list[str]) -> None:
    for name in names:
        key = f"spark.sql.catalog.{name}"
        if session.conf.get(key, None) is None:  # keep a catalog the job set itself
            session.conf.set(key, CATALOG_PLUGIN)


def register_catalog(name: str) -> None:
    """Make catalog ``name`` resolvable in the active session, if there is one (no restart).

    Starts nothing: without a running session (or without pyspark imported) it does nothing,
    and the next :func:`spark` call registers every catalog folder.
    """
    if "pyspark.sql" not in sys.modules:
        return
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is not None:
        _register_catalogs(session, [name])


def sync_active_session() -> None:
    """Point a running session (if any) at the configured root; starts nothing.

    ``lh.set_home`` calls this, so Spark SQL follows a change of root at once.
    """
    if "pyspark.sql" not in sys.modules:
        return
    from pyspark.sql import SparkSession

    if SparkSession.getActiveSession() is not None:
        spark()


def on_session(hook: Callable[[], None]) -> None:
    """Run ``hook`` on every :func:`spark` call (the namespace makes ``main.default`` there)."""
    if hook not in _session_hooks:
        _session_hooks.append(hook)


def spark(cfg: _config.Config | None = None) -> SparkSession:
    """The active SparkSession, or a new local one with Delta and the lakehouse catalogs.

    Example::

        import lakehouse as lh
        df = lh.spark().range(3)
    """
    from pyspark.sql import SparkSession

    cfg = cfg or _config.get_config()
    with _lock:
        session = SparkSession.getActiveSession()
        if session is None:
            _config.set_pyspark_python()
            submitted = _config.launched_by_spark_submit()
            builder = SparkSession.builder
            conf = _submitted_conf(cfg) if submitted else _local_conf(cfg)
            for key, value in conf.items():
                builder = builder.config(key, value)
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel(cfg.spark_log_level)
            if submitted:
                _check_delta(session)
        else:
            _check_delta(session)
        _quiet_python_loggers()
        if session.conf.get(HOME_CONF, None) != cfg.home_uri:
            session.conf.set(HOME_CONF, cfg.home_uri)
    for hook in _session_hooks:
        hook()
    # Also catalogs made since the last call, by this process or another one.
    _register_catalogs(session, catalog_names(cfg))
    return session
