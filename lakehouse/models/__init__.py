"""Model packaging: the MLmodel format, flavors, signatures and the pyfunc loader.

This layer knows nothing of runs or the registry: it saves, loads and checks
packages on paths and URIs. ``lh.sklearn``, ``lh.pyfunc`` and ``lh.spark_ml`` are the
faces users import; they add ``log_model`` and ``runs:/`` / ``models:/`` URIs.
"""

from __future__ import annotations

from lakehouse.models.info import ModelInfo
from lakehouse.models.mlmodel import MLModel
from lakehouse.models.pyfunc_model import PyFuncModel, load_pyfunc
from lakehouse.models.serving_input import (
    convert_input_example_to_serving_input,
    set_signature,
    validate_serving_input,
)
from lakehouse.models.signature import (
    ColSpec,
    DataType,
    ModelSignature,
    ParamSchema,
    ParamSpec,
    Schema,
    TensorSpec,
    infer_signature,
)

# MLflow's name for the MLmodel file's object (``mlflow.models.Model``).
Model = MLModel

__all__ = [
    "ColSpec",
    "DataType",
    "MLModel",
    "Model",
    "ModelInfo",
    "ModelSignature",
    "ParamSchema",
    "ParamSpec",
    "PyFuncModel",
    "Schema",
    "TensorSpec",
    "convert_input_example_to_serving_input",
    "infer_signature",
    "load_pyfunc",
    "set_signature",
    "validate_serving_input",
]
