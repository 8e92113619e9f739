"""``lakehouse.types``: MLflow's ``mlflow.types`` (the schema classes of model signatures).

Example::

    from lakehouse.types import ColSpec, Schema
    Schema([ColSpec("double", "amount")])
"""

from __future__ import annotations

from lakehouse.models.signature import (
    ColSpec,
    DataType,
    ParamSchema,
    ParamSpec,
    Schema,
    TensorSpec,
)

__all__ = ["ColSpec", "DataType", "ParamSchema", "ParamSpec", "Schema", "TensorSpec"]
