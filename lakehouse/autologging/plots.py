"""The images autologging logs: confusion matrix, ROC and PR curves, feature importance.

matplotlib is used with its non-interactive Agg backend (set per figure, so a
notebook's own backend is left alone), and every figure is closed after saving.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["classifier_figures", "feature_importance_figure", "importances_of"]

# 100 dpi (MLflow uses 175): smaller files; rendering time is mostly text layout either way
_RC: dict[Any, Any] = {"savefig.dpi": 100, "figure.autolayout": True, "font.size": 8}


def _new_figure(width: float = 6.0, height: float = 4.0) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)  # Agg, whatever backend pyplot uses
    return fig, fig.add_subplot(1, 1, 1)


def classifier_figures(
    estimator: Any, prefix: str, X: Any, y: Any, sample_weight: Any = None
) -> dict[str, Any]:
    """``{artifact file: figure}``: the normalized confusion matrix, and for two classes
    the ROC and precision-recall curves (MLflow's ``training_*`` images)."""
    import matplotlib
    from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay

    figures: dict[str, Any] = {}
    with matplotlib.rc_context(_RC):
        fig, ax = _new_figure()
        ConfusionMatrixDisplay.from_estimator(
            estimator, X, y, sample_weight=sample_weight, normalize="true", cmap="Blues", ax=ax
        )
        ax.set_title("Normalized confusion matrix")
        figures[f"{prefix}confusion_matrix.png"] = fig
        if len(np.unique(np.asarray(y))) == 2:
            for name, display, title in (
                ("roc_curve", RocCurveDisplay, "ROC curve"),
                ("precision_recall_curve", PrecisionRecallDisplay, "Precision recall curve"),
            ):
                fig, ax = _new_figure()
                display.from_estimator(estimator, X, y, sample_weight=sample_weight, ax=ax)
                ax.set_title(title)
                figures[f"{prefix}{name}.png"] = fig
    return figures


def _final_step(estimator: Any) -> Any:
    steps = getattr(estimator, "steps", None)
    if steps:
        return steps[-1][1]
    return getattr(estimator, "best_estimator_", estimator)


def importances_of(estimator: Any, feature_names: Sequence[str] | None) -> dict[str, float] | None:
    """``{feature: importance}`` from ``feature_importances_`` or ``coef_`` (absolute,
    averaged over classes), or None when the estimator exposes neither."""
    model = _final_step(estimator)
    values = getattr(model, "feature_importances_", None)
    if values is None:
        coef = getattr(model, "coef_", None)
        if coef is None:
            return None
        arr = np.abs(np.asarray(coef, dtype=float))
        values = arr.mean(axis=0) if arr.ndim == 2 else arr
    values = np.asarray(values, dtype=float).ravel()
    given = getattr(model, "feature_names_in_", None)
    names = [str(n) for n in (given if given is not None else feature_names or [])]
    if len(names) != len(values):
        names = [f"feature_{i}" for i in range(len(values))]
    return {str(n): float(v) for n, v in zip(names, values, strict=True)}


def feature_importance_figure(importances: dict[str, float], top: int = 20) -> Any:
    """A horizontal bar chart of the ``top`` largest importances."""
    import matplotlib

    ranked = sorted(importances.items(), key=lambda kv: kv[1], reverse=True)[:top]
    with matplotlib.rc_context(_RC):
        fig, ax = _new_figure(6.0, max(2.0, 0.25 * len(ranked) + 1.0))
        ax.barh([k for k, _ in reversed(ranked)], [v for _, v in reversed(ranked)])
        ax.set_xlabel("importance")
        ax.set_title("Feature importance")
    return fig
