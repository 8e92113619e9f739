"""``ModelInfo``: what ``log_model`` returns, as MLflow's ``mlflow.models.ModelInfo``.

Plain data about a saved package, so it lives in the models layer (MLflow defines it in
``mlflow.models.model``); ``log_model`` one layer up fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lakehouse.models.signature import ModelSignature

__all__ = ["ModelInfo"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelInfo:
    """What ``log_model`` returns (MLflow 3's ``ModelInfo`` fields).

    ``model_uri`` is ``models:/m-<model_id>`` as in MLflow 3; the package also stays
    reachable as ``runs:/<run_id>/<artifact_path>``.
    """

    model_uri: str
    run_id: str
    artifact_path: str
    flavors: dict[str, Any] = field(default_factory=dict)
    signature: ModelSignature | None = None
    model_uuid: str = ""
    utc_time_created: str = ""
    saved_input_example_info: dict[str, Any] | None = None
    registered_model_version: int | None = None
    model_id: str | None = None
    """The logged model's id (``m-<32 hex>``, MLflow 3); ``model_uri`` is ``models:/<model_id>``."""
    name: str | None = None
    """The logged model's name (its path in the run)."""
    params: dict[str, str] = field(default_factory=dict)
    """The logged model's params (``log_model(params=)`` and the run's)."""
    tags: dict[str, str] = field(default_factory=dict)
    metrics: list[Any] = field(default_factory=list)
    """The logged model's metric points when it was logged."""
    creation_timestamp: int | None = None
