"""Feature-table refreshes: merge results, freshness rows, reruns that change nothing."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from lakehouse import config, paths
from lakehouse.catalog import namespace
from lakehouse.errors import ConfigError
from lakehouse.features import tables
from lakehouse.features.refresh import (
    SCHEDULER_KEYS,
    list_refreshes,
    load_refresh_config,
    refresh,
)
from lakehouse.scheduler import SCHEDULE_KEYS
from tests.spark_submit import conf_args, spark_submit, submit_env

ROOT = config.project_root()
sys.path.insert(0, str(ROOT / "jobs"))
import refresh_features  # noqa: E402

SQL = """
SELECT customer_id, order_date AS day, CAST(COUNT(*) AS BIGINT) AS orders,
       CAST(SUM(CAST(amount AS DECIMAL(18, 2))) AS DOUBLE) AS amount
FROM orders GROUP BY customer_id, order_date
"""


def transform(sources: Mapping[str, object]) -> object:
    """A Python transform named in YAML as ``tests.features.test_refresh:transform``."""
    from pyspark.sql import functions as F

    orders = sources["orders"]
    return orders.groupBy("customer_id").agg(  # type: ignore[attr-defined]
        F.count("*").alias("orders"), F.max("order_date").alias("last_order")
    )


def _orders(spark, rows: list[tuple[int, str, float]], mode: str = "overwrite") -> None:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame(
        [(c, dt.date.fromisoformat(d), a) for c, d, a in rows],
        "customer_id long, order_date date, amount double",
    )
    namespace.create_schema("main.shop")
    namespace.create_table("main.shop.orders", df, mode=mode)


def _conf(tmp_path: Path, body: str, name: str = "daily_orders.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


def _sql_conf(tmp_path: Path, extra: str = "") -> Path:
    indented = "\n".join("  " + line for line in SQL.strip().splitlines())
    return _conf(
        tmp_path,
        "table: main.shop.daily_orders\n"
        "primary_keys: [customer_id, day]\n"
        "timeseries_column: day\n"
        "description: orders per customer and day\n"
        "sources: {orders: main.shop.orders}\n"
        f"sql: |\n{indented}\n" + extra,
    )


BASE = [(1, "2026-01-01", 10.0), (1, "2026-01-01", 5.5), (2, "2026-01-02", 7.0)]


def test_sql_refresh_creates_merges_and_records_freshness(spark, home: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _orders(spark, BASE)
    conf = load_refresh_config(_sql_conf(tmp_path, 'schedule: "0 2 * * *"\njob: x.py\n'))
    first = refresh(conf)
    assert (first.rows_inserted, first.rows_updated, first.version_before) == (2, 0, None)
    assert first.source_versions == {"main.shop.orders": 0}
    # The source changes: one day updated, one new day; the rest stays.
    _orders(spark, [(1, "2026-01-01", 1.0), (3, "2026-01-03", 2.0)], mode="append")
    second = refresh(conf)
    assert (second.rows_inserted, second.rows_updated) == (1, 1)
    assert second.version_after == first.version_after + 1
    assert second.source_versions == {"main.shop.orders": 1}
    got = {
        (r.customer_id, r.day.isoformat()): (r.orders, r.amount)
        for r in tables.read_table(name="main.shop.daily_orders").collect()
    }
    assert got == {
        (1, "2026-01-01"): (3, 16.5),
        (2, "2026-01-02"): (1, 7.0),
        (3, "2026-01-03"): (1, 2.0),
    }
    recorded = list_refreshes("main.shop.daily_orders")
    assert [(r["rows_inserted"], r["rows_updated"], r["version_after"]) for r in recorded] == [
        (1, 1, second.version_after),
        (2, 0, first.version_after),
    ]
    assert recorded[0]["sources"] == [{"name": "main.shop.orders", "version": 1}]
    assert recorded[0]["job"] == "daily_orders" and recorded[0]["definition"] == "sql"
    # get_table reports the newest refresh; Spark reads the delta-rs-written system table.
    last = tables.get_table(name="main.shop.daily_orders").last_refresh
    assert last is not None and last["refresh_id"] == second.refresh_id
    assert spark.table("system.features.refreshes").count() == 2


def test_rerun_on_unchanged_inputs_changes_nothing(spark, home: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _orders(spark, BASE)
    conf = load_refresh_config(_sql_conf(tmp_path))
    first = refresh(conf)
    again = refresh(conf)
    assert (again.rows_inserted, again.rows_updated) == (0, 0)
    assert again.version_before == again.version_after == first.version_after
    assert namespace.describe_table("main.shop.daily_orders").version == first.version_after
    assert len(list_refreshes("main.shop.daily_orders")) == 2  # the check is recorded


def test_python_transform_named_in_yaml(spark, home: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _orders(spark, BASE)
    path = _conf(
        tmp_path,
        "table: main.shop.customer_orders\nprimary_keys: customer_id\n"
        "sources: {orders: main.shop.orders}\n"
        "transform: tests.features.test_refresh:transform\n",
    )
    result = refresh(load_refresh_config(path))
    assert result.rows_inserted == 2
    rows = sorted(tables.read_table(name="main.shop.customer_orders").collect())
    assert [(r.customer_id, r.orders) for r in rows] == [(1, 2), (2, 1)]
    assert list_refreshes("main.shop.customer_orders")[0]["definition"] == (
        "tests.features.test_refresh:transform"
    )


def test_bad_configs_are_errors_naming_the_key(tmp_path: Path) -> None:
    base = "table: main.shop.t\nprimary_keys: [k]\nsources: {o: main.shop.orders}\n"
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['sqll'\]; known keys:"):
        load_refresh_config(_conf(tmp_path, base + "sqll: SELECT 1\n"))
    with pytest.raises(ConfigError, match="exactly one of 'sql' or 'transform'"):
        load_refresh_config(_conf(tmp_path, base))
    with pytest.raises(ConfigError, match="must name a function as 'package.module:function'"):
        load_refresh_config(_conf(tmp_path, base + "transform: just_a_name\n"))
    with pytest.raises(ConfigError, match="missing required key 'sources'"):
        load_refresh_config(_conf(tmp_path, "table: a.b.c\nprimary_keys: k\nsql: SELECT 1\n"))


def test_scheduler_keys_match_the_scheduler() -> None:
    assert SCHEDULER_KEYS == SCHEDULE_KEYS


def test_bad_rows_leave_the_table_and_the_record_unchanged(
    spark, home: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _orders(spark, BASE)
    refresh(load_refresh_config(_sql_conf(tmp_path)))
    version = namespace.describe_table("main.shop.daily_orders").version
    dup = _conf(
        tmp_path,
        "table: main.shop.daily_orders\nprimary_keys: [customer_id, day]\n"
        "sources: {orders: main.shop.orders}\n"
        "sql: SELECT customer_id, order_date AS day, 1L AS orders, 0.0 AS amount FROM orders\n",
        name="dup.yaml",
    )
    with pytest.raises(ValueError, match=r"primary key \{'customer_id': 1, 'day': .*appears 2"):
        refresh(load_refresh_config(dup))
    assert namespace.describe_table("main.shop.daily_orders").version == version
    assert len(list_refreshes("main.shop.daily_orders")) == 1


def test_job_main_reports_rows_changed(spark, home: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _orders(spark, BASE)
    path = _sql_conf(tmp_path)
    assert refresh_features.main(["--conf-file", str(path)]) == 0
    assert refresh_features.main(["--conf-file", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("refreshed main.shop.daily_orders: 2 rows computed from ")
    assert out[1] == "lakehouse-job: rows_changed=2"
    assert "0 inserted, 0 updated; version v0 -> v0" in out[2]
    assert out[3] == "lakehouse-job: rows_changed=0"


@pytest.mark.slow
def test_refresh_job_under_spark_submit(spark, home: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _orders(spark, BASE)
    path = _sql_conf(tmp_path)
    env = submit_env(Path(paths.to_local_path(home)))
    out = spark_submit(
        *conf_args(env),
        str(ROOT / "jobs" / "refresh_features.py"),
        "--conf-file",
        str(path),
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "2 inserted, 0 updated; version new table -> v0" in out.stdout
    assert "lakehouse-job: rows_changed=2" in out.stdout
    [recorded] = list_refreshes("main.shop.daily_orders")
    assert recorded["sources"] == [{"name": "main.shop.orders", "version": 0}]
    assert tables.read_table(name="main.shop.daily_orders").count() == 2
