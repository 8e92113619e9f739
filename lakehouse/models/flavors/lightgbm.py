"""The LightGBM flavor: a ``Booster`` or an sklearn-API model, in MLflow's ``lightgbm`` layout.

A ``Booster`` is written with LightGBM's own ``save_model`` (``model.lgb``, text);
an sklearn-API model (``LGBMClassifier``...) is serialized as MLflow does it
(cloudpickle by default, ``model.pkl``), and ``model_class`` says which, so
``mlflow.lightgbm.load_model`` reads our packages and we read its. Example::

    save_model(LGBMClassifier().fit(X, y), "/tmp/lgb", input_example=X.head(5))
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import cloudpickle

from lakehouse.errors import InvalidArgumentError, InvalidModelError
from lakehouse.models.mlmodel import PYFUNC, MLModel
from lakehouse.models.package import (
    PackageOptions,
    copy_code_paths,
    finish_package,
    staged_package,
)
from lakehouse.models.signature import ModelSignature

__all__ = ["FLAVOR_NAME", "load_model", "save_model"]

FLAVOR_NAME = "lightgbm"
BOOSTER_CLASS = "lightgbm.basic.Booster"


def _class_name(model: Any) -> str:
    return f"{type(model).__module__}.{type(model).__name__}"


def save_model(
    lgb_model: Any,
    path: str | Path,
    *,
    serialization_format: str = "cloudpickle",
    signature: ModelSignature | None = None,
    input_example: Any = None,
    code_paths: Sequence[str] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> MLModel:
    """Save a fitted LightGBM model as a package at ``path``; returns its MLmodel."""
    import lightgbm as lgb

    if serialization_format not in ("cloudpickle", "pickle"):
        raise InvalidArgumentError(
            f"serialization_format {serialization_format!r} is not supported for LightGBM "
            "models; expected 'cloudpickle' or 'pickle'"
        )
    if not isinstance(lgb_model, lgb.Booster | lgb.LGBMModel):
        raise InvalidArgumentError(
            f"a LightGBM model must be a lightgbm.Booster or an sklearn-API LGBMModel; got "
            f"{type(lgb_model).__name__}"
        )
    opts = PackageOptions(
        signature=signature,
        input_example=input_example,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )
    booster = isinstance(lgb_model, lgb.Booster)
    file_name = "model.lgb" if booster else "model.pkl"
    with staged_package(path) as folder:
        file = folder / file_name
        if booster:
            lgb_model.save_model(str(file))
        else:
            dumps = cloudpickle.dumps if serialization_format == "cloudpickle" else pickle.dumps
            file.write_bytes(dumps(lgb_model))
        code = copy_code_paths(folder, code_paths)
        meta = MLModel()
        meta.add_flavor(PYFUNC, loader_module="mlflow.lightgbm", data=file_name, code=code)
        meta.add_flavor(
            FLAVOR_NAME,
            lgb_version=lgb.__version__,
            data=file_name,
            model_class=_class_name(lgb_model),
            code=code,
            **({} if booster else {"serialization_format": serialization_format}),
        )
        base = ["lightgbm"] + (
            [] if booster or serialization_format != "cloudpickle" else ["cloudpickle"]
        )
        return finish_package(
            folder,
            meta,
            opts,
            serialized=[file] if not booster else [],
            base_requirements=base,
            predict=LightGBMPyfunc(lgb_model).predict,
        )


def load_model(path: str) -> Any:
    """The model stored in the package folder ``path``."""
    conf = MLModel.load(path).flavors.get(FLAVOR_NAME)
    if conf is None:
        raise InvalidModelError(f"the model at {path} has no '{FLAVOR_NAME}' flavor")
    file = Path(path) / conf["data"]
    if conf.get("model_class", BOOSTER_CLASS) == BOOSTER_CLASS:
        import lightgbm as lgb

        return lgb.Booster(model_file=str(file))
    fmt = conf.get("serialization_format", "cloudpickle")
    if fmt not in ("cloudpickle", "pickle"):
        raise InvalidModelError(
            f"the LightGBM model at {path} was saved as {fmt!r}; lakehouse reads cloudpickle "
            "and pickle LightGBM packages"
        )
    with file.open("rb") as handle:
        return cloudpickle.load(handle) if fmt == "cloudpickle" else pickle.load(handle)


class LightGBMPyfunc:
    """The pyfunc face: ``predict`` of the model on ``data``."""

    def __init__(self, model: Any) -> None:
        self.lgb_model = model

    def predict(self, data: Any, params: Mapping[str, Any] | None = None) -> Any:
        """Predictions of the model for ``data`` (params are not used)."""
        return self.lgb_model.predict(data)

    def get_raw_model(self) -> Any:
        """The LightGBM model."""
        return self.lgb_model


def _load_pyfunc(path: str, model_config: dict[str, Any] | None = None) -> LightGBMPyfunc:
    """Load the package at ``path`` as a pyfunc model (MLflow's loader-module entry point)."""
    return LightGBMPyfunc(load_model(path))
