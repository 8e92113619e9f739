"""The images ``lh.evaluate`` logs for a classifier, under MLflow's file names.

``confusion_matrix.png`` (normalized by true class) always; when the model gives class
probabilities, ``roc_curve_plot.png`` and ``precision_recall_curve_plot.png`` (one line,
or one per class for up to ``max_classes_for_multiclass_roc_pr`` classes),
``calibration_curve_plot.png``, and for two classes ``lift_curve_plot.png``. Figures
are drawn on matplotlib's Agg canvas directly (a notebook's pyplot backend is left
alone) and written to a folder; nothing here logs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from sklearn import metrics as sk

__all__ = ["calibration_png", "confusion_matrix_png", "curve_pngs", "lift_png"]

# MLflow's default evaluator: 175 dpi, 6 x 4 inches, font size 8
_RC: dict[Any, Any] = {"figure.dpi": 175, "figure.autolayout": True, "font.size": 8}


def _figure() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 4.0), dpi=175)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(1, 1, 1)


def confusion_matrix_png(
    path: Path,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray | None,
) -> Path:
    """Write the confusion matrix normalized over true classes (MLflow's image) to ``path``."""
    import matplotlib

    matrix = sk.confusion_matrix(
        y_true, y_pred, labels=labels, normalize="true", sample_weight=weights
    )
    font: dict[Any, Any] = {"font.size": min(8, math.ceil(50.0 / len(labels))), "axes.labelsize": 8}
    with matplotlib.rc_context({**_RC, **font}):
        fig, ax = _figure()
        sk.ConfusionMatrixDisplay(confusion_matrix=matrix, display_labels=labels).plot(
            cmap="Blues", ax=ax
        )
        ax.set_title("Normalized confusion matrix")
        fig.savefig(path, bbox_inches="tight")
    return path


def _series(
    kind: str, y_true: np.ndarray, y_proba: np.ndarray, labels: np.ndarray, pos: tuple[Any, int]
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(legend, x, y) per line: the positive class's line, or one line per class."""
    pairs: list[tuple[str, np.ndarray, np.ndarray]] = []
    if len(labels) == 2:
        targets = [(None, np.asarray(y_true) == pos[0], y_proba[:, pos[1]])]
    else:
        targets = [
            (label, np.asarray(y_true) == label, y_proba[:, i]) for i, label in enumerate(labels)
        ]
    for label, truth, score in targets:
        if kind == "roc":
            x, y, _ = sk.roc_curve(truth, score)
            text = f"AUC={sk.roc_auc_score(truth, score):.3f}"
        else:
            y, x, _ = sk.precision_recall_curve(truth, score)
            text = f"AP={sk.average_precision_score(truth, score):.3f}"
        pairs.append((text if label is None else f"label={label},{text}", x, y))
    return pairs


def curve_pngs(
    folder: Path,
    prefix: str,
    y_true: np.ndarray,
    y_proba: np.ndarray,
    labels: np.ndarray,
    pos: tuple[Any, int],
) -> dict[str, Path]:
    """Write the ROC and precision-recall curves as ``<prefix><name>.png`` in ``folder``;
    ``pos`` is (positive label, its column in ``y_proba``)."""
    import matplotlib

    written = {}
    for kind, name, axes, title in (
        ("roc", "roc_curve_plot", ("False Positive Rate", "True Positive Rate"), "ROC curve"),
        ("pr", "precision_recall_curve_plot", ("Recall", "Precision"), "Precision recall curve"),
    ):
        with matplotlib.rc_context(_RC):
            fig, ax = _figure()
            for legend, x, y in _series(kind, y_true, y_proba, labels, pos):
                ax.plot(x, y, label=legend, drawstyle="steps-post", linewidth=1)
            diagonal = ([0, 1], [0, 1]) if kind == "roc" else ([0, 1], [1, 0])
            ax.plot(*diagonal, color="gray", alpha=0.3, linestyle="dashed")
            ax.set(xlabel=axes[0], ylabel=axes[1], title=title)
            ax.legend(loc="best")
            path = folder / f"{prefix}{name}.png"
            fig.savefig(path, bbox_inches="tight")
        written[name] = path
    return written


def calibration_png(
    path: Path,
    y_true: np.ndarray,
    y_proba: np.ndarray,
    labels: np.ndarray,
    pos: tuple[Any, int],
    config: dict[str, Any],
) -> Path:
    """Write the calibration curve (one line per class for more than two) to ``path``.

    ``config`` holds MLflow's ``calibration_n_bins`` and ``calibration_classifier_name``.
    """
    import matplotlib
    from sklearn.calibration import CalibrationDisplay, calibration_curve

    bins = int(config.get("calibration_n_bins", 10))
    name = config.get("calibration_classifier_name")
    with matplotlib.rc_context(_RC):
        fig, ax = _figure()
        if len(labels) == 2:
            CalibrationDisplay.from_predictions(
                y_true, y_proba[:, pos[1]], pos_label=pos[0], n_bins=bins, name=name, ax=ax
            )
        else:
            for i, label in enumerate(labels):
                true, predicted = calibration_curve(
                    np.asarray(y_true) == label, y_proba[:, i], n_bins=bins
                )
                ax.plot(predicted, true, marker="o", markersize=3, label=f"Class {label}")
            ax.plot([0, 1], [0, 1], linestyle="dotted", label="Perfect Calibration", color="k")
            ax.legend(loc="best")
            ax.set_title(f"{name or 'Classifier'} Calibration")
            ax.set(xlabel="Mean Predicted Probability", ylabel="Fraction of True Positives")
        fig.savefig(path, bbox_inches="tight")
    return path


def lift_png(path: Path, y_true: np.ndarray, y_proba: np.ndarray, pos_label: Any) -> Path:
    """Write a two-class lift curve (MLflow's, from scikit-plot) to ``path``.

    For each class: the share of that class found in the top x% of rows ranked by its
    probability, divided by x. The columns of ``y_proba`` follow the sorted classes.
    """
    import matplotlib

    classes = np.unique(np.asarray(y_true))
    with matplotlib.rc_context(_RC):
        fig, ax = _figure()
        for i, label in enumerate(classes):
            hits = (np.asarray(y_true) == label)[np.argsort(y_proba[:, i])[::-1]]
            share = np.arange(1, len(hits) + 1) / len(hits)
            lift = np.cumsum(hits) / hits.sum() / share
            positive = " (positive)" if label == pos_label else ""
            ax.plot(share, lift, lw=3, label=f"Class {label}{positive}")
        ax.plot([0, 1], [1, 1], "k--", lw=2, label="Baseline")
        ax.set(title="Lift Curve", xlabel="Percentage of sample", ylabel="Lift")
        ax.grid(True)
        ax.legend(loc="lower right")
        fig.savefig(path, bbox_inches="tight")
    return path
