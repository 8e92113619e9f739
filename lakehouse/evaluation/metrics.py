"""The built-in metrics of ``lh.evaluate``: MLflow's default evaluator, name for name.

Each function takes numpy arrays and returns ``{metric name: value}`` in the order MLflow
computes them, with the same scikit-learn calls and arguments, so the values agree with
``mlflow.evaluate`` on the same data (``tests/evaluation`` compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import metrics as sk

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "Labels",
    "binary_metrics",
    "classifier_metrics",
    "per_class_metrics",
    "regressor_metrics",
    "resolve_labels",
]


@dataclass(frozen=True, slots=True)
class Labels:
    """A classifier's classes, in MLflow's order: for two, the positive label last."""

    values: np.ndarray
    pos_label: Any
    pos_index: int  # the column of the positive class in predict_proba's output

    @property
    def binary(self) -> bool:
        """Two classes."""
        return len(self.values) == 2


def resolve_labels(
    y_true: np.ndarray, y_pred: np.ndarray, label_list: Any, pos_label: Any
) -> Labels:
    """The classes (``label_list``, or those seen in targets and predictions), sorted.

    As MLflow: with two classes the positive label is ``pos_label`` or the larger one, and
    goes last; ``pos_index`` is its column among the sorted classes.
    """
    if pos_label is not None and label_list is not None and pos_label not in list(label_list):
        raise InvalidArgumentError(
            f"evaluator_config: pos_label {pos_label!r} must be one of label_list "
            f"{list(label_list)}"
        )
    if label_list is None:
        values = np.unique(np.concatenate([np.asarray(y_true), np.asarray(y_pred)]))
    else:
        values = np.sort(np.array(label_list))
    if len(values) < 2:
        raise InvalidArgumentError(
            "a classifier's evaluation needs at least two classes; found "
            f"{len(values)} ({list(values)}) in the targets and predictions: pass every class "
            "with evaluator_config={'label_list': [0, 1]}"
        )
    if len(values) != 2:
        return Labels(values=values, pos_label=pos_label, pos_index=1)
    if pos_label is None:
        return Labels(values=values, pos_label=values[-1], pos_index=1)
    pos_index = int(np.where(values == pos_label)[0][0]) if pos_label in values else 1
    reordered = np.append(np.delete(values, np.where(values == pos_label)), pos_label)
    return Labels(values=reordered, pos_label=pos_label, pos_index=pos_index)


def _common(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    y_proba: np.ndarray | None,
    labels: np.ndarray,
    *,
    average: str,
    pos_label: Any,
    weights: np.ndarray | None,
) -> dict[str, Any]:
    scores = {"average": average, "pos_label": pos_label, "sample_weight": weights}
    metrics: dict[str, Any] = {
        "example_count": len(y_true),
        "accuracy_score": sk.accuracy_score(y_true, y_pred, sample_weight=weights),
        "recall_score": sk.recall_score(y_true, y_pred, **scores),
        "precision_score": sk.precision_score(y_true, y_pred, **scores),
        "f1_score": sk.f1_score(y_true, y_pred, **scores),
    }
    if y_proba is not None:
        metrics["log_loss"] = sk.log_loss(y_true, y_proba, labels=labels, sample_weight=weights)
    return metrics


def binary_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    y_proba: np.ndarray | None,
    labels: np.ndarray,
    pos_label: Any,
    weights: np.ndarray | None,
) -> dict[str, Any]:
    """Counts of the confusion matrix (unweighted, as MLflow) and the common metrics."""
    tn, fp, fn, tp = sk.confusion_matrix(y_true, y_pred, labels=labels).ravel()
    return {
        "true_negatives": int(tn),
        "false_positives": int(fp),
        "false_negatives": int(fn),
        "true_positives": int(tp),
        **_common(
            y_true,
            y_pred,
            y_proba,
            labels,
            average="binary",
            pos_label=pos_label,
            weights=weights,
        ),
    }


def classifier_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    y_proba: np.ndarray | None,
    labels: Labels,
    *,
    average: str,
    weights: np.ndarray | None,
) -> dict[str, Any]:
    """MLflow's classifier metrics: binary (with ROC and PR AUC) or multiclass."""
    if labels.binary:
        metrics = binary_metrics(y_true, y_pred, y_proba, labels.values, labels.pos_label, weights)
        if y_proba is not None:
            positive = y_proba[:, labels.pos_index]
            metrics["roc_auc"] = sk.roc_auc_score(
                y_true=np.asarray(y_true) == labels.pos_label,
                y_score=positive,
                sample_weight=weights,
            )
            metrics["precision_recall_auc"] = sk.average_precision_score(
                y_true=y_true, y_score=positive, pos_label=labels.pos_label, sample_weight=weights
            )
        return metrics
    metrics = _common(
        y_true, y_pred, y_proba, labels.values, average=average, pos_label=None, weights=weights
    )
    if average in ("macro", "weighted") and y_proba is not None:
        metrics["roc_auc"] = sk.roc_auc_score(
            y_true=y_true,
            y_score=y_proba,
            sample_weight=weights,
            average=average,
            multi_class="ovr",
        )
    return metrics


def per_class_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    y_proba: np.ndarray | None,
    labels: np.ndarray,
    weights: np.ndarray | None,
) -> list[dict[str, Any]]:
    """One row per class: its one-vs-rest binary metrics (MLflow's ``per_class_metrics``),
    with the one-vs-rest ROC and PR AUC when probabilities are known."""
    rows = []
    for index, positive in enumerate(labels):
        y_bin = np.where(np.asarray(y_true) == positive, 1, 0)
        pred_bin = np.where(np.asarray(y_pred) == positive, 1, 0)
        row = {
            "positive_class": positive,
            **binary_metrics(y_bin, pred_bin, None, np.array([0, 1]), 1, weights),
        }
        if y_proba is not None:
            score = y_proba[:, index]
            row["roc_auc"] = sk.roc_auc_score(y_bin == 1, score, sample_weight=weights)
            row["precision_recall_auc"] = sk.average_precision_score(
                y_bin, score, pos_label=1, sample_weight=weights
            )
        rows.append(row)
    return rows


def regressor_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray | None
) -> dict[str, Any]:
    """MLflow's regressor metrics (``max_error`` unweighted, as MLflow)."""
    sum_on_target = (
        (np.array(y_true) * np.array(weights)).sum() if weights is not None else sum(y_true)
    )
    return {
        "example_count": len(y_true),
        "mean_absolute_error": sk.mean_absolute_error(y_true, y_pred, sample_weight=weights),
        "mean_squared_error": sk.mean_squared_error(y_true, y_pred, sample_weight=weights),
        "root_mean_squared_error": sk.root_mean_squared_error(
            y_true, y_pred, sample_weight=weights
        ),
        "sum_on_target": sum_on_target,
        "mean_on_target": sum_on_target / len(y_true),
        "r2_score": sk.r2_score(y_true, y_pred, sample_weight=weights),
        "max_error": sk.max_error(y_true, y_pred),
        "mean_absolute_percentage_error": sk.mean_absolute_percentage_error(
            y_true, y_pred, sample_weight=weights
        ),
    }
