"""Demo training: churn models trained from a point-in-time training set, the best as champion.

The spine is ``main.demo.churn_labels`` on a few weekly dates (customer, date, label);
the features come from ``main.demo.customer_features`` through a ``FeatureLookup``
with a timestamp key, so each label sees the features known at the start of its day
and nothing later. Each candidate is logged with ``fe.log_model(..., training_set=...)``:
the package carries its feature spec, so ``score_batch`` looks the same features up.
Validation is on the last date, after the training dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lakehouse.demo.customer_features import CUSTOMER_FEATURES, FEATURE_COLUMNS

if TYPE_CHECKING:
    from lakehouse.feature_store import FeatureEngineeringClient, TrainingSet

__all__ = [
    "CANDIDATES",
    "EXPERIMENT",
    "LABELS",
    "MODEL_NAME",
    "TIME_COLUMN",
    "TrainResult",
    "train_and_register",
    "training_set",
]

EXPERIMENT = "main.demo.churn"
MODEL_NAME = "main.demo.churn_model"
LABELS = "main.demo.churn_labels"
# The spine's time column: the day a prediction is made for (features known at its start).
TIME_COLUMN = "as_of_date"
TRAIN_WEEKS = 3


def _candidates() -> dict[str, Callable[[], Any]]:
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "logistic_regression": lambda: make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=500)
        ),
        "random_forest": lambda: RandomForestClassifier(
            n_estimators=100, max_depth=6, random_state=0
        ),
        "gradient_boosting": lambda: GradientBoostingClassifier(random_state=0),
    }


CANDIDATES = ("logistic_regression", "random_forest", "gradient_boosting")


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainResult:
    best_run_id: str
    best_model: str
    best_auc: float
    version: int
    runs: int
    rows: int
    feature_versions: dict[str, int]


def training_set(fe: FeatureEngineeringClient, days: list[dt.date]) -> TrainingSet:
    """Labels of ``days`` with the customer features known at the start of each day."""
    from pyspark.sql import functions as F

    import lakehouse as lh
    from lakehouse.feature_store import FeatureLookup

    spine = (
        lh.table(LABELS)
        .where(F.col("label_date").isin(days))
        .select("customer_id", F.col("label_date").alias(TIME_COLUMN), "churned")
    )
    return fe.create_training_set(
        df=spine,
        feature_lookups=[
            FeatureLookup(
                table_name=CUSTOMER_FEATURES,
                lookup_key="customer_id",
                timestamp_lookup_key=TIME_COLUMN,
                feature_names=FEATURE_COLUMNS,
            )
        ],
        label="churned",
        exclude_columns=["customer_id", TIME_COLUMN],
    )


def train_and_register(as_of: dt.date, *, progress: Callable[[str], None] = print) -> TrainResult:
    """Train each candidate as a tracked run, register the best, point ``champion`` at it.

    Trained on the labels of the ``TRAIN_WEEKS`` weeks before ``as_of``, validated on
    ``as_of`` (a later day than any training row). Autologging records each fit.
    """
    import lakehouse as lh
    from lakehouse.feature_store import FeatureEngineeringClient

    fe = FeatureEngineeringClient()
    first = lh.table(LABELS).agg({"label_date": "min"}).first()
    train_days = [
        day
        for day in (as_of - dt.timedelta(weeks=w) for w in range(TRAIN_WEEKS, 0, -1))
        if first is None or first[0] is None or day >= first[0]
    ]
    if not train_days:
        raise ValueError(f"no labels before {as_of} to train on; run the demo with more days")
    train_set = training_set(fe, train_days)
    train: Any = train_set.load_df().toPandas()
    test: Any = training_set(fe, [as_of]).load_df().toPandas()
    progress(
        f"training set: {len(train):,} labels of {', '.join(map(str, train_days))} with "
        f"features from {CUSTOMER_FEATURES} (point in time, "
        f"version {train_set.table_versions[CUSTOMER_FEATURES]}); "
        f"validation: {len(test):,} labels of {as_of}"
    )
    lh.set_experiment(EXPERIMENT)
    # Autolog records every estimator parameter, the training metrics and the plots; the
    # model itself is logged below with its training set, so score_batch finds its features.
    lh.autolog(log_models=False, log_datasets=False, silent=True)
    try:
        _train_candidates(fe, train_set, train, test, as_of, progress)
    finally:
        lh.autolog(disable=True)
    best = lh.search_runs(
        experiment_names=[EXPERIMENT],
        order_by=["metrics.auc DESC"],
        max_results=1,
        output_format="list",
    )[0]
    version = lh.register_model(f"runs:/{best.info.run_id}/model", MODEL_NAME)
    lh.Client().set_registered_model_alias(MODEL_NAME, "champion", version.version)
    return TrainResult(
        best_run_id=best.info.run_id,
        best_model=best.data.params["model"],
        best_auc=best.data.metrics["auc"],
        version=int(version.version),
        runs=len(CANDIDATES),
        rows=len(train),
        feature_versions=dict(train_set.table_versions),
    )


def _train_candidates(
    fe: Any,
    train_set: Any,
    train: Any,
    test: Any,
    as_of: dt.date,
    progress: Callable[[str], None],
) -> None:
    """One tracked run per candidate: fit, validate, log the model with its training set."""
    from sklearn.metrics import accuracy_score, roc_auc_score

    import lakehouse as lh
    from lakehouse import sklearn as lh_sklearn
    from lakehouse.catalog.namespace import describe_table
    from lakehouse.models.signature import infer_signature

    makers = _candidates()
    x_train, y_train = train[FEATURE_COLUMNS], train["churned"]
    x_test, y_test = test[FEATURE_COLUMNS], test["churned"]
    for name in CANDIDATES:
        with lh.start_run(run_name=name, tags={"demo": "churn"}):
            lh.log_input(LABELS, version=describe_table(LABELS).version)
            model = makers[name]().fit(x_train, y_train)
            scores = model.predict_proba(x_test)[:, 1]
            auc = float(roc_auc_score(y_test, scores))
            lh.log_params({"model": name, "as_of": as_of.isoformat(), "rows": str(len(train))})
            lh.log_metrics(
                {"auc": auc, "accuracy": float(accuracy_score(y_test, model.predict(x_test)))}
            )
            fe.log_model(
                model=model,
                artifact_path="model",
                flavor=lh_sklearn,
                training_set=train_set,
                signature=infer_signature(x_test, model.predict(x_test)),
                input_example=x_test.head(3),
            )
            progress(f"{name}: auc {auc:.3f}")
