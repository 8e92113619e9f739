"""Shared set-up of the batch-scoring tests: a partitioned input table and a registered model.

Two linear models with different coefficients, so each version's scores are told apart.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

import lakehouse as lh

MODEL = "main.scoring.linear"
INPUT = "main.scoring.features"
OUTPUT = "main.scoring.scores"
DATES = (dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date(2026, 11, 28))
ROWS_PER_DATE = 40


def input_frame(dates: tuple[dt.date, ...] = DATES, rows: int = ROWS_PER_DATE) -> pd.DataFrame:
    """``customer_id``, two float features ``a``, ``b`` and the date ``d``."""
    rng = np.random.default_rng(3)
    parts = [
        pd.DataFrame(
            {
                "customer_id": np.arange(rows, dtype="int64") + 1000 * i,
                "a": rng.random(rows),
                "b": rng.random(rows),
                "d": day,
            }
        )
        for i, day in enumerate(dates)
    ]
    return pd.concat(parts, ignore_index=True)


def write_input(spark, name: str = INPUT, frame: pd.DataFrame | None = None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The input table, partitioned by ``d`` (a date)."""
    frame = input_frame() if frame is None else frame
    lh.create_schema(name.rsplit(".", 1)[0])
    lh.create_table(name, spark.createDataFrame(frame), partition_by=["d"], mode="overwrite")
    return frame


def register_version(weights: tuple[float, float], *, alias: str | None = "champion") -> int:
    """Fit ``y = wa*a + wb*b``, log it with a signature, register it, point ``alias`` at it."""
    from sklearn.linear_model import LinearRegression

    from lakehouse.models.signature import infer_signature

    x = input_frame()[["a", "b"]]
    y = weights[0] * x["a"] + weights[1] * x["b"]
    model = LinearRegression().fit(x, y)
    lh.create_schema(MODEL.rsplit(".", 1)[0])
    with lh.start_run():
        info = lh.sklearn.log_model(model, "model", signature=infer_signature(x, model.predict(x)))
    version = int(lh.register_model(info.model_uri, MODEL).version)
    if alias:
        lh.Client().set_registered_model_alias(MODEL, alias, version)
    return version


def expected(frame: pd.DataFrame, weights: tuple[float, float]) -> pd.Series:
    return weights[0] * frame["a"] + weights[1] * frame["b"]
