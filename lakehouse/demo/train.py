"""Demo training: a few churn models as tracked runs, the best one registered as champion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lakehouse.demo.features import FEATURE_COLUMNS, training_set

__all__ = ["CANDIDATES", "MODEL_NAME", "TrainResult", "train_and_register"]

EXPERIMENT = "main.demo.churn"
MODEL_NAME = "main.demo.churn_model"
TABLES = ("main.demo.orders", "main.demo.customers", "main.demo.churn_labels")


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


def train_and_register(as_of: dt.date, *, progress: Callable[[str], None] = print) -> TrainResult:
    """Train each candidate as a tracked run, register the best, point ``champion`` at it."""
    from sklearn.metrics import accuracy_score, roc_auc_score
    from sklearn.model_selection import train_test_split

    import lakehouse as lh
    from lakehouse import sklearn as lh_sklearn
    from lakehouse.catalog.namespace import describe_table
    from lakehouse.models.signature import infer_signature

    frame: Any = training_set(
        lh.table(TABLES[0]), lh.table(TABLES[1]), lh.table(TABLES[2]), as_of
    ).toPandas()
    x, y = frame[FEATURE_COLUMNS], frame["churned"]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=0, stratify=y
    )
    lh.set_experiment(EXPERIMENT)
    makers = _candidates()
    for name in CANDIDATES:
        with lh.start_run(run_name=name, tags={"demo": "churn"}):
            for table in TABLES:
                lh.log_input(table, version=describe_table(table).version)
            model = makers[name]().fit(x_train, y_train)
            scores = model.predict_proba(x_test)[:, 1]
            auc = float(roc_auc_score(y_test, scores))
            lh.log_params({"model": name, "as_of": as_of.isoformat(), "rows": str(len(frame))})
            lh.log_metrics(
                {"auc": auc, "accuracy": float(accuracy_score(y_test, model.predict(x_test)))}
            )
            lh_sklearn.log_model(
                model,
                "model",
                signature=infer_signature(x_test, model.predict(x_test)),
                input_example=x_test.head(3),
            )
            progress(f"{name}: auc {auc:.3f}")
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
    )
