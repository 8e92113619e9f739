"""Real processes for race tests: spawned, never forked, and started together.

Processes that use delta-rs are started with ``spawn`` (DESIGN.md): ``fork`` copies a
process whose delta-rs threads may hold locks, and the child can hang. A worker runs
in a fresh interpreter, so it is a module-level function and sets its own configuration.

Example::

    def _register(home: str, count: int, barrier: Any) -> list[int]:
        config.set_config(home=home)
        ...                        # set-up that should not count as the race
        barrier.wait(timeout=120)  # every worker starts the race at the same moment
        return [register_model(...).version for _ in range(count)]

    per_worker = race(_register, [(home, 50)] * 8)
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import Any, TypeVar

__all__ = ["SPAWN", "race", "race_each", "spawned_pool"]

T = TypeVar("T")

SPAWN = mp.get_context("spawn")


@contextmanager
def spawned_pool(processes: int) -> Iterator[Pool]:
    """A pool of ``processes`` spawned workers, terminated on exit.

    Terminating (``Pool.__exit__``) skips the workers' exit-time flush: a race test
    that reads afterwards sees what a crashed worker would have left.
    """
    with SPAWN.Pool(processes) as pool:
        yield pool


def race(target: Callable[..., T], calls: Sequence[tuple[Any, ...]]) -> list[T]:
    """Run ``target(*args, barrier)`` for each ``args`` in its own spawned process.

    The barrier has one party per call, so workers that wait on it after their
    set-up all go at once. Returns each call's result, in the order of ``calls``;
    a worker's exception is raised here.
    """
    return race_each([(target, args) for args in calls])


def race_each(calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[Any]:
    """Like :func:`race`, with a target per call: ``[(rename, (home,)), (register, (home,))]``."""
    with SPAWN.Manager() as manager:
        barrier = manager.Barrier(len(calls))
        with spawned_pool(len(calls)) as pool:
            pending = [pool.apply_async(target, (*args, barrier)) for target, args in calls]
            return [result.get() for result in pending]
