"""lakehouse: an ML platform on Apache Spark and Delta Lake.

The fluent API forwards to the clients below it; importing it does no I/O,
starts no JVM and loads none of pandas, pyspark or scikit-learn: each public
name is imported from its module on first use (PEP 562). Example::

    import lakehouse as lh
    lh.create_schema("main.ml")
    lh.create_table("main.ml.scores", df)
    lh.table("main.ml.scores").show()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# `lakehouse.spark` is imported eagerly: it is a submodule *and* the public `lh.spark()`,
# and a first import of the submodule by any other module would otherwise bind the
# module object over the function. It is cheap (pyspark loads when a session starts).
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
from lakehouse.spark import on_session as _on_session
from lakehouse.spark import spark, sync_active_session


def _load_namespace() -> None:
    # The namespace registers its own session hooks (main.default exists; Spark SQL's
    # schema statements record their metadata through Python) when it is imported: a
    # session built before any namespace call must get them too.
    importlib.import_module("lakehouse.catalog.namespace")


_on_session(_load_namespace)

if TYPE_CHECKING:  # what the lazy forwards below resolve to, for type checkers and IDEs
    from lakehouse import artifacts as artifacts
    from lakehouse import data as data
    from lakehouse import entities as entities
    from lakehouse import exceptions as exceptions
    from lakehouse import lightgbm as lightgbm
    from lakehouse import models as models
    from lakehouse import pyfunc as pyfunc
    from lakehouse import sklearn as sklearn
    from lakehouse import spark_ml as spark_ml
    from lakehouse import tracking as tracking
    from lakehouse import types as types
    from lakehouse import xgboost as xgboost
    from lakehouse.autologging import autolog
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
    from lakehouse.client import Client, MlflowClient
    from lakehouse.evaluation import evaluate
    from lakehouse.exceptions import MlflowException
    from lakehouse.registry.client import RegistryClient
    from lakehouse.registry.fluent import (
        lineage,
        register_model,
        rollback_alias,
        search_model_versions,
        search_registered_models,
    )
    from lakehouse.scoring.batch import score_table
    from lakehouse.tracking.client import TrackingClient
    from lakehouse.tracking.fluent import (
        ActiveRun,
        active_run,
        create_experiment,
        delete_experiment,
        delete_logged_model_tag,
        delete_run,
        delete_tag,
        end_run,
        finalize_logged_model,
        get_artifact_uri,
        get_experiment,
        get_experiment_by_name,
        get_logged_model,
        get_parent_run,
        get_registry_uri,
        get_run,
        get_tracking_uri,
        is_tracking_uri_set,
        last_active_run,
        last_logged_model,
        log_artifact,
        log_artifacts,
        log_dict,
        log_figure,
        log_image,
        log_input,
        log_inputs,
        log_metric,
        log_metrics,
        log_model_params,
        log_param,
        log_params,
        log_table,
        log_text,
        search_experiments,
        search_logged_models,
        search_runs,
        set_experiment,
        set_experiment_tag,
        set_experiment_tags,
        set_logged_model_tags,
        set_registry_uri,
        set_tag,
        set_tags,
        set_tracking_uri,
        start_run,
    )
    from lakehouse.tracking.table_artifacts import load_table

__version__ = "0.1.0"

# Public name -> the module that defines it; imported on first use. Keep in step with
# the TYPE_CHECKING imports above (tests/test_public_api.py checks that they agree).
_FORWARDS: dict[str, str] = {
    **dict.fromkeys(("FullName", "parse_name"), "lakehouse.catalog.names"),
    "autolog": "lakehouse.autologging",
    **dict.fromkeys(
        (
            "create_catalog",
            "create_schema",
            "create_table",
            "describe_table",
            "drop_catalog",
            "drop_schema",
            "drop_table",
            "list_catalogs",
            "list_schemas",
            "list_tables",
            "table",
        ),
        "lakehouse.catalog.namespace",
    ),
    **dict.fromkeys(("sql", "translate_error"), "lakehouse.catalog.sql"),
    **dict.fromkeys(("Client", "MlflowClient"), "lakehouse.client"),
    "evaluate": "lakehouse.evaluation",
    "MlflowException": "lakehouse.exceptions",
    "RegistryClient": "lakehouse.registry.client",
    **dict.fromkeys(
        (
            "lineage",
            "register_model",
            "rollback_alias",
            "search_model_versions",
            "search_registered_models",
        ),
        "lakehouse.registry.fluent",
    ),
    "score_table": "lakehouse.scoring.batch",
    "TrackingClient": "lakehouse.tracking.client",
    "load_table": "lakehouse.tracking.table_artifacts",
    **dict.fromkeys(
        (
            "ActiveRun",
            "active_run",
            "create_experiment",
            "delete_experiment",
            "delete_run",
            "delete_tag",
            "end_run",
            "get_artifact_uri",
            "get_experiment",
            "get_experiment_by_name",
            "get_parent_run",
            "get_registry_uri",
            "get_run",
            "is_tracking_uri_set",
            "get_tracking_uri",
            "last_active_run",
            "log_artifact",
            "log_artifacts",
            "log_dict",
            "log_figure",
            "log_image",
            "log_input",
            "log_inputs",
            "log_metric",
            "log_metrics",
            "log_param",
            "log_params",
            "log_table",
            "log_text",
            "search_experiments",
            "search_runs",
            "set_experiment",
            "set_experiment_tag",
            "set_experiment_tags",
            "set_registry_uri",
            "set_tag",
            "set_tags",
            "set_tracking_uri",
            "start_run",
        ),
        "lakehouse.tracking.fluent",
    ),  # MLflow 3 logged models (lakehouse.tracking.logged_models behind the fluent forwards)
    **dict.fromkeys(
        (
            "delete_logged_model_tag",
            "finalize_logged_model",
            "get_logged_model",
            "last_logged_model",
            "log_model_params",
            "search_logged_models",
            "set_logged_model_tags",
        ),
        "lakehouse.tracking.fluent",
    ),
}

# Submodules reachable as attributes (`lh.sklearn.log_model`); `lh.spark_ml` is the
# Spark ML flavor (`lh.spark` is the session). `artifacts`, `entities`, `exceptions` and
# `tracking` are where MLflow users import from (`mlflow.entities.ViewType`,
# `mlflow.tracking.MlflowClient`, `mlflow.artifacts.download_artifacts`).
_SUBMODULES = (
    "artifacts",
    "data",
    "entities",
    "exceptions",
    "models",
    "pyfunc",
    "sklearn",
    "spark_ml",
    "tracking",
    "types",
    "xgboost",
    "lightgbm",
)


def __getattr__(name: str) -> object:
    """Import a public name or a flavor module on first use, then keep it."""
    if name in _FORWARDS:
        value = getattr(importlib.import_module(_FORWARDS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Every public name, the flavor modules and what is already loaded."""
    return sorted({*globals(), *__all__, *_SUBMODULES})


def set_home(home: str) -> None:
    """Set the lakehouse root (a local path or an object-store URI) for this process.

    A running Spark session follows at once (its catalogs resolve under the new root).
    """
    set_config(home=home)
    sync_active_session()


__all__ = [
    "ActiveRun",
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
    "MlflowClient",
    "MlflowException",
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
    "autolog",
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
    "evaluate",
    "get_artifact_uri",
    "get_config",
    "get_experiment",
    "get_experiment_by_name",
    "get_parent_run",
    "get_registry_uri",
    "get_run",
    "get_tracking_uri",
    "last_active_run",
    "lineage",
    "list_catalogs",
    "list_schemas",
    "list_tables",
    "load_table",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_input",
    "log_inputs",
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
    "score_table",
    "search_experiments",
    "search_runs",
    "set_config",
    "set_experiment",
    "set_home",
    "set_experiment_tag",
    "set_experiment_tags",
    "set_registry_uri",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "spark",
    "sql",
    "start_run",
    "table",
    "translate_error",
    "is_tracking_uri_set",
    "search_model_versions",
    "search_registered_models",
    "delete_logged_model_tag",
    "finalize_logged_model",
    "get_logged_model",
    "last_logged_model",
    "log_model_params",
    "search_logged_models",
    "set_logged_model_tags",
]
