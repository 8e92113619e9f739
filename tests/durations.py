"""Slowest first: the order in which the two xdist workers start the tests.

``make test`` runs ``-n 2 --dist worksteal``: xdist gives each worker a contiguous half of
the collection and an idle worker steals the tail of the other's queue. A test of two
minutes collected last starts last and ends the run alone. :func:`schedule` puts the
tests into halves of nearly equal expected time, each slowest first, so what is left to
steal at the end is short.

``SECONDS`` holds measured durations (``--durations`` of ``make test``, which prints the
30 slowest; seconds on the 2-core machine under the suite's load), keyed by node id.
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
    # make test, 2026-12-07 12:45 (14 min 56 s of tests, machine quiet but for the run
    # itself), --durations=45: call + setup of the slowest phases; tests listed before
    # and not among them now count at most 9 s.
    "tests/test_notebooks.py::test_notebook_runs[03_batch_scoring]": 61,
    "tests/demo/test_demo_scoring.py::test_demo_ends_with_the_nightly_scoring_job": 56,
    "tests/sql/test_spark_submit_sql.py::"
    "test_spark_submit_job_uses_three_part_names_and_schema_statements": 54,
    "tests/features/test_write_concurrency.py::test_two_writer_processes_lose_nothing": 48,
    "tests/jobs/test_batch_score.py::test_job_killed_mid_write_leaves_the_previous_version": 41,
    "tests/test_readme.py::test_readme_examples_run": 40,
    "tests/jobs/test_batch_score.py::test_job_under_spark_submit": 40,
    "tests/scoring/test_batch_features.py::"
    "test_job_scores_a_feature_store_model_and_records_the_feature_tables": 38,
    "tests/catalog/test_namespace_concurrency.py::test_four_processes_one_schema_four_tables": 35,
    "tests/scoring/test_udf_processes.py::"
    "test_executors_in_other_processes_get_the_package_shipped": 33,
    "tests/features/test_refresh.py::test_refresh_job_under_spark_submit": 29,
    "tests/test_logstore.py::test_two_spark_processes_appending_at_once_lose_nothing": 29,
    "tests/demo/test_demo_data.py::test_demo_trains_from_a_training_set_and_registers_the_best": 28,
    "tests/test_notebooks.py::test_notebook_runs[01_spark_sql_namespace]": 23,
    "tests/jobs/test_spark_submit.py::test_demo_job_under_spark_submit": 23,
    "tests/ui/test_catalog.py::test_pages_render_without_pyspark_or_a_jvm": 22,
    "tests/autolog/test_spark_ml.py::"
    "test_a_cross_validator_gives_a_parent_run_and_one_child_per_candidate": 20,
    "tests/features/test_refresh_demo.py::"
    "test_customer_features_match_the_point_in_time_code_they_replace": 19,
    "tests/scoring/test_batch.py::test_rerun_replaces_exactly_that_partition": 18,
    "tests/sql/test_system_read_only.py::"
    "test_reads_of_system_tables_and_copies_out_of_them_work": 17,
    "tests/test_notebooks.py::test_notebook_runs[04_feature_store]": 17,
    "tests/features/test_refresh.py::test_sql_refresh_creates_merges_and_records_freshness": 17,
    "tests/test_notebooks.py::test_notebook_runs[05_autologging]": 16,
    "tests/scoring/test_batch.py::test_champion_moved_between_runs_then_rolled_back": 15,
    "tests/registry/test_concurrency.py::test_four_processes_move_champion_thirty_times_each": 15,
    "tests/evaluation/test_evaluate.py::test_metrics_equal_mlflow[binary]": 14,
    "tests/autolog/test_spark_ml.py::"
    "test_a_pipeline_on_a_namespace_table_logs_stages_model_and_table_version": 13,
    "tests/sql/test_tables_sql.py::test_describe_history_and_time_travel": 13,
    "tests/sql/test_tables_sql.py::test_merge_update_delete_through_delta_table_for_name": 12,
    "tests/scoring/test_batch_features.py::"
    "test_nightly_job_conf_scores_the_next_day_point_in_time": 12,
    "tests/tracking/test_spark_sql.py::test_spark_sql_reads_compacted_tables_and_later_appends": 12,
    "tests/test_spark.py::test_a_session_without_delta_gets_a_clear_error": 11,
    "tests/scoring/test_udf_processes.py::test_structured_streaming_from_a_delta_source": 11,
    "tests/features/test_spark_ml_scoring.py::test_spark_ml_scoring_refuses_a_struct_result": 10,
    "tests/autolog/test_boosting.py::test_models_saved_by_mlflow_load_here": 10,
    "tests/ui/test_catalog.py::test_scoring_output_page_shows_which_version_scored_each_date": 10,
    "tests/cli/test_cli.py::test_listings_for_people_and_for_scripts": 10,
    "tests/evaluation/test_evaluate.py::test_metrics_equal_mlflow[multiclass]": 10,
    "tests/features/test_point_in_time_property.py::"
    "test_two_tables_in_one_sort_match_merge_asof_each": 10,
    "tests/tracking/test_concurrency.py::test_a_new_journal_is_never_taken_for_a_dead_writers": 10,
    "tests/features/test_point_in_time_property.py::test_asof_join_matches_merge_asof": 10,
    "tests/sql/test_tables_sql.py::test_merge_update_delete_in_sql": 10,
    "tests/registry/test_model_logging.py::"
    "test_history_past_the_tag_limit_keeps_the_newest_entries": 9,
    "tests/tracking/test_logged_models.py::"
    "test_spark_sql_sees_logged_models_and_spark_udf_scores_one": 9,
    "tests/ui/test_catalog.py::test_schema_page_lists_tables_by_kind_and_its_models": 9,
    "tests/scheduler/test_scheduler.py::"
    "test_due_job_runs_once_per_slot_and_a_missed_run_is_caught_up_once": 9,
    "tests/ui/test_catalog.py::test_feature_table_page_shows_keys_freshness_and_last_refresh": 9,
    "tests/tracking/test_concurrency.py::test_eight_processes_fifty_runs_each": 9,
    "tests/features/test_spark_ml_scoring.py::"
    "test_spark_ml_model_scores_the_looked_up_features_in_the_jvm": 9,
    "tests/tracking/test_logged_models.py::test_concurrent_log_model_loses_no_logged_model": 9,
    "tests/jobs/test_spark_submit.py::test_spark_submit_without_delta_says_what_to_add": 8,
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
