"""The demo's last step: the nightly scoring job on the demo data, with ``champion``."""

from __future__ import annotations

import datetime as dt

import lakehouse as lh
from lakehouse.demo import run_demo
from lakehouse.demo.data import DEMO_END
from lakehouse.demo.scoring import DAILY_FEATURES
from lakehouse.demo.train import MODEL_NAME


def test_demo_ends_with_nightly_scoring(home: str, spark, capsys) -> None:  # type: ignore[no-untyped-def]
    run_demo(customers=300, days=45, seed=5)
    printed = capsys.readouterr().out
    scores = lh.table("main.demo.churn_scores").toPandas()
    features = lh.table(DAILY_FEATURES).toPandas()
    assert set(scores["feature_date"]) == {DEMO_END}
    assert len(scores) == (features["feature_date"] == DEMO_END).sum() == 300
    assert set(scores["model_version"]) == {1} and set(scores["model_name"]) == {MODEL_NAME}
    assert set(scores["churn_prediction"]) <= {0.0, 1.0}
    version = lh.describe_table("main.demo.churn_scores").version
    flat = " ".join(printed.split())
    assert f"step 3/3: nightly scoring of {DEMO_END}" in flat
    assert f"to main.demo.churn_scores version {version}" in flat
    assert f"churn_prediction: {MODEL_NAME} version 1" in flat
    # Features of a day use only orders before it.
    assert set(features["feature_date"]) == {DEMO_END - dt.timedelta(days=1), DEMO_END}
