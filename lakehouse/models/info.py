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
    """What ``log_model`` returns (MLflow's ``ModelInfo`` fields)."""

    model_uri: str
    run_id: str
    artifact_path: str
    flavors: dict[str, Any] = field(default_factory=dict)
    signature: ModelSignature | None = None
    model_uuid: str = ""
    utc_time_created: str = ""
    saved_input_example_info: dict[str, Any] | None = None
    registered_model_version: int | None = None
