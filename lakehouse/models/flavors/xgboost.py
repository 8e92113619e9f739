"""The XGBoost flavor: a ``Booster`` or an sklearn-API model, in MLflow's ``xgboost`` layout.

The model is written with XGBoost's own ``save_model`` (``model.ubj`` by default;
``json`` and ``xgb`` on request), never pickled, and ``model_class`` records which
class to rebuild on load, so ``mlflow.xgboost.load_model`` reads our packages and we
read its. Example::

    save_model(XGBClassifier().fit(X, y), "/tmp/xgb", input_example=X.head(5))
    load_model("/tmp/xgb").predict(X)
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lakehouse.errors import InvalidArgumentError, InvalidModelError
from lakehouse.models.environment import installed_version
from lakehouse.models.mlmodel import PYFUNC, MLModel
from lakehouse.models.package import (
    PackageOptions,
    copy_code_paths,
    finish_package,
    staged_package,
)
from lakehouse.models.signature import ModelSignature

__all__ = ["FLAVOR_NAME", "MODEL_FORMATS", "load_model", "save_model"]

FLAVOR_NAME = "xgboost"
MODEL_FORMATS = ("ubj", "json", "xgb")


def _class_name(model: Any) -> str:
    return f"{type(model).__module__}.{type(model).__name__}"


def save_model(
    xgb_model: Any,
    path: str | Path,
    *,
    model_format: str = "ubj",
    signature: ModelSignature | None = None,
    input_example: Any = None,
    code_paths: Sequence[str] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> MLModel:
    """Save a fitted XGBoost model as a package at ``path``; returns its MLmodel."""
    import xgboost as xgb

    if model_format not in MODEL_FORMATS:
        raise InvalidArgumentError(
            f"model_format {model_format!r} is not supported; expected one of {MODEL_FORMATS}"
        )
    if not isinstance(xgb_model, xgb.Booster | xgb.XGBModel):
        raise InvalidArgumentError(
            f"an XGBoost model must be an xgboost.Booster or an sklearn-API XGBModel; got "
            f"{type(xgb_model).__name__}"
        )
    opts = PackageOptions(
        signature=signature,
        input_example=input_example,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )
    file_name = f"model.{model_format}"
    with staged_package(path) as folder:
        xgb_model.save_model(str(folder / file_name))
        code = copy_code_paths(folder, code_paths)
        meta = MLModel()
        meta.add_flavor(PYFUNC, loader_module="mlflow.xgboost", data=file_name, code=code)
        meta.add_flavor(
            FLAVOR_NAME,
            xgb_version=xgb.__version__,
            data=file_name,
            model_class=_class_name(xgb_model),
            model_format=model_format,
            code=code,
        )
        dist = "xgboost-cpu" if installed_version("xgboost-cpu") else "xgboost"
        return finish_package(
            folder,
            meta,
            opts,
            serialized=[],
            base_requirements=[dist],
            predict=XGBoostPyfunc(xgb_model).predict,
        )


def load_model(path: str) -> Any:
    """The model stored in the package folder ``path``, of the class it was saved as."""
    conf = MLModel.load(path).flavors.get(FLAVOR_NAME)
    if conf is None:
        raise InvalidModelError(f"the model at {path} has no '{FLAVOR_NAME}' flavor")
    module_name, _, class_name = conf.get("model_class", "xgboost.core.Booster").rpartition(".")
    if not module_name.startswith("xgboost"):
        raise InvalidModelError(
            f"the model at {path} names model_class {conf.get('model_class')!r}, not an "
            "xgboost class"
        )
    model = getattr(importlib.import_module(module_name), class_name)()
    model.load_model(str(Path(path) / conf["data"]))
    return model


class XGBoostPyfunc:
    """The pyfunc face: ``predict`` on a DataFrame (a Booster gets a ``DMatrix``)."""

    def __init__(self, model: Any) -> None:
        self.xgb_model = model

    def predict(self, data: Any, params: Mapping[str, Any] | None = None) -> Any:
        """Predictions of the model for ``data`` (params are not used)."""
        import xgboost as xgb

        if isinstance(self.xgb_model, xgb.Booster):
            return self.xgb_model.predict(xgb.DMatrix(data))
        return self.xgb_model.predict(data)

    def get_raw_model(self) -> Any:
        """The XGBoost model."""
        return self.xgb_model


def _load_pyfunc(path: str, model_config: dict[str, Any] | None = None) -> XGBoostPyfunc:
    """Load the package at ``path`` as a pyfunc model (MLflow's loader-module entry point)."""
    return XGBoostPyfunc(load_model(path))
