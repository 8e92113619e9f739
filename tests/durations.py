"""Slowest first: the order in which the two xdist workers start the tests.

``make test`` runs ``-n 2 --dist worksteal``: xdist gives each worker a contiguous half of
the collection and an idle worker steals the tail of the other's queue. A test of two
minutes collected last starts last and ends the run alone. :func:`schedule` puts the
tests into halves of nearly equal expected time, each slowest first, so what is left to
steal at the end is short.

``SECONDS`` holds measured durations (``--durations=30`` of ``make test``, seconds on
the 2-core machine under the suite's load), keyed by node id without the parameters.
Refresh it when a slow test is added or sped up; a test that is not listed counts
:data:`SLOW_DEFAULT` seconds when marked ``slow``, else :data:`FAST_DEFAULT`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

__all__ = ["SECONDS", "expected_seconds", "schedule"]

SLOW_DEFAULT = 40.0
FAST_DEFAULT = 1.5

SECONDS: dict[str, float] = {
    # make test, 2026-12-07 06:07 (23.5 min, load average 9 to 10: a benchmark ran beside it)
    "tests/test_logstore.py::test_two_spark_processes_appending_at_once_lose_nothing": 178,
    "tests/features/test_write_concurrency.py::test_two_writer_processes_lose_nothing": 166,
    "tests/test_notebooks.py::test_notebook_runs[03_batch_scoring]": 138,
    "tests/sql/test_spark_submit_sql.py::"
    "test_spark_submit_job_uses_three_part_names_and_schema_statements": 122,
    "tests/demo/test_demo_scoring.py::test_demo_ends_with_the_nightly_scoring_job": 107,
    "tests/catalog/test_namespace_concurrency.py::test_four_processes_one_schema_four_tables": 105,
    "tests/test_notebooks.py::test_notebook_runs[01_spark_sql_namespace]": 98,
    "tests/features/test_refresh.py::test_refresh_job_under_spark_submit": 92,
    "tests/jobs/test_batch_score.py::test_job_under_spark_submit": 89,
    "tests/jobs/test_batch_score.py::test_job_killed_mid_write_leaves_the_previous_version": 89,
    "tests/jobs/test_spark_submit.py::test_demo_job_under_spark_submit": 71,
    "tests/scoring/test_udf_processes.py::"
    "test_executors_in_other_processes_get_the_package_shipped": 68,
    "tests/test_readme.py::test_readme_examples_run": 41,
    # the notebooks after the first on a worker share its kernel and JVM
    "tests/test_notebooks.py::test_notebook_runs[04_feature_store]": 36,
    "tests/jobs/test_spark_submit.py::test_spark_submit_without_delta_says_what_to_add": 35,
    "tests/demo/test_demo_data.py::test_demo_trains_from_a_training_set_and_registers_the_best": 28,
    "tests/test_notebooks.py::test_notebook_runs[05_autologging]": 26,
    "tests/test_notebooks.py::test_notebook_runs[02_tracking]": 17,
    "tests/registry/test_concurrency.py::test_four_processes_register_fifteen_versions_each": 14,
}


def expected_seconds(item: pytest.Item) -> float:
    """The measured or assumed duration of ``item``."""
    known = SECONDS.get(item.nodeid)
    if known is not None:
        return known
    return SLOW_DEFAULT if item.get_closest_marker("slow") else FAST_DEFAULT


def schedule(items: Sequence[pytest.Item], workers: int) -> list[pytest.Item]:
    """``items`` cut into ``workers`` contiguous shares as xdist cuts them, slowest first.

    A share has the size xdist's work-stealing scheduler gives (``pending // nodes``
    each, the rest to the last); the tests are dealt longest first to the share with
    the least expected time that still has room, and each share runs longest first.
    """
    sizes, left = [], len(items)
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    totals = [0.0] * workers
    for item in sorted(items, key=expected_seconds, reverse=True):  # stable: ties keep order
        room = [w for w in range(workers) if len(shares[w]) < sizes[w]]
        target = min(room, key=lambda w: totals[w])
        shares[target].append(item)
        totals[target] += expected_seconds(item)
    return [item for share in shares for item in share]
