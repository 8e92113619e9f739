"""Post-training metrics: ``accuracy_score(y_test, model.predict(X_test))`` after an
autologged ``fit`` is logged on the model's run as ``accuracy_score_X_test``.

As MLflow does: ``predict``-like calls of a model fitted under autologging remember
their result (by object id, forgotten when the result is collected) with the name
of the variable passed as data; a metric function that receives such a result
logs ``{metric}[-{n}]_{dataset}`` on that run (``-2``, ``-3``... for repeated
calls of one metric on one dataset), and ``metric_info.json`` records each key's
call. ``model.score(X_test, y_test)`` logs ``{Class}_score_X_test``.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from lakehouse.tracking.client import TrackingClient

__all__ = ["PostTrainingMetrics", "variable_name"]

_OUR_FILES = ("lakehouse/autologging/", "lakehouse\\autologging\\")


def variable_name(value: Any, fallback: str) -> str:
    """The name of the caller's variable holding ``value`` (MLflow's lookup), else ``fallback``.

    Frames of autologging and of the library being patched are skipped: the name is
    taken in the outermost frame that did not receive ``value`` as an argument.
    """
    if value is None:
        return fallback
    try:
        frame = inspect.currentframe()
        frame = frame.f_back if frame is not None else None
        while frame is not None:
            if any(part in frame.f_code.co_filename for part in _OUR_FILES):
                frame = frame.f_back
                continue
            info = inspect.getargvalues(frame)
            args = [info.locals[a] for a in info.args if a in info.locals]
            if info.varargs:
                args += list(info.locals.get(info.varargs, ()))
            if info.keywords:
                args += list(info.locals.get(info.keywords, {}).values())
            if any(value is a for a in args):
                frame = frame.f_back
                continue
            for name, local in frame.f_locals.items():
                if local is value:
                    return str(name)
            return fallback
    except Exception:
        return fallback
    return fallback


def loggable(value: Any) -> bool:
    """A number MLflow would log as a metric (bools are not)."""
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


class PostTrainingMetrics:
    """Which run each autologged model, prediction and dataset name belongs to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
        self._results: dict[int, tuple[str, str]] = {}  # id(prediction) -> (run, dataset)
        self._datasets: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._calls: dict[str, dict[str, list[tuple[str, Any]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._local = threading.local()

    # -- scoping ------------------------------------------------------------------------
    @contextmanager
    def paused(self) -> Iterator[None]:
        """No post-training logging inside (nested predict/metric calls, training metrics)."""
        before = getattr(self._local, "paused", False)
        self._local.paused = True
        try:
            yield
        finally:
            self._local.paused = before

    @property
    def active(self) -> bool:
        return not getattr(self._local, "paused", False)

    # -- registration -------------------------------------------------------------------
    def register_model(self, model: Any, run_id: str) -> None:
        try:
            with self._lock:
                self._models[model] = run_id
        except TypeError:  # not weak-referenceable or unhashable: no post-training metrics
            pass

    def run_of(self, model: Any) -> str | None:
        try:
            return self._models.get(model)
        except TypeError:
            return None

    def dataset_name(self, run_id: str, data: Any) -> str:
        """The variable name of ``data``, suffixed ``-2``, ``-3``... for other objects."""
        name = variable_name(data, "unknown_dataset")
        with self._lock:
            ids = self._datasets[run_id][name]
            if id(data) not in ids:
                ids.append(id(data))
            index = ids.index(id(data))
        return name if index == 0 else f"{name}-{index + 1}"

    def register_result(self, run_id: str, dataset: str, result: Any) -> None:
        key = id(result)
        with self._lock:
            self._results[key] = (run_id, dataset)
        # A result that cannot be weak-referenced stays until its id is reused.
        with contextlib.suppress(TypeError):
            weakref.finalize(result, self._forget, key)

    def _forget(self, key: int) -> None:
        with self._lock:
            self._results.pop(key, None)

    def find(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, str] | None:
        with self._lock:
            for arg in [*args, *kwargs.values()]:
                if arg is not None and not np.isscalar(arg) and id(arg) in self._results:
                    return self._results[id(arg)]
        return None

    # -- logging ------------------------------------------------------------------------
    def metric_key(self, run_id: str, metric: str, dataset: str, command: Any) -> str:
        with self._lock:
            calls = self._calls[run_id][metric]
            key = metric if not calls else f"{metric}-{len(calls) + 1}"
            key = f"{key}_{dataset}"
            calls.append((key, command))
        return key

    def log(self, run_id: str, key: str, value: float) -> None:
        """Log the metric on its run (ended or not) and rewrite ``metric_info.json``."""
        import json

        client = TrackingClient()
        client.log_metric(run_id, key, float(value))
        with self._lock:
            calls = sorted(
                (c for per in self._calls[run_id].values() for c in per), key=lambda c: c[0]
            )
            info = dict(calls)
        client.log_bytes(run_id, json.dumps(info, indent=2).encode("utf-8"), "metric_info.json")


def call_command(
    func: Callable[..., Any], owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> str:
    """``accuracy_score(y_true=y_test, y_pred=<ndarray>)``: how a metric was called."""

    def show(arg: Any) -> str:
        if arg is None or np.isscalar(arg):
            if isinstance(arg, str) and len(arg) > 32:
                return repr(arg[:32] + "...")
            return repr(arg)
        return variable_name(arg, f"<{type(arg).__name__}>")

    try:
        names = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        names = []
    if owner is not None and names:
        names = names[1:]
    parts = [f"{n}={show(a)}" for n, a in zip(names, args, strict=False)]
    parts += [f"{n}={show(a)}" for n, a in kwargs.items()]
    name = getattr(func, "__name__", "metric")
    if owner is not None:
        name = f"{type(owner).__name__}.{name}"
    return f"{name}({', '.join(parts)})"
