"""XGBoost and LightGBM autologging: their native ``train`` and their sklearn-API ``fit``.

Both libraries are logged the same way (MLflow's ``xgboost``/``lightgbm`` autolog):
the params, per-iteration metrics of every evaluation set with the iteration as
step (``train-logloss``, ``valid_0-multi_logloss``...), ``stopped_iteration`` and
``best_iteration`` with early stopping, feature importance per importance type
(``feature_importance_{type}.json`` and ``.png``), and the model in the library's
own flavor (native model files). An sklearn-API fit also logs ``get_params()``,
the training data as a run input and a signature; the ``train`` it calls inside
is part of that fit, not a run of its own. A :class:`Library` describes what
differs between the two.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lakehouse.autologging import datasets as _datasets
from lakehouse.autologging import patching, plots
from lakehouse.autologging.session import (
    AutologConfig,
    FitSession,
    get_config,
    log_fitted_model,
    set_config,
)
from lakehouse.models.signature import infer_signature
from lakehouse.tracking import fluent
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.entities import Metric
from lakehouse.tracking.validation import MAX_PARAM_VALUE_LENGTH

__all__ = ["Library", "enable", "log_iterations"]

INPUT_EXAMPLE_ROWS = 5


@dataclass(frozen=True, slots=True)
class Library:
    """What differs between XGBoost and LightGBM for autologging."""

    flavor: str
    module: Any  # the library's top module (xgboost / lightgbm)
    sklearn_module: Any  # its sklearn-API module, whose `train` the fits call
    estimators: tuple[type, ...]
    unlogged_args: tuple[str, ...]  # train() arguments that are data or callables
    save: Callable[..., Any]  # the flavor's save_model(model, location, **kwargs)
    native_train: Callable[
        [Callable[..., Any], tuple[Any, ...], dict[str, Any]], tuple[Any, dict[str, Any]]
    ]
    # (original, args, kwargs) -> (booster, {data: {metric: [values per iteration]}})
    sklearn_history: Callable[[Any], Mapping[str, Mapping[str, list[float]]]]
    importances: Callable[[Any, str], dict[str, float]]  # (model, importance type)
    one_based_best: bool  # LightGBM counts best_iteration from 1 (0: no early stopping)
    data_class: type  # xgboost.DMatrix / lightgbm.Dataset: remembers an input example
    predict_native: Callable[[Any, Any], Any]  # (booster, example frame) -> predictions
    # A native training set's (features, labels or None), None when they cannot be read
    training_data: Callable[[Any], tuple[Any, Any] | None]


def enable(library: Library, config: AutologConfig) -> None:
    """Install the patches of one library (its previous ones removed first)."""
    patching.revert(library.flavor)
    set_config(config, library.flavor)
    for module in (library.module, library.sklearn_module):
        patching.patch(library.flavor, module, "train", _train_patch(library))
    for cls in library.estimators:
        patching.patch(library.flavor, cls, "fit", _fit_patch(library))
    patching.patch(library.flavor, library.data_class, "__init__", _data_patch)


EXAMPLE_ATTR = "_lakehouse_input_example"


def _data_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    """Keep the first rows of a native training set's data: its model's signature."""

    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        data = args[0] if args else kwargs.get("data")
        with contextlib.suppress(Exception):  # an example is optional; never break the data
            if hasattr(data, "iloc") or hasattr(data, "shape"):
                setattr(self, EXAMPLE_ATTR, _head(data))

    return patched


def _text(value: Any) -> str:
    text = str(value)
    return (
        text if len(text) <= MAX_PARAM_VALUE_LENGTH else text[: MAX_PARAM_VALUE_LENGTH - 3] + "..."
    )


def _clean(name: str) -> str:
    return name.replace("@", "_at_")  # MLflow's rename: '@' is not allowed in a metric key


def log_iterations(
    run_id: str, history: Mapping[str, Mapping[str, list[float]]]
) -> dict[int, dict[str, float]]:
    """Log ``{data}-{metric}`` at each iteration as its step; returns the points by step."""
    by_step: dict[int, dict[str, float]] = {}
    for data, per_metric in history.items():
        for metric, values in per_metric.items():
            for step, value in enumerate(values):
                point = value[0] if isinstance(value, tuple | list) else value
                by_step.setdefault(step, {})[_clean(f"{data}-{metric}")] = float(point)
    points = [
        Metric(key=k, value=v, timestamp=None, step=step)  # type: ignore[arg-type]
        for step, metrics in by_step.items()
        for k, v in metrics.items()
    ]
    client = TrackingClient()
    for i in range(0, len(points), 1000):
        client.log_batch(run_id, metrics=points[i : i + 1000])
    return by_step


def _log_importances(library: Library, model: Any) -> None:
    config = get_config(library.flavor)
    kinds = (config.options.get("importance_types") if config else None) or ()
    for kind in kinds:
        values = library.importances(model, kind)
        if values:
            fluent.log_dict(values, f"feature_importance_{kind}.json")
            fig = plots.feature_importance_figure(values)
            fig.axes[0].set_title(f"Feature importance ({kind})")
            fluent.log_figure(fig, f"feature_importance_{kind}.png")


def _log_model(
    library: Library, config: AutologConfig, model: Any, signature: Any, example: Any
) -> None:
    extra = dict(config.options.get("save_options") or {})
    log_fitted_model(
        config,
        lambda location: library.save(
            model,
            location,
            signature=signature,
            input_example=example if config.log_input_examples else None,
            **extra,
        ),
        "model",
        config.registered_model_name,
    )


def _early_stopping(library: Library, booster: Any, by_step: dict[int, dict[str, float]]) -> None:
    """MLflow's early-stopping metrics: where training stopped, the best iteration, and the
    best iteration's metrics again at the step after the last one."""
    best = getattr(booster, "best_iteration", None)
    if best is None or best < 0 or not by_step or (library.one_based_best and best == 0):
        return
    stopped = max(by_step) + (1 if library.one_based_best else 0)
    fluent.log_metrics({"stopped_iteration": float(stopped), "best_iteration": float(best)})
    index = best - 1 if library.one_based_best else best
    if index in by_step:
        fluent.log_metrics(by_step[index], step=max(by_step) + 1)


# -- native train ---------------------------------------------------------------------------
def _train_params(
    original: Callable[..., Any], library: Library, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, str]:
    bound = inspect.signature(original).bind_partial(*args, **kwargs)
    bound.apply_defaults()
    params = dict(bound.arguments.get("params") or {})
    for name, value in bound.arguments.items():
        if name != "params" and name not in library.unlogged_args:
            params.setdefault(name, value)
    return {str(k): _text(v) for k, v in params.items()}


def _train_patch(library: Library) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def patched(*args: Any, **kwargs: Any) -> Any:
            config = get_config(library.flavor)
            if config is None:
                return original(*args, **kwargs)
            with FitSession(config, None) as session:
                if not session.should_log:  # inside an sklearn-API fit, which logs it
                    return original(*args, **kwargs)
                session.attempt(
                    "logging params",
                    lambda: fluent.log_params(_train_params(original, library, args, kwargs)),
                )
                data = args[1] if len(args) > 1 else kwargs.get("dtrain", kwargs.get("train_set"))
                if config.log_datasets:
                    session.attempt(
                        "logging the training dataset", lambda: _log_native_data(library, data)
                    )
                booster, history = library.native_train(original, args, kwargs)
                session.example = getattr(data, EXAMPLE_ATTR, None)
                session.attempt(
                    "logging the trained model",
                    lambda: _after_train(library, config, session, booster, history),
                )
                return booster

        return patched

    return make


def _log_native_data(library: Library, data: Any) -> None:
    """The native training set's features and labels as a run input (as MLflow), if readable.

    Taken before training: LightGBM frees a Dataset's raw data once it is constructed.
    """
    parts = None
    with contextlib.suppress(Exception):  # a set built from a file or a stream: no input
        parts = library.training_data(data)
    if parts is not None:
        _datasets.log_training_data(parts[0], parts[1], "train")


def _after_train(
    library: Library, config: AutologConfig, session: FitSession, booster: Any, history: Any
) -> None:
    assert session.run_id is not None
    by_step = log_iterations(session.run_id, history)
    _early_stopping(library, booster, by_step)
    _log_importances(library, booster)
    if config.log_models:
        example = session.example
        signature = None
        if config.log_model_signatures and example is not None:
            signature = infer_signature(example, library.predict_native(booster, example))
        _log_model(library, config, booster, signature, example)


# -- sklearn-API fit ------------------------------------------------------------------------


def _fit_patch(library: Library) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def patched(self: Any, X: Any, y: Any = None, *args: Any, **kwargs: Any) -> Any:
            config = get_config(library.flavor)
            if config is None:
                return original(self, X, y, *args, **kwargs)
            with FitSession(config, self) as session:
                if not session.should_log:
                    return original(self, X, y, *args, **kwargs)
                example = session.attempt("taking an input example", lambda: _head(X))
                session.attempt("logging params", lambda: _log_sklearn_params(self))
                if config.log_datasets:
                    session.attempt(
                        "logging the training dataset",
                        lambda: _datasets.log_training_data(X, y, "train"),
                    )
                result = original(self, X, y, *args, **kwargs)
                session.attempt(
                    "logging the trained model",
                    lambda: _after_fit(library, config, session, self, example),
                )
                return result

        return patched

    return make


def _head(X: Any) -> Any:
    head = X.iloc[:INPUT_EXAMPLE_ROWS] if hasattr(X, "iloc") else X[:INPUT_EXAMPLE_ROWS]
    return head.copy() if hasattr(head, "copy") else head


def _log_sklearn_params(estimator: Any) -> None:
    fluent.log_params({str(k): _text(v) for k, v in estimator.get_params().items()})
    cls = type(estimator)
    fluent.set_tags(
        {"estimator_name": cls.__name__, "estimator_class": f"{cls.__module__}.{cls.__name__}"}
    )


def _after_fit(
    library: Library, config: AutologConfig, session: FitSession, model: Any, example: Any
) -> None:
    assert session.run_id is not None
    history = library.sklearn_history(model)
    by_step = log_iterations(session.run_id, history)
    booster = (
        model.get_booster() if hasattr(model, "get_booster") else getattr(model, "booster_", None)
    )
    if booster is not None:
        _early_stopping(library, booster, by_step)
        _log_importances(library, booster)
    if config.log_models:
        signature = None
        if config.log_model_signatures and example is not None:
            signature = infer_signature(example, model.predict(example))
        _log_model(library, config, model, signature, example)
