"""Autologging's background logger: one thread per process for the work that commits.

An autologged ``fit`` writes only journal rows and artifact files (microseconds to
milliseconds); the steps of logging that read the tracking tables or commit to
Delta (the end of a model's ``log_model``: metric links, READY, the history tag, a
registration; then the end of a run autolog started) are queued here and run in
order on one daemon thread, so a fit never waits on a Delta commit. Each job names
its run explicitly (never the fluent active run), so two threads fitting at once
each log to their own run.

Reads stay consistent: :func:`wait` is registered as a tracking read barrier, so
every read through the tracking or registry clients of this process (``get_run``,
``search_runs``, ``load_model`` of a ``runs:/`` or ``models:/`` URI...) and every
``end_run`` first waits for the queue; an ``atexit`` hook drains it. A job that
fails calls its ``on_error`` (autologging turns it into one warning) and the queue
goes on. Example::

    submit(lambda: client.set_terminated(run_id, "FINISHED"), on_error=print)
    wait()   # what was submitted before has run
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from lakehouse.tracking.writer import add_read_barrier

__all__ = ["pending", "submit", "wait"]


@dataclass(frozen=True, slots=True)
class _Job:
    step: Callable[[], None]
    on_error: Callable[[Exception], None]


_cond = threading.Condition()
_jobs: deque[_Job] = deque()
_state: dict[str, threading.Thread | None] = {"thread": None, "running": None}


def submit(step: Callable[[], None], *, on_error: Callable[[Exception], None]) -> None:
    """Queue ``step`` to run after every step submitted before it (returns at once)."""
    with _cond:
        _jobs.append(_Job(step=step, on_error=on_error))
        thread = _state["thread"]
        if thread is None or not thread.is_alive():
            thread = threading.Thread(target=_loop, name="lakehouse-autolog", daemon=True)
            _state["thread"] = thread
            add_read_barrier(wait)
            thread.start()
        _cond.notify_all()
    # Re-registered each time so it runs before the tracking writer's own exit hook
    # (atexit runs last-registered first): the queue drains into the journal, which the
    # writer then commits.
    atexit.unregister(wait)
    atexit.register(wait)


def pending() -> int:
    """How many submitted steps have not finished yet (queued or running)."""
    with _cond:
        return len(_jobs) + (1 if _state["running"] is not None else 0)


def wait() -> None:
    """Block until every step submitted so far has run (a no-op on the logger's own thread)."""
    if threading.current_thread() is _state["thread"]:
        return
    with _cond:
        _cond.wait_for(_idle)


def _idle() -> bool:
    thread = _state["thread"]
    done = not _jobs and _state["running"] is None
    return done or thread is None or not thread.is_alive()


def _loop() -> None:
    while True:
        with _cond:
            _cond.wait_for(lambda: bool(_jobs))
            job = _jobs.popleft()
            _state["running"] = threading.current_thread()
        try:
            job.step()
        except Exception as exc:
            with contextlib.suppress(Exception):  # a failing report must not stop the queue
                job.on_error(exc)
        finally:
            with _cond:
                _state["running"] = None
                _cond.notify_all()
