"""The end-to-end demo pipeline that ``make demo`` / ``lakehouse demo`` runs.

Step 1 writes a seeded synthetic churn data set into ``main.demo`` as Delta
tables and builds the feature table ``main.demo.customer_features`` with the
scheduled refresh job's code; step 2 trains churn models as tracked runs from a
point-in-time training set over it and registers the best as ``champion``; step 3
runs the nightly batch-scoring job of ``conf/batch_score.yaml`` for the last day,
which looks the same features up as ``score_batch`` does.
"""

from __future__ import annotations

import datetime as dt
import shlex
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

import click

from lakehouse.catalog import namespace
from lakehouse.cli.output import console, print_table
from lakehouse.config import get_config
from lakehouse.demo.customer_features import CUSTOMER_FEATURES, refresh_customer_features
from lakehouse.demo.customer_features import describe as describe_refresh
from lakehouse.demo.data import DEMO_END, LABEL_HORIZON_DAYS, generate
from lakehouse.demo.scoring import JOB_CONF, SPINE, score_nightly
from lakehouse.demo.train import EXPERIMENT, MODEL_NAME, train_and_register
from lakehouse.paths import to_local_path
from lakehouse.spark import spark
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.maintenance import compact
from lakehouse.tracking.writer import flush_all

__all__ = ["DemoTable", "command", "run_demo", "ui_lines", "write_demo_tables"]

DEMO_SCHEMA = "main.demo"


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoTable:
    """One table the demo wrote: its full name, rows, partition columns and location."""

    name: str
    rows: int
    partition_by: tuple[str, ...]
    location: str


def write_demo_tables(
    customers: int = 2000,
    *,
    days: int = 90,
    seed: int = 42,
    progress: Callable[[str], None] = print,
) -> list[DemoTable]:
    """Write customers, orders and churn_labels into ``main.demo`` (replacing them)."""
    session = spark()
    namespace.create_schema(DEMO_SCHEMA, comment="Synthetic churn data from `lakehouse demo`.")
    data = generate(customers, days=days, seed=seed)
    specs = [
        ("customers", data.customers, (), "One row per customer: signup date, plan, region."),
        ("orders", data.orders, ("order_date",), "Orders with timestamps, amounts, returns."),
        (
            "churn_labels",
            data.labels,
            ("label_date",),
            "Daily labels: churned = the customer churns within the next 30 days.",
        ),
    ]
    made = []
    for table, frame, partition_by, comment in specs:
        name = f"{DEMO_SCHEMA}.{table}"
        progress(f"writing {name} ({len(frame):,} rows) ...")
        df = session.createDataFrame(frame)
        desc = namespace.create_table(
            name, df, comment=comment, partition_by=partition_by, mode="overwrite"
        )
        made.append(
            DemoTable(name=name, rows=len(frame), partition_by=partition_by, location=desc.location)
        )
    return made


def run_demo(customers: int = 2000, *, days: int = 90, seed: int = 42) -> None:
    """Run every demo step and print what it made and where it lives."""
    started = time.perf_counter()
    console.print(f"[bold]lakehouse demo[/bold]: root {get_config().home_uri}")
    console.print(
        f"step 1/3: synthetic churn data (seed {seed}, {customers} customers, {days} days)"
    )
    tables = write_demo_tables(
        customers, days=days, seed=seed, progress=lambda m: console.print("  " + m)
    )
    print_table(
        [
            {"table": t.name, "rows": f"{t.rows:,}", "partitioned by": ", ".join(t.partition_by)}
            for t in tables
        ],
        ["table", "rows", "partitioned by"],
        title="Demo tables",
    )
    for t in tables:
        console.print(f"  {t.name} -> {t.location}", soft_wrap=True)
    # The nightly refresh job's code (conf/features/customer_features.yaml).
    console.print("  " + describe_refresh(refresh_customer_features()), soft_wrap=True)
    as_of = DEMO_END - dt.timedelta(days=LABEL_HORIZON_DAYS + 1)
    console.print(
        f"step 2/3: train churn models as tracked runs in {EXPERIMENT} (as of {as_of})",
        soft_wrap=True,
    )
    result = train_and_register(as_of, progress=lambda m: console.print("  " + m))
    console.print(
        f"best run: {result.best_run_id} ({result.best_model}, auc {result.best_auc:.3f}) "
        f"of {result.runs} runs"
    )
    console.print(
        f"registered {MODEL_NAME} version {result.version} (with its feature spec: "
        f"{', '.join(f'{t}@v{v}' for t, v in result.feature_versions.items())}); "
        f"alias champion -> version {result.version}",
        soft_wrap=True,
    )
    _score_nightly()
    # What a nightly job does after logging: keep first searches of the next day cheap.
    flush_all()
    dropped = sum(r.rows_before - r.rows_after for r in compact(get_config()))
    console.print(f"compacted system.tracking.*: dropped {dropped:,} superseded rows")
    console.print(
        f"done in {time.perf_counter() - started:.1f} s. Try: lakehouse tables main.demo; "
        f"lakehouse models describe {MODEL_NAME}@champion"
    )
    experiment = TrackingClient().get_experiment_by_name(EXPERIMENT)
    if experiment is not None:
        lines = ui_lines(
            get_config().home_uri,
            experiment_id=experiment.experiment_id,
            experiment_name=EXPERIMENT,
            model_name=MODEL_NAME,
        )
        for line in lines:
            console.print(line, soft_wrap=True)


def ui_lines(
    home_uri: str,
    *,
    experiment_id: str,
    experiment_name: str,
    model_name: str,
    port: int = 5000,
) -> list[str]:
    """What to run to look at the demo in the web UI, and the pages to open.

    The demo only prints these (it never imports the UI). Example::

        ui_lines("file:///tmp/lh", experiment_id="3", experiment_name="main.demo.churn",
                 model_name="main.demo.churn_model")[1]
        # '  lakehouse --home /tmp/lh ui --port 5000'
    """
    base = f"http://127.0.0.1:{port}"
    root = shlex.quote(to_local_path(home_uri))
    return [
        "Look at it in the web UI:",
        f"  lakehouse --home {root} ui --port {port}",
        f"  experiment {experiment_name}: {base}/experiments/{_segment(experiment_id)}",
        f"  model {model_name}: {base}/models/{_segment(model_name)}",
    ]


def _segment(part: str) -> str:
    # One percent-encoded path segment, as the UI's links are written.
    return urllib.parse.quote(part, safe="")


def _score_nightly() -> None:
    """Step 3: the nightly scoring job (conf/batch_score.yaml) on the last demo day."""
    console.print(
        f"step 3/3: nightly scoring job ({JOB_CONF.name}) of {DEMO_END} with "
        f"{MODEL_NAME}@champion: the spine {SPINE}, features looked up in "
        f"{CUSTOMER_FEATURES} as of that day",
        soft_wrap=True,
    )
    scores = score_nightly(DEMO_END, console=console)
    console.print(
        f"  {scores.rows:,} scores of {scores.date} by {MODEL_NAME} version "
        f"{scores.model_version} -> {scores.table} version {scores.table_version} "
        f"(partition as_of_date={scores.date}) at {scores.location}",
        soft_wrap=True,
    )


# `lakehouse demo`: installed as an entry point in the "lakehouse.commands" group (see
# pyproject.toml), so the CLI finds it without importing the demo.
@click.command("demo")
@click.option("--rows", default=2000, show_default=True, help="Number of customers.")
@click.option("--seed", default=42, show_default=True, help="Random seed (same seed, same data).")
@click.option("--days", default=90, show_default=True, help="Days of order history.")
def command(rows: int, seed: int, days: int) -> None:
    """Run the end-to-end demo pipeline on the local warehouse."""
    run_demo(customers=rows, seed=seed, days=days)
