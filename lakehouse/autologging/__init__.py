"""Autologging: ``lh.autolog()`` and every flavor's ``autolog`` (MLflow's behaviour).

One line at the top of a notebook and every ``fit`` is tracked: params, training
metrics, the model with its signature, the training data as a run input, plots.
Each flavor patches its library's training methods through :mod:`.patching`
(``disable=True`` restores them exactly) and runs each fit in a
:class:`~lakehouse.autologging.session.FitSession` (a run started and ended
around it, or the user's active run; logging failures become one warning). Example::

    import lakehouse as lh
    lh.autolog()
    GradientBoostingClassifier(n_estimators=200).fit(X, y)   # one run, all logged
    lh.search_runs(order_by=["metrics.training_accuracy_score DESC"])
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

from lakehouse.autologging.session import AutologWarning

__all__ = ["AutologWarning", "autolog"]

# Flavor -> the library it patches; a flavor whose library is not installed is skipped.
_INTEGRATIONS = {
    "sklearn": "sklearn",
    "spark_ml": "pyspark",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
}


def autolog(
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    log_datasets: bool = True,
    log_post_training_metrics: bool = True,
    registered_model_name: str | None = None,
    disable: bool = False,
    exclusive: bool = False,
    silent: bool = False,
    extra_tags: Mapping[str, Any] | None = None,
    exclude_flavors: list[str] | None = None,
) -> None:
    """Enable (or disable) autologging for every installed library it supports.

    The arguments go to each flavor's ``autolog`` (see ``lh.sklearn.autolog``,
    ``lh.spark_ml.autolog``, ``lh.xgboost.autolog``, ``lh.lightgbm.autolog``);
    ``exclude_flavors=["spark_ml"]`` leaves a flavor as it is.
    """
    common: dict[str, Any] = {
        "log_input_examples": log_input_examples,
        "log_model_signatures": log_model_signatures,
        "log_models": log_models,
        "log_datasets": log_datasets,
        "log_post_training_metrics": log_post_training_metrics,
        "registered_model_name": registered_model_name,
        "disable": disable,
        "exclusive": exclusive,
        "silent": silent,
        "extra_tags": extra_tags,
    }
    for flavor, library in _INTEGRATIONS.items():
        if flavor in (exclude_flavors or ()) or importlib.util.find_spec(library) is None:
            continue
        module = importlib.import_module(f"lakehouse.autologging.{flavor}")
        module.autolog(**common)
