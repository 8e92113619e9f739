"""One autologged training call: its run, its nesting, and its failures.

:class:`FitSession` wraps a patched ``fit``: it starts a run when none is
active (and ends it FINISHED, or FAILED when ``fit`` raises), logs into the
user's run otherwise (unless the flavor is ``exclusive``), and knows when it is
nested inside another autologged fit of the same thread (a Pipeline's steps, a
search's candidates), which then trains without logging. Every logging step
goes through :meth:`FitSession.attempt`: the first failure becomes one warning
and the rest of the logging for that fit is skipped, while training goes on.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

from lakehouse.autologging import background, patching
from lakehouse.models.mlmodel import MLModel
from lakehouse.registry import model_logging
from lakehouse.tracking import fluent
from lakehouse.tracking.entities import RunStatus

__all__ = [
    "AUTOLOGGING_TAG",
    "AutologConfig",
    "AutologWarning",
    "FitSession",
    "get_config",
    "log_fitted_model",
]

AUTOLOGGING_TAG = "mlflow.autologging"  # MLflow's tag on runs that autologging started
_T = TypeVar("_T")


class AutologWarning(UserWarning):
    """Autologging could not log something; training went on."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AutologConfig:
    """The settings of one flavor's autologging (MLflow's ``autolog`` arguments)."""

    flavor: str
    log_models: bool = True
    log_input_examples: bool = False
    log_model_signatures: bool = True
    log_datasets: bool = True
    log_post_training_metrics: bool = True
    exclusive: bool = False
    silent: bool = False
    registered_model_name: str | None = None
    extra_tags: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)  # flavor-specific


_configs: dict[str, AutologConfig] = {}
_configs_lock = threading.Lock()
_local = threading.local()


def set_config(config: AutologConfig | None, flavor: str) -> None:
    """Install (or with None remove) a flavor's settings."""
    with _configs_lock:
        if config is None:
            _configs.pop(flavor, None)
        else:
            _configs[flavor] = config


def reset(flavor: str) -> None:
    """Undo a flavor's autologging: every patched method restored, its settings removed.

    Every flavor's ``autolog`` starts with it (calling again replaces the settings).
    """
    patching.revert(flavor)
    set_config(None, flavor)


def make_config(
    flavor: str, *, extra_tags: Mapping[str, Any] | None, **settings: Any
) -> AutologConfig:
    """A flavor's settings from its ``autolog`` arguments (``extra_tags`` kept as strings)."""
    tags = {str(k): str(v) for k, v in (extra_tags or {}).items()}
    return AutologConfig(flavor=flavor, extra_tags=tags, **settings)


def get_config(flavor: str) -> AutologConfig | None:
    """The flavor's settings while it is enabled, else None."""
    return _configs.get(flavor)


def _depth() -> list[str]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def in_training() -> bool:
    """Whether an autologged training call is running in this thread."""
    return bool(_depth())


@contextmanager
def not_logged() -> Iterator[None]:
    """Training calls inside are not logged (as if nested in an autologged fit)."""
    _depth().append("")
    try:
        yield
    finally:
        _depth().pop()


def warn(config: AutologConfig, message: str) -> None:
    """Emit one autologging warning unless the flavor is silent."""
    if not config.silent:
        warnings.warn(message, AutologWarning, stacklevel=4)


class FitSession:
    """The context of one autologged training call (see the module docstring).

    Usage::

        with FitSession(config, estimator) as s:
            if not s.should_log:
                return original(...)
            s.attempt("params", log_params)
            result = original(...)          # the user's exception passes unchanged
            s.attempt("model", log_model)
    """

    def __init__(self, config: AutologConfig, estimator: Any):
        self.config = config
        self.estimator = estimator
        self.nested = in_training()
        self.run_id: str | None = None
        self.started_run = False
        self.failed: str | None = None
        self.example: Any = None  # an input example found while training (native APIs)
        self._outer: FitSession | None = None
        user_run = fluent.active_run()
        self.should_log = not self.nested and not (config.exclusive and user_run is not None)
        if user_run is not None:
            self.run_id = user_run.info.run_id

    def __enter__(self) -> FitSession:
        _depth().append(self.config.flavor)
        if self.should_log:
            self._outer, _local.session = getattr(_local, "session", None), self
        if self.should_log and self.run_id is None:
            self.attempt("starting a run", self._start)
        return self

    def _start(self) -> None:
        tags = {**self.config.extra_tags, AUTOLOGGING_TAG: self.config.flavor}
        run = fluent.start_run(tags=tags)
        self.run_id = run.info.run_id
        self.started_run = True

    def attempt(self, what: str, step: Callable[[], _T]) -> _T | None:
        """Run one logging step; its failure becomes this fit's single warning."""
        if not self.should_log or self.failed is not None:
            return None
        if self.run_id is None and what != "starting a run":
            return None
        try:
            return step()
        except Exception as exc:
            self._report(what, exc)
            return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _depth().pop()
        if self.should_log:
            _local.session = self._outer
        if not self.started_run:
            return
        status = RunStatus.FINISHED if exc_type is None else RunStatus.FAILED
        if exc_type is KeyboardInterrupt:
            status = RunStatus.KILLED
        run_id = self.run_id
        assert run_id is not None  # started_run
        try:
            # Ended on the background logger, after the models this fit handed to it.
            client = fluent.leave_run(run_id)
            if client is not None:
                background.submit(
                    lambda: client.set_terminated(run_id, status),
                    on_error=lambda exc: self._report("ending the run", exc),
                )
        except Exception as end_exc:  # never hide the user's exception or result
            self._report("ending the run", end_exc)

    def _report(self, what: str, exc: Exception) -> None:
        """This fit's single warning (the first failure; later ones are dropped)."""
        if self.failed is not None:
            return
        self.failed = what
        warn(
            self.config,
            f"lakehouse autologging ({self.config.flavor}) failed while {what} for "
            f"{type(self.estimator).__name__} (run {self.run_id}): {type(exc).__name__}: "
            f"{exc}. Training went on; what was logged before this point is kept.",
        )


def log_fitted_model(
    config: AutologConfig,
    save: Callable[[str], MLModel],
    name: str,
    registered_model_name: str | None = None,
) -> None:
    """Log a model into this thread's active run without waiting on a Delta commit.

    The package is saved now (so later changes to the estimator do not reach it);
    the rest of ``log_model`` runs on the background logger (:mod:`.background`),
    where a failure becomes one warning.
    """
    run = fluent.active_run()
    if run is None:
        raise RuntimeError("autologging logs a model only inside the fit's run")
    session: FitSession | None = getattr(_local, "session", None)
    report: Callable[[Exception], None] = (
        (lambda exc: session._report(f"logging the model {name!r}", exc))
        if session is not None and session.run_id == run.info.run_id
        else (lambda exc: warn(config, f"lakehouse autologging could not log a model: {exc}"))
    )
    model_logging.log_model_in_background(
        save,
        name,
        client=fluent.current_client(),
        run=run.info,
        registered_model_name=registered_model_name,
        submit=lambda step: background.submit(step, on_error=report),
    )
