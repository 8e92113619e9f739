"""A root for the UI's tests: an experiment of runs with metric histories, artifacts,
a registered model with versions, aliases and an alias history, and catalog tables.

Seeded once per test session (module-level names say what is there, so tests
assert against them rather than against literals spread over files).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

EXPERIMENT = "main.demo.churn"
MODEL = "main.demo.churn_model"
TABLE = "main.demo.customers"
RUNS = 24
METRIC_STEPS = 10
# For the registry and catalog pages: a model whose aliases the rollback test moves;
# a feature table made by a refresh and a scoring run of one date (seed_data_plane).
ROLLBACK_MODEL = "main.demo.rollback_model"
FEATURE_TABLE = "main.demo.customer_features"
SCORES_TABLE = "main.demo.churn_scores"
SCORED_DATE = "2026-11-28"


@dataclass(frozen=True)
class Seeded:
    """What the seed made: ids the tests navigate to."""

    home: str
    experiment_id: str
    run_ids: list[str]
    model_run_id: str
    versions: list[int]


def _customers(spark):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(200, dtype="int64"),
            "orders_30d": rng.poisson(3, 200).astype(float),
            "amount_30d": rng.gamma(2.0, 40.0, 200),
            "churned": rng.integers(0, 2, 200).astype("int64"),
            "as_of_date": ["2026-11-27"] * 100 + ["2026-11-28"] * 100,
        }
    )
    return spark.createDataFrame(frame)


def seed(spark, home: str) -> Seeded:  # type: ignore[no-untyped-def]
    """Fill ``home`` (already the configured root) with what the UI shows."""
    from sklearn.linear_model import LogisticRegression

    import lakehouse as lh

    lh.create_schema("main.demo", comment="the demo's tables and models")
    customers = _customers(spark)
    lh.create_table(
        TABLE, customers, comment="customers, one row per day", partition_by=["as_of_date"]
    )
    lh.set_experiment(EXPERIMENT)
    run_ids = []
    for index in range(RUNS):
        depth, rate = 2 + index % 6, [0.01, 0.05, 0.1, 0.2][index % 4]
        with lh.start_run(
            run_name=f"gbt-{index:02d}", tags={"team": "growth", "index": str(index)}
        ) as run:
            lh.log_params({"max_depth": depth, "learning_rate": rate, "n_estimators": 100})
            for step in range(METRIC_STEPS):
                lh.log_metric("loss", 1.0 / (step + 1 + index * 0.1), step=step)
            lh.log_metric("accuracy", 0.6 + index / 100)
            lh.log_metric("auc", 0.7 + (index % 5) / 50)
            lh.log_input(TABLE)
            run_ids.append(run.info.run_id)

    frame = customers.toPandas()
    X, y = frame[["orders_30d", "amount_30d"]], frame["churned"]
    versions = []
    with lh.start_run(run_name="logreg-final") as run:
        model = LogisticRegression().fit(X, y)
        lh.log_params({"C": 1.0, "solver": "lbfgs"})
        lh.log_metric("accuracy", float((model.predict(X) == y).mean()))
        lh.log_input(TABLE)
        lh.log_text("customers scored nightly\n", "notes/readme.txt")
        lh.log_dict({"features": list(X.columns), "target": "churned"}, "config/features.json")
        lh.log_image(np.eye(16), "plots/identity.png")
        lh.log_text(frame.head(20).to_csv(index=False), "data/sample.csv")
        info = lh.sklearn.log_model(model, name="model", input_example=X.head(3))
        model_run_id = run.info.run_id
    client = lh.Client()
    for _ in range(3):
        versions.append(int(lh.register_model(info.model_uri, MODEL).version))
    client.set_registered_model_alias(MODEL, "champion", versions[0])
    client.set_registered_model_alias(MODEL, "champion", versions[1])
    client.set_registered_model_alias(MODEL, "challenger", versions[2])
    client.transition_model_version_stage(MODEL, versions[1], "Production")
    _seed_rollback_model(client, info.model_uri)
    client.flush()  # the UI is another process: commit the journal now
    experiment = client.get_experiment_by_name(EXPERIMENT)
    assert experiment is not None
    return Seeded(
        home=home,
        experiment_id=experiment.experiment_id,
        run_ids=run_ids,
        model_run_id=model_run_id,
        versions=versions,
    )


def _seed_rollback_model(client, model_uri: str) -> None:  # type: ignore[no-untyped-def]
    """ROLLBACK_MODEL: two versions, champion v1 -> v2, challenger v2 (set once)."""
    import lakehouse as lh

    for _ in range(2):
        lh.register_model(model_uri, ROLLBACK_MODEL)
    client.set_registered_model_alias(ROLLBACK_MODEL, "champion", 1)
    client.set_registered_model_alias(ROLLBACK_MODEL, "champion", 2)
    client.set_registered_model_alias(ROLLBACK_MODEL, "challenger", 2)


def seed_data_plane() -> None:
    """FEATURE_TABLE (made by a refresh) and SCORES_TABLE (a batch-scoring run of MODEL's
    champion on SCORED_DATE), in the configured root after :func:`seed`.

    Not part of :func:`seed`: Spark jobs and scoring workers cost about a minute on a
    busy machine, so only the tests that show them pay for it (tests/ui/test_catalog.py).
    """
    import lakehouse as lh
    from lakehouse.features.refresh import RefreshConfig, refresh

    refresh(
        RefreshConfig(
            table=FEATURE_TABLE,
            primary_keys=("customer_id", "feature_date"),
            timeseries_column="feature_date",
            sources={"customers": TABLE},
            sql="SELECT customer_id, to_date(as_of_date) AS feature_date, orders_30d, "
            "amount_30d FROM customers",
            description="order activity per customer and day",
            job="jobs/refresh_features.py",
        )
    )
    lh.score_table(
        f"models:/{MODEL}@champion",
        TABLE,
        SCORES_TABLE,
        partition={"as_of_date": SCORED_DATE},
        keys=["customer_id"],
    )


def describe(seeded: Seeded) -> str:
    """The seed as JSON, for a failing test's message."""
    return json.dumps(seeded.__dict__, default=str)
