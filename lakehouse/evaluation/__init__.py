"""Model evaluation: ``lh.evaluate``, MLflow's ``mlflow.evaluate`` for classic ML models.

``evaluate`` computes MLflow's default metrics for a classifier or a regressor and logs
them, with a confusion matrix and curves, to the active run; ``make_metric`` adds
metrics of your own. Example::

    result = lh.evaluate(model_uri, test_df, targets="label", model_type="classifier")
    result.metrics["accuracy_score"]
"""

from __future__ import annotations

from lakehouse.evaluation.evaluator import evaluate
from lakehouse.evaluation.result import (
    EvaluationArtifact,
    EvaluationMetric,
    EvaluationResult,
    MetricValue,
    make_metric,
)

__all__ = [
    "EvaluationArtifact",
    "EvaluationMetric",
    "EvaluationResult",
    "MetricValue",
    "evaluate",
    "make_metric",
]
