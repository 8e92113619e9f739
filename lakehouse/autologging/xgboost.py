"""XGBoost autologging (``lh.xgboost.autolog``): ``xgboost.train`` and the sklearn-API fits.

See :mod:`lakehouse.autologging.boosting` for what a training call logs. Example::

    lh.xgboost.autolog()
    xgb.train({"objective": "binary:logistic"}, dtrain, 50, evals=[(dvalid, "valid")])
    # params, valid-logloss at steps 0..49, feature_importance_weight.*, the model
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lakehouse.autologging import boosting
from lakehouse.autologging.session import make_config, reset
from lakehouse.models.flavors import xgboost as xgboost_flavor

__all__ = ["FLAVOR_NAME", "autolog"]

FLAVOR_NAME = "xgboost"
_UNLOGGED = (
    "params",
    "dtrain",
    "evals",
    "obj",
    "feval",
    "evals_result",
    "xgb_model",
    "callbacks",
    "learning_rates",
    "custom_metric",
)


def autolog(
    importance_types: Sequence[str] | None = None,
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    registered_model_name: str | None = None,
    model_format: str = "ubj",
    extra_tags: Mapping[str, Any] | None = None,
    log_post_training_metrics: bool = True,
) -> None:
    """Enable (or with ``disable=True`` undo) XGBoost autologging, with MLflow's arguments.

    ``importance_types`` defaults to ``["weight"]`` (MLflow's default);
    ``log_post_training_metrics`` is accepted for ``lh.autolog`` and not used here.
    """
    reset(FLAVOR_NAME)
    if disable:
        return
    import xgboost
    import xgboost.sklearn

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
        options={
            "importance_types": list(importance_types or ["weight"]),
            "save_options": {"model_format": model_format},
        },
    )
    library = boosting.Library(
        flavor=FLAVOR_NAME,
        module=xgboost,
        sklearn_module=xgboost.sklearn,
        estimators=(
            xgboost.XGBClassifier,
            xgboost.XGBRegressor,
            xgboost.XGBRanker,
            xgboost.XGBRFClassifier,
            xgboost.XGBRFRegressor,
        ),
        unlogged_args=_UNLOGGED,
        save=xgboost_flavor.save_model,
        native_train=_native_train,
        sklearn_history=lambda model: model.evals_result(),
        importances=_importances,
        one_based_best=False,
        data_class=xgboost.DMatrix,
        predict_native=lambda booster, example: booster.predict(xgboost.DMatrix(example)),
        training_data=_training_data,
    )
    boosting.enable(library, config)


def _native_train(
    original: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """Train, collecting the evaluation history (the caller's ``evals_result`` kept filled)."""
    history: dict[str, Any] | None = kwargs.get("evals_result")
    if history is None:
        history = {}
        kwargs = {**kwargs, "evals_result": history}
    return original(*args, **kwargs), history


def _training_data(dmatrix: Any) -> tuple[Any, Any] | None:
    """A DMatrix's features (a sparse matrix, read back from XGBoost) and labels."""
    labels = dmatrix.get_label()
    return dmatrix.get_data(), labels if len(labels) else None


def _importances(booster: Any, kind: str) -> dict[str, float]:
    return {str(k): float(v) for k, v in booster.get_score(importance_type=kind).items()}
