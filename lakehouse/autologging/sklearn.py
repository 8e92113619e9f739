"""scikit-learn autologging: every ``fit`` logged as ``mlflow.sklearn.autolog`` logs it.

Patched: ``fit``, ``fit_transform`` and ``fit_predict`` of every estimator
``sklearn.utils.all_estimators()`` lists (preprocessing, imputation and feature
extraction/selection excepted, as in MLflow: they are logged as part of a
Pipeline), Pipelines and the parameter searches; ``predict``-like methods,
``score`` and the ``sklearn.metrics`` functions for post-training metrics.

One fit logs: ``get_params(deep=True)`` (a search logs its own params only),
the ``estimator_name``/``estimator_class`` tags, the training dataset as a run
input, MLflow's training metrics (``training_accuracy_score``...,
``training_score``), the model (``model``) with a signature and, if asked, an
input example, the confusion-matrix (and for two classes ROC/PR) images, a
feature-importance plot and JSON when the model has importances or
coefficients. A search adds ``best_*`` params, ``best_cv_score``, the
``best_estimator`` model, ``cv_results.csv`` and up to ``max_tuning_runs`` child
runs (the best ranks), each with its params and mean/std/rank metrics.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from lakehouse.autologging import datasets as _datasets
from lakehouse.autologging import patching, plots
from lakehouse.autologging.post_training import PostTrainingMetrics, call_command, loggable
from lakehouse.autologging.session import (
    AUTOLOGGING_TAG,
    AutologConfig,
    FitSession,
    get_config,
    in_training,
    log_fitted_model,
    make_config,
    not_logged,
    reset,
    set_config,
    warn,
)
from lakehouse.errors import InvalidArgumentError
from lakehouse.models.flavors import sklearn as sklearn_flavor
from lakehouse.models.signature import infer_signature
from lakehouse.tracking import fluent
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.entities import Metric, Param
from lakehouse.tracking.validation import MAX_PARAM_VALUE_LENGTH

__all__ = ["FLAVOR_NAME", "autolog"]

FLAVOR_NAME = "sklearn"
TRAINING_PREFIX = "training_"
INPUT_EXAMPLE_ROWS = 5
_FIT_METHODS = ("fit", "fit_transform", "fit_predict")
_PREDICT_METHODS = ("predict", "predict_proba", "transform", "predict_log_proba")
_EXCLUDED_MODULES = (
    "sklearn.preprocessing",
    "sklearn.impute",
    "sklearn.feature_extraction",
    "sklearn.feature_selection",
)
_EXCLUDED_CLASSES = ("sklearn.compose._column_transformer.ColumnTransformer",)
# Their inner fits are evaluations, not models: no runs inside them (as MLflow).
_QUIET_APIS = (
    "cross_validate",
    "cross_val_predict",
    "cross_val_score",
    "learning_curve",
    "permutation_test_score",
    "validation_curve",
)
_QUIET_WORKERS = (
    "_fit_and_score",
    "_fit_and_predict",
    "_permutation_test_score",
    "_incremental_fit_estimator",
)
_METRICS_SKIPPED = ("check_scoring", "get_scorer", "make_scorer", "get_scorer_names")

POST_TRAINING = PostTrainingMetrics()


def autolog(
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    max_tuning_runs: int | None = 5,
    log_post_training_metrics: bool = True,
    serialization_format: str = "cloudpickle",
    registered_model_name: str | None = None,
    pos_label: Any = None,
    extra_tags: Mapping[str, Any] | None = None,
) -> None:
    """Enable (or with ``disable=True`` undo) autologging of scikit-learn, as MLflow's.

    Calling it again replaces the settings; ``disable=True`` puts every patched
    method back exactly as it was. ``disable_for_unsupported_versions`` is accepted
    for MLflow compatibility (every installed scikit-learn >= 1.5 is supported).
    """
    reset(FLAVOR_NAME)
    if disable:
        return
    if max_tuning_runs is not None and (
        isinstance(max_tuning_runs, bool)
        or not isinstance(max_tuning_runs, int)
        or max_tuning_runs < 0
    ):
        raise InvalidArgumentError(
            f"max_tuning_runs must be None or a whole number >= 0, got {max_tuning_runs!r}"
        )
    if serialization_format not in sklearn_flavor.SERIALIZATION_FORMATS:
        raise InvalidArgumentError(
            f"serialization_format {serialization_format!r} is not supported; expected one "
            f"of {sklearn_flavor.SERIALIZATION_FORMATS}"
        )
    config = make_config(
        FLAVOR_NAME,
        log_models=log_models,
        log_input_examples=log_input_examples,
        log_model_signatures=log_model_signatures,
        log_datasets=log_datasets,
        log_post_training_metrics=log_post_training_metrics,
        exclusive=exclusive,
        silent=silent,
        registered_model_name=registered_model_name,
        extra_tags=extra_tags,
        options={
            "max_tuning_runs": max_tuning_runs,
            "serialization_format": serialization_format,
            "pos_label": pos_label,
        },
    )
    _install(config)


# -- patches -------------------------------------------------------------------------------
def estimators_to_patch() -> list[type]:
    """The estimator classes whose fits are autologged (MLflow's list)."""
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.utils import all_estimators

    classes = {cls for _, cls in all_estimators()} | {GridSearchCV, RandomizedSearchCV, Pipeline}
    return sorted(
        (
            c
            for c in classes
            if not c.__module__.startswith(_EXCLUDED_MODULES)
            and f"{c.__module__}.{c.__name__}" not in _EXCLUDED_CLASSES
        ),
        key=lambda c: (c.__module__, c.__name__),
    )


def _install(config: AutologConfig) -> None:
    import sklearn.metrics
    import sklearn.metrics._scorer
    import sklearn.model_selection

    set_config(config, FLAVOR_NAME)
    for cls in estimators_to_patch():
        for name in _FIT_METHODS:
            patching.patch(FLAVOR_NAME, cls, name, _fit_patch)
        if config.log_post_training_metrics:
            for name in _PREDICT_METHODS:
                patching.patch(FLAVOR_NAME, cls, name, _predict_patch)
            patching.patch(FLAVOR_NAME, cls, "score", _score_patch)
    if config.log_post_training_metrics:
        for name in sklearn.metrics.__all__:
            func = getattr(sklearn.metrics, name, None)
            if (
                name not in _METRICS_SKIPPED
                and not name.startswith("plot_")
                and inspect.isfunction(func)
            ):
                patching.patch(FLAVOR_NAME, sklearn.metrics, name, _metric_patch)
        # Scorers (get_scorer("accuracy")) hold their metric function: patched on each
        # registered scorer, as MLflow does; get_scorer's copies share the patched function.
        for scorer in getattr(sklearn.metrics._scorer, "_SCORERS", {}).values():
            if callable(vars(scorer).get("_score_func")):
                patching.patch(FLAVOR_NAME, scorer, "_score_func", _metric_patch)
    # The public names, and the workers they call (looked up at call time, so this also
    # covers `from sklearn.model_selection import cross_val_score` done before autolog).
    for name in _QUIET_APIS:
        patching.patch(FLAVOR_NAME, sklearn.model_selection, name, _quiet_patch)
    for module in _worker_modules():
        for name in _QUIET_WORKERS:
            patching.patch(FLAVOR_NAME, module, name, _quiet_patch)


def _worker_modules() -> list[Any]:
    """The sklearn.model_selection modules holding the evaluation workers under their names.

    ``_search`` imports ``_fit_and_score`` by name: a search's candidates fitted on other
    threads (joblib's threading backend) call that copy, so it is patched there too.
    """
    import sklearn.model_selection._search
    import sklearn.model_selection._validation

    return [sklearn.model_selection._validation, sklearn.model_selection._search]


def _fit_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
        config = get_config(FLAVOR_NAME)
        if config is None:
            return original(self, *args, **kwargs)
        with FitSession(config, self) as session:
            if not session.should_log:
                return original(self, *args, **kwargs)
            data = session.attempt(
                "reading the training data", lambda: _training_data(original, self, args, kwargs)
            )
            X, y, weight = data or (None, None, None)
            example = session.attempt("taking an input example", lambda: _head(X))
            session.attempt("logging params and tags", lambda: _log_params(self))
            if config.log_datasets:
                session.attempt(
                    "logging the training dataset",
                    lambda: _datasets.log_training_data(X, y, "train"),
                )
            result = original(self, *args, **kwargs)
            session.attempt(
                "logging the trained model",
                lambda: _after_fit(session, self, X, y, weight, example),
            )
            if config.log_post_training_metrics and session.run_id and session.failed is None:
                POST_TRAINING.register_model(self, session.run_id)
            return result

    return patched


def _quiet_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(*args: Any, **kwargs: Any) -> Any:
        with not_logged():
            return original(*args, **kwargs)

    return patched


def _predict_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
        run_id = POST_TRAINING.run_of(self) if POST_TRAINING.active else None
        if run_id is None or in_training():
            return original(self, *args, **kwargs)
        with POST_TRAINING.paused():
            result = original(self, *args, **kwargs)
        try:
            data = args[0] if args else next(iter(kwargs.values()), None)
            POST_TRAINING.register_result(run_id, POST_TRAINING.dataset_name(run_id, data), result)
        except Exception as exc:
            _warn_post(exc)
        return result

    return patched


def _score_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
        run_id = POST_TRAINING.run_of(self) if POST_TRAINING.active else None
        if run_id is None or in_training():
            return original(self, *args, **kwargs)
        with POST_TRAINING.paused():
            value = original(self, *args, **kwargs)
        try:
            if loggable(value):
                data = args[0] if args else next(iter(kwargs.values()), None)
                dataset = POST_TRAINING.dataset_name(run_id, data)
                command = call_command(original, self, args, kwargs)
                key = POST_TRAINING.metric_key(
                    run_id, f"{type(self).__name__}_score", dataset, command
                )
                POST_TRAINING.log(run_id, key, value)
        except Exception as exc:
            _warn_post(exc)
        return value

    return patched


def _metric_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(*args: Any, **kwargs: Any) -> Any:
        if not POST_TRAINING.active or in_training():
            return original(*args, **kwargs)
        with POST_TRAINING.paused():
            value = original(*args, **kwargs)
        try:
            found = POST_TRAINING.find(args, kwargs) if loggable(value) else None
            if found is not None:
                run_id, dataset = found
                command = call_command(original, None, args, kwargs)
                key = POST_TRAINING.metric_key(run_id, original.__name__, dataset, command)
                POST_TRAINING.log(run_id, key, value)
        except Exception as exc:
            _warn_post(exc)
        return value

    return patched


def _warn_post(exc: Exception) -> None:
    config = get_config(FLAVOR_NAME)
    if config is not None:
        warn(
            config, f"lakehouse autologging (sklearn): a post-training metric was not logged: {exc}"
        )


# -- what one fit logs ---------------------------------------------------------------------
def _training_data(
    fit: Callable[..., Any], estimator: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, Any, Any]:
    """``(X, y, sample_weight)`` as the fit received them (y and weight may be None)."""
    names = [n for n in inspect.signature(fit).parameters][1:]
    bound = dict(zip(names, args, strict=False))
    bound.update(kwargs)
    x_name = names[0] if names else "X"
    y_name = names[1] if len(names) > 1 else "y"
    return bound.get(x_name), bound.get(y_name), bound.get("sample_weight")


def _head(X: Any) -> Any:
    if X is None:
        return None
    head = X.iloc[:INPUT_EXAMPLE_ROWS] if hasattr(X, "iloc") else X[:INPUT_EXAMPLE_ROWS]
    return head.copy() if hasattr(head, "copy") else head


def is_search(estimator: Any) -> bool:
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    return isinstance(estimator, GridSearchCV | RandomizedSearchCV)


def _param_text(value: Any) -> str:
    text = str(value)
    return (
        text if len(text) <= MAX_PARAM_VALUE_LENGTH else text[: MAX_PARAM_VALUE_LENGTH - 3] + "..."
    )


def _log_params(estimator: Any) -> None:
    params = estimator.get_params(deep=not is_search(estimator))
    fluent.log_params({str(k): _param_text(v) for k, v in params.items()})
    fluent.set_tags(_estimator_tags(estimator))


def _estimator_tags(estimator: Any) -> dict[str, str]:
    cls = type(estimator)
    return {"estimator_name": cls.__name__, "estimator_class": f"{cls.__module__}.{cls.__name__}"}


def _after_fit(
    session: FitSession, estimator: Any, X: Any, y: Any, weight: Any, example: Any
) -> None:
    config = session.config
    signature = None
    if config.log_models:
        signature = _signature(estimator, example) if config.log_model_signatures else None
        _log_model(config, estimator, "model", signature, example, config.registered_model_name)
    if X is not None:
        with POST_TRAINING.paused():
            _training_metrics(config, estimator, X, y, weight)
            _figures(estimator, X, y, weight)
    if is_search(estimator):
        _log_search(session, estimator, signature, example)


def _signature(estimator: Any, example: Any) -> Any:
    if example is None:
        return None
    method = getattr(estimator, "predict", None) or getattr(estimator, "transform", None)
    if method is None:
        return None
    with POST_TRAINING.paused():
        return infer_signature(
            example, method(example.copy() if hasattr(example, "copy") else example)
        )


def _log_model(
    config: AutologConfig,
    estimator: Any,
    name: str,
    signature: Any,
    example: Any,
    registered_model_name: str | None,
) -> None:
    fmt = str(config.options.get("serialization_format", "cloudpickle"))
    log_fitted_model(
        config,
        lambda location: sklearn_flavor.save_model(
            estimator,
            location,
            serialization_format=fmt,  # type: ignore[arg-type]
            signature=signature,
            input_example=example if config.log_input_examples else None,
        ),
        name,
        registered_model_name,
    )


def _training_metrics(config: AutologConfig, estimator: Any, X: Any, y: Any, weight: Any) -> None:
    from sklearn.base import is_classifier, is_regressor

    if y is None:
        return
    metrics: dict[str, float] = {}
    if is_classifier(estimator):
        metrics = _classifier_metrics(estimator, X, y, weight, config.options.get("pos_label"))
    elif is_regressor(estimator):
        metrics = _regressor_metrics(estimator, X, y, weight)
    if hasattr(estimator, "score"):
        takes_weight = "sample_weight" in inspect.signature(estimator.score).parameters
        score = estimator.score(X, y, weight) if takes_weight else estimator.score(X, y)
        metrics[TRAINING_PREFIX + "score"] = float(score)
    if metrics:
        fluent.log_metrics(metrics)


def _classifier_metrics(
    estimator: Any, X: Any, y: Any, weight: Any, pos_label: Any
) -> dict[str, float]:
    from sklearn import metrics as m

    average = "weighted" if pos_label is None else "binary"
    pred = estimator.predict(X)
    out = {
        "precision_score": m.precision_score(
            y, pred, pos_label=pos_label, average=average, sample_weight=weight
        ),
        "recall_score": m.recall_score(
            y, pred, pos_label=pos_label, average=average, sample_weight=weight
        ),
        "f1_score": m.f1_score(y, pred, pos_label=pos_label, average=average, sample_weight=weight),
        "accuracy_score": m.accuracy_score(y, pred, normalize=True, sample_weight=weight),
    }
    if hasattr(estimator, "predict_proba"):
        proba = estimator.predict_proba(X)
        out["log_loss"] = m.log_loss(y, proba, sample_weight=weight)
        score = proba[:, 1] if proba.shape[1] == 2 else proba
        # ValueError: one class in y, or classes the model never saw: no roc_auc
        with contextlib.suppress(ValueError):
            out["roc_auc"] = m.roc_auc_score(
                y, score, average="weighted", sample_weight=weight, multi_class="ovo"
            )
    return {TRAINING_PREFIX + k: float(v) for k, v in out.items()}


def _regressor_metrics(estimator: Any, X: Any, y: Any, weight: Any) -> dict[str, float]:
    import numpy as np
    from sklearn import metrics as m

    pred = estimator.predict(X)
    mse = m.mean_squared_error(y, pred, sample_weight=weight, multioutput="uniform_average")
    out = {
        "mean_squared_error": mse,
        "root_mean_squared_error": np.sqrt(mse),
        "mean_absolute_error": m.mean_absolute_error(
            y, pred, sample_weight=weight, multioutput="uniform_average"
        ),
        "r2_score": m.r2_score(y, pred, sample_weight=weight, multioutput="uniform_average"),
    }
    return {TRAINING_PREFIX + k: float(v) for k, v in out.items()}


def _figures(estimator: Any, X: Any, y: Any, weight: Any) -> None:
    from sklearn.base import is_classifier

    if y is not None and is_classifier(estimator):
        for name, fig in plots.classifier_figures(estimator, TRAINING_PREFIX, X, y, weight).items():
            fluent.log_figure(fig, name)
    columns = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    importances = plots.importances_of(estimator, columns)
    if importances:
        fluent.log_dict(importances, "feature_importance.json")
        fluent.log_figure(plots.feature_importance_figure(importances), "feature_importance.png")


# -- parameter searches -----------------------------------------------------------------------
def _log_search(session: FitSession, search: Any, signature: Any, example: Any) -> None:
    import pandas as pd

    config = session.config
    if config.log_models and hasattr(search, "best_estimator_"):
        _log_model(config, search.best_estimator_, "best_estimator", signature, example, None)
    if hasattr(search, "best_score_"):
        fluent.log_metric("best_cv_score", float(search.best_score_))
    if hasattr(search, "best_params_"):
        fluent.log_params({f"best_{k}": _param_text(v) for k, v in search.best_params_.items()})
    if hasattr(search, "cv_results_"):
        results = pd.DataFrame(search.cv_results_)
        fluent.log_text(results.to_csv(index=False), "cv_results.csv")
        _child_runs(session, search, results)


def _child_runs(session: FitSession, search: Any, results: Any) -> None:
    config = session.config
    max_runs = config.options.get("max_tuning_runs", 5)
    rank: str | None = "rank_test_score"
    if rank not in results.columns:
        rank = next((c for c in results.columns if str(c).startswith("rank_test_")), None)
    best = results if max_runs is None or rank is None else results.nsmallest(max_runs, rank)
    parent = fluent.active_run()
    if parent is None or best.empty:
        return
    seed = search.estimator
    base = seed.get_params(deep=not is_search(seed))
    client = TrackingClient()
    for _, row in best.iterrows():
        tags = {
            **config.extra_tags,
            "mlflow.parentRunId": parent.info.run_id,
            AUTOLOGGING_TAG: config.flavor,
            **_estimator_tags(seed),
        }
        child = client.create_run(parent.info.experiment_id, tags=tags)
        params = {**base, **row.get("params", {})}
        items = [Param(key=str(k), value=_param_text(v)) for k, v in params.items()]
        for i in range(0, len(items), 100):
            client.log_batch(child.info.run_id, params=items[i : i + 100])
        metrics = [
            Metric(key=str(k), value=float(v), timestamp=None, step=0)  # type: ignore[arg-type]
            for k, v in row.items()
            if not str(k).startswith(("param", "split")) and loggable(v)
        ]
        if metrics:
            client.log_batch(child.info.run_id, metrics=metrics)
        client.set_terminated(child.info.run_id, "FINISHED")
