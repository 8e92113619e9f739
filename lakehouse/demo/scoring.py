"""Demo nightly scoring: daily churn features, then the batch-scoring job with ``champion``.

The job runs from ``conf/batch_score.yaml``, the same configuration that
``spark-submit jobs/batch_score.py`` and ``lakehouse jobs batch-score`` read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from lakehouse.catalog import namespace
from lakehouse.config import project_root
from lakehouse.demo.data import DEMO_END
from lakehouse.demo.features import churn_features
from lakehouse.scoring.batch import ScoringResult, run_scoring
from lakehouse.scoring.job import load_config

__all__ = ["DAILY_FEATURES", "SCORING_CONF", "score_nightly", "write_daily_features"]

DAILY_FEATURES = "main.demo.daily_features"
SCORING_CONF = project_root() / "conf" / "batch_score.yaml"


def write_daily_features(days: int = 2, *, end: dt.date = DEMO_END) -> int:
    """Churn features of every customer for the last ``days`` days, one partition per day.

    Returns the rows written. Each day's features use only orders before that day.
    """
    from pyspark.sql import functions as F

    orders, customers = namespace.table("main.demo.orders"), namespace.table("main.demo.customers")
    frames = [
        churn_features(orders, customers, day).withColumn("feature_date", F.lit(day))
        for day in (end - dt.timedelta(days=i) for i in reversed(range(days)))
    ]
    daily = frames[0]
    for frame in frames[1:]:
        daily = daily.unionByName(frame)
    namespace.create_table(
        DAILY_FEATURES,
        daily,
        comment="Churn features per customer and day: the nightly scoring job's input.",
        partition_by=["feature_date"],
        mode="overwrite",
    )
    return namespace.table(DAILY_FEATURES).count()


def score_nightly(
    date: dt.date = DEMO_END,
    *,
    conf_file: str | Path = SCORING_CONF,
    progress: Callable[[str], None] | None = None,
) -> ScoringResult:
    """Run the nightly batch-scoring job of ``conf_file`` for ``date`` (in this session)."""
    return run_scoring(load_config(conf_file).spec(date.isoformat()), progress=progress)
