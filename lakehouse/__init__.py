"""lakehouse: an ML platform on Apache Spark and Delta Lake.

The fluent API forwards to the clients below it; importing it does no I/O and
starts no JVM. Example::

    import lakehouse as lh
    lh.create_schema("main.ml")
    lh.create_table("main.ml.scores", df)
    lh.table("main.ml.scores").show()
"""

from __future__ import annotations

from lakehouse.catalog.names import FullName, parse_name
from lakehouse.catalog.namespace import (
    create_catalog,
    create_schema,
    create_table,
    describe_table,
    drop_catalog,
    drop_schema,
    drop_table,
    list_catalogs,
    list_schemas,
    list_tables,
    table,
)
from lakehouse.catalog.sql import sql, translate_error
from lakehouse.client import Client
from lakehouse.config import Config, get_config, reset_config, set_config
from lakehouse.errors import (
    AlreadyExistsError,
    CommitConflictError,
    ConfigError,
    InvalidArgumentError,
    InvalidModelError,
    InvalidNameError,
    InvalidStateError,
    LakehouseError,
    NotEmptyError,
    NotFoundError,
    ReservedNameError,
    SchemaMismatchError,
    SparkSetupError,
    TableLocationMissingError,
)
from lakehouse.registry.client import RegistryClient
from lakehouse.registry.fluent import lineage, register_model, rollback_alias
from lakehouse.spark import spark, sync_active_session
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.fluent import (
    active_run,
    create_experiment,
    delete_experiment,
    delete_run,
    delete_tag,
    end_run,
    get_experiment,
    get_experiment_by_name,
    get_run,
    last_active_run,
    log_artifact,
    log_artifacts,
    log_dict,
    log_figure,
    log_input,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    log_table,
    log_text,
    search_experiments,
    search_runs,
    set_experiment,
    set_tag,
    set_tags,
    start_run,
)

__version__ = "0.1.0"


# Model faces load sklearn/pandas/pyspark on first use: importing them lazily keeps
# `import lakehouse` fast. `lh.spark_ml` is the Spark ML flavor (`lh.spark` is the session).
_LAZY_MODULES = ("models", "pyfunc", "sklearn", "spark_ml")


def __getattr__(name: str) -> object:
    """``lh.sklearn``, ``lh.pyfunc``, ``lh.spark_ml``, ``lh.models``, imported on first use."""
    if name in _LAZY_MODULES:
        import importlib

        module = importlib.import_module(f"lakehouse.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'lakehouse' has no attribute {name!r}")


def set_home(home: str) -> None:
    """Set the lakehouse root (a local path or an object-store URI) for this process.

    A running Spark session follows at once (its catalogs resolve under the new root).
    """
    set_config(home=home)
    sync_active_session()


__all__ = [
    "AlreadyExistsError",
    "Client",
    "CommitConflictError",
    "Config",
    "ConfigError",
    "FullName",
    "InvalidArgumentError",
    "InvalidModelError",
    "InvalidNameError",
    "InvalidStateError",
    "LakehouseError",
    "NotEmptyError",
    "NotFoundError",
    "ReservedNameError",
    "SchemaMismatchError",
    "SparkSetupError",
    "TableLocationMissingError",
    "RegistryClient",
    "TrackingClient",
    "__version__",
    "active_run",
    "create_catalog",
    "create_experiment",
    "create_schema",
    "create_table",
    "delete_experiment",
    "delete_run",
    "delete_tag",
    "describe_table",
    "drop_catalog",
    "drop_schema",
    "drop_table",
    "end_run",
    "get_config",
    "get_experiment",
    "get_experiment_by_name",
    "get_run",
    "last_active_run",
    "lineage",
    "list_catalogs",
    "list_schemas",
    "list_tables",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_input",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "parse_name",
    "register_model",
    "reset_config",
    "rollback_alias",
    "search_experiments",
    "search_runs",
    "set_config",
    "set_experiment",
    "set_home",
    "set_tag",
    "set_tags",
    "spark",
    "sql",
    "start_run",
    "table",
    "translate_error",
]
