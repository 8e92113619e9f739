"""Demo nightly scoring: the batch-scoring job of ``conf/batch_score.yaml`` on one demo day.

Step 3 writes the day's spine, every customer with the scored date, into the
partition of that date of ``main.demo.customer_days``, then runs the nightly job
(the same code as ``lakehouse jobs batch-score`` and ``jobs/batch_score.py``) for
that date with ``main.demo.churn_model@champion``. The champion was logged with a
training set, so the job looks up the features it was trained with
(``main.demo.customer_features``, point in time on that date), scores them, and
replaces exactly that date's partition of ``main.demo.churn_scores``
(``replaceWhere``), with the model's name and version on every row and a tracking
run whose lineage names the spine and the feature table with their Delta versions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lakehouse import paths
from lakehouse.catalog import namespace
from lakehouse.config import project_root
from lakehouse.demo.data import DEMO_END
from lakehouse.demo.train import MODEL_NAME, TIME_COLUMN
from lakehouse.scoring.job import run_job
from lakehouse.spark import spark as get_spark

if TYPE_CHECKING:
    from rich.console import Console

    from lakehouse.scoring.batch import ScoringResult

__all__ = [
    "CUSTOMERS",
    "JOB_CONF",
    "SCORES",
    "SPINE",
    "NightlyScores",
    "score_nightly",
    "write_spine",
]

CUSTOMERS = "main.demo.customers"
SPINE = "main.demo.customer_days"
SCORES = "main.demo.churn_scores"
JOB_CONF = project_root() / "conf" / "batch_score.yaml"


@dataclass(frozen=True, slots=True, kw_only=True)
class NightlyScores:
    """Where one night's scores went and which model version made them."""

    date: dt.date
    model_uri: str
    model_version: int
    table: str
    location: str
    table_version: int
    rows: int
    result: ScoringResult


def write_spine(date: dt.date) -> int:
    """Replace ``date``'s partition of ``SPINE`` with every demo customer; returns its rows."""
    from pyspark.sql import functions as F

    customers = (
        get_spark()
        .read.format("delta")
        .load(paths.to_local_path(namespace.describe_table(CUSTOMERS).location))
    )
    day = customers.select("customer_id", F.lit(date).alias(TIME_COLUMN))
    desc = namespace.create_table(
        SPINE,
        day.schema,
        partition_by=[TIME_COLUMN],
        comment="Customers to score, one partition per date (the nightly scoring's input).",
        mode="ignore",
    )
    day.write.format("delta").mode("overwrite").option(
        "replaceWhere", f"{TIME_COLUMN} = DATE'{date.isoformat()}'"
    ).save(paths.to_local_path(desc.location))
    return day.count()


def score_nightly(
    date: dt.date = DEMO_END,
    *,
    alias: str | None = None,
    conf_file: str | Path = JOB_CONF,
    console: Console | None = None,
) -> NightlyScores:
    """Write ``date``'s spine, then run the nightly job of ``conf_file`` for that date.

    The job resolves the configuration's ``model_uri`` (``main.demo.churn_model@champion``;
    ``MODEL_NAME@alias`` when ``alias`` is given) once, first: the version it names
    then scores every row and is written on it (a rerun after a rollback uses the
    older version). The job prints its summary on ``console``.
    """
    write_spine(date)
    model_uri = None if alias is None else f"models:/{MODEL_NAME}@{alias}"
    result = run_job(conf_file, date=date.isoformat(), model_uri=model_uri, console=console)
    scored = result.models[0]
    return NightlyScores(
        date=date,
        model_uri=scored.uri,
        model_version=int(scored.version or 0),
        table=result.output_table,
        location=result.output_location,
        table_version=result.output_version,
        rows=result.rows_out,
        result=result,
    )
