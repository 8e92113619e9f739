"""The whole demo: features from the refresh job, training from a training set, and the
nightly batch-scoring job of conf/batch_score.yaml, which looks up the features of the
scored day as ``score_batch`` does."""

from __future__ import annotations

from pathlib import Path

import pytest

import lakehouse as lh
from lakehouse.demo import run_demo
from lakehouse.demo.customer_features import CUSTOMER_FEATURES, FEATURE_COLUMNS
from lakehouse.demo.data import DEMO_END
from lakehouse.demo.scoring import SCORES, SPINE
from lakehouse.demo.train import MODEL_NAME
from lakehouse.models.pyfunc_model import local_folder
from lakehouse.paths import to_local_path as local_path
from lakehouse.registry.uris import resolve_model_uri


@pytest.mark.slow  # the whole demo pipeline: minutes on 2 cores
def test_demo_ends_with_the_nightly_scoring_job(home: str, spark, capsys) -> None:  # type: ignore[no-untyped-def]
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
    features_version = lh.describe_table(CUSTOMER_FEATURES).version
    flat = " ".join(printed.split())
    assert f"step 3/3: nightly scoring job (batch_score.yaml) of {DEMO_END}" in flat
    # The job's own summary: where the scores are and which version made them.
    assert f"wrote 300 rows (as_of_date={DEMO_END}) to {SCORES} version {version}" in flat
    assert f"churn_prediction: {MODEL_NAME} version 1 (from models:/{MODEL_NAME}@champion)" in flat
    assert f"features looked up from: {CUSTOMER_FEATURES} version {features_version}" in flat
    assert (
        f"300 scores of {DEMO_END} by {MODEL_NAME} version 1 -> {SCORES} version {version}" in flat
    )
    assert f"with its feature spec: {CUSTOMER_FEATURES}@v0" in flat
    # The end: how to open the demo in the web UI.
    experiment = lh.get_experiment_by_name("main.demo.churn")
    assert experiment is not None
    root = local_path(home)
    base = "http://127.0.0.1:5000"
    assert f"lakehouse --home {root} ui --port 5000" in flat
    assert f"main.demo.churn: {base}/experiments/{experiment.experiment_id} " in flat
    assert f"model {MODEL_NAME}: {base}/models/{MODEL_NAME}" in flat
    # The job's tracking run: lineage names the spine and the feature table it read.
    runs = lh.search_runs(experiment_names=["main.demo.batch_scoring"], output_format="list")
    assert len(runs) == 1
    inputs = {(i.table_name, i.version) for i in lh.Client().get_run_inputs(runs[0].info.run_id)}
    assert inputs == {
        (SPINE, lh.describe_table(SPINE).version),
        (CUSTOMER_FEATURES, features_version),
    }
