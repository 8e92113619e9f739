"""LightGBM autologging (``lh.lightgbm.autolog``): ``lightgbm.train`` and the sklearn-API fits.

See :mod:`lakehouse.autologging.boosting` for what a training call logs. Example::

    lh.lightgbm.autolog()
    lgb.train({"objective": "binary"}, train_set, 50, valid_sets=[valid_set])
    # params, valid_0-binary_logloss at steps 0..49, feature_importance_{split,gain}.*
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lakehouse.autologging import boosting
from lakehouse.autologging.session import make_config, reset
from lakehouse.models.flavors import lightgbm as lightgbm_flavor

__all__ = ["FLAVOR_NAME", "autolog"]

FLAVOR_NAME = "lightgbm"
_UNLOGGED = (
    "params",
    "train_set",
    "valid_sets",
    "valid_names",
    "fobj",
    "feval",
    "init_model",
    "evals_result",
    "learning_rates",
    "callbacks",
)


def autolog(
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    registered_model_name: str | None = None,
    extra_tags: Mapping[str, Any] | None = None,
    log_post_training_metrics: bool = True,
) -> None:
    """Enable (or with ``disable=True`` undo) LightGBM autologging, with MLflow's arguments.

    Feature importance is logged for the ``split`` and ``gain`` types, as MLflow does;
    ``log_post_training_metrics`` is accepted for ``lh.autolog`` and not used here.
    """
    reset(FLAVOR_NAME)
    if disable:
        return
    import lightgbm
    import lightgbm.sklearn

    config = make_config(
        FLAVOR_NAME,
        log_models=log_models,
        log_input_examples=log_input_examples,
        log_model_signatures=log_model_signatures,
        log_datasets=log_datasets,
        exclusive=exclusive,
        silent=silent,
        registered_model_name=registered_model_name,
        extra_tags=extra_tags,
        options={"importance_types": ["split", "gain"]},
    )
    library = boosting.Library(
        flavor=FLAVOR_NAME,
        module=lightgbm,
        sklearn_module=lightgbm.sklearn,
        estimators=(lightgbm.LGBMClassifier, lightgbm.LGBMRegressor, lightgbm.LGBMRanker),
        unlogged_args=_UNLOGGED,
        save=lightgbm_flavor.save_model,
        native_train=_native_train,
        sklearn_history=lambda model: getattr(model, "evals_result_", None) or {},
        importances=_importances,
        one_based_best=True,
        data_class=lightgbm.Dataset,
        predict_native=lambda booster, example: booster.predict(example),
        training_data=_training_data,
    )
    boosting.enable(library, config)


def _native_train(
    original: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """Train with a ``record_evaluation`` callback added (the caller's callbacks kept)."""
    import lightgbm

    history: dict[str, Any] = {}
    callbacks = list(kwargs.get("callbacks") or []) + [lightgbm.record_evaluation(history)]
    return original(*args, **{**kwargs, "callbacks": callbacks}), history


def _training_data(dataset: Any) -> tuple[Any, Any] | None:
    """A Dataset's raw features and labels while it still holds them (not a file path)."""
    data = getattr(dataset, "data", None)
    return None if data is None or isinstance(data, str | bytes) else (data, dataset.label)


def _importances(booster: Any, kind: str) -> dict[str, float]:
    values = booster.feature_importance(importance_type=kind)
    return {str(n): float(v) for n, v in zip(booster.feature_name(), values, strict=True)}
