"""Demo nightly scoring: ``fe.score_batch`` on the customers of a date, one output partition a day.

The spine is every customer with the date scored; ``score_batch`` looks up the
features the champion was trained with (``main.demo.customer_features``, point in
time on that date) and scores them. The scores replace exactly that date's partition
of ``main.demo.churn_scores`` (``replaceWhere``, the batch-scoring writer), with the
model's name and version on every row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lakehouse.demo.data import DEMO_END
from lakehouse.demo.train import MODEL_NAME, TIME_COLUMN

__all__ = ["CUSTOMERS", "SCORES", "NightlyScores", "score_nightly"]

CUSTOMERS = "main.demo.customers"
SCORES = "main.demo.churn_scores"
PREDICTION = "churn_prediction"


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


def score_nightly(date: dt.date = DEMO_END, *, alias: str = "champion") -> NightlyScores:
    """Score every demo customer for ``date`` with ``MODEL_NAME@alias`` into ``SCORES``.

    The alias is resolved once, first: the version it names now scores every row and
    is written on it (a rerun after a rollback uses the older version).
    """
    from pyspark.sql import functions as F

    import lakehouse as lh
    from lakehouse.feature_store import FeatureEngineeringClient
    from lakehouse.registry.uris import resolve_model_uri
    from lakehouse.scoring.batch import (
        ScoredModel,
        ScoringSpec,
        add_run_columns,
        output_frame,
        write_scores,
    )

    resolved = resolve_model_uri(f"models:/{MODEL_NAME}@{alias}")
    spine = lh.table(CUSTOMERS).select("customer_id", F.lit(date).alias(TIME_COLUMN))
    scored = FeatureEngineeringClient().score_batch(model_uri=resolved.pinned_uri, df=spine)
    model = ScoredModel(
        column=PREDICTION,
        version_column="model_version",
        uri=resolved.uri,
        name=resolved.name,
        version=resolved.version,
        alias=alias,
        location=resolved.location,
        resolved=resolved,
    )
    scored_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    frame = output_frame(
        add_run_columns(
            scored.withColumnRenamed("prediction", PREDICTION), [model], scored_at=scored_at
        ),
        keys=["customer_id"],
        partition_columns=[TIME_COLUMN],
        models=[model],
    )
    spec = ScoringSpec(
        model_uri=resolved.pinned_uri,
        input_table=CUSTOMERS,
        output_table=SCORES,
        partition={TIME_COLUMN: date.isoformat()},
        prediction_column=PREDICTION,
    )
    marker = f"lakehouse-demo-score-{date.isoformat()}-{scored_at.isoformat()}"
    location, version, rows = write_scores(frame, spec, marker=marker)
    return NightlyScores(
        date=date,
        model_uri=resolved.uri,
        model_version=int(resolved.version or 0),
        table=SCORES,
        location=location,
        table_version=version,
        rows=rows,
    )
