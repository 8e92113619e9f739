"""The whole demo: features from the refresh job, training from a training set, and the
nightly scoring with ``score_batch`` on the features of the scored day."""

from __future__ import annotations

from pathlib import Path

import lakehouse as lh
from lakehouse.demo import run_demo
from lakehouse.demo.customer_features import CUSTOMER_FEATURES, FEATURE_COLUMNS
from lakehouse.demo.data import DEMO_END
from lakehouse.demo.scoring import SCORES
from lakehouse.demo.train import MODEL_NAME
from lakehouse.models.pyfunc_model import local_folder
from lakehouse.registry.uris import resolve_model_uri


def test_demo_scores_the_features_of_the_day_with_score_batch(home: str, spark, capsys) -> None:  # type: ignore[no-untyped-def]
    run_demo(customers=300, days=45, seed=5)
    printed = capsys.readouterr().out
    scores = lh.table(SCORES).toPandas()
    assert set(scores["as_of_date"]) == {DEMO_END}
    assert len(scores) == scores["customer_id"].nunique() == 300
    assert set(scores["model_version"]) == {1} and set(scores["model_name"]) == {MODEL_NAME}
    assert lh.describe_table(SCORES).partition_columns == ("as_of_date",)
    # The champion's predictions on the feature rows of that day (orders before it).
    day = (
        lh.table(CUSTOMER_FEATURES)
        .where(f"feature_date = DATE'{DEMO_END}'")
        .toPandas()
        .sort_values("customer_id")
    )
    # The champion's inner model (the package holds it beside the feature spec).
    package = local_folder(resolve_model_uri(f"models:/{MODEL_NAME}@champion").location)
    inner = lh.sklearn.load_model(str(Path(package) / "artifacts" / "raw_model"))
    expected = dict(zip(day["customer_id"], inner.predict(day[FEATURE_COLUMNS]), strict=True))
    got = dict(zip(scores["customer_id"], scores["churn_prediction"], strict=True))
    assert got == {c: float(p) for c, p in expected.items()}
    version = lh.describe_table(SCORES).version
    flat = " ".join(printed.split())
    assert f"step 3/3: nightly scoring of {DEMO_END}" in flat
    assert (
        f"300 scores of {DEMO_END} by {MODEL_NAME} version 1 -> {SCORES} version {version}" in flat
    )
    assert f"with its feature spec: {CUSTOMER_FEATURES}@v0" in flat
