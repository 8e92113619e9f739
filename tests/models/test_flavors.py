"""Every flavor module satisfies the Flavor protocol; every face has save/log/load."""

from __future__ import annotations

import importlib
import inspect

import pytest

from lakehouse.models.flavors import FLAVOR_MODULES, LOADER_MODULES, Flavor


@pytest.mark.parametrize("module_name", sorted(FLAVOR_MODULES.values()))
def test_flavor_modules_satisfy_the_protocol(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert isinstance(module, Flavor)
    params = list(inspect.signature(module._load_pyfunc).parameters)
    assert params == ["path", "model_config"]
    assert list(inspect.signature(module.load_model).parameters) == ["path"]


@pytest.mark.parametrize("face", ["lakehouse.sklearn", "lakehouse.pyfunc", "lakehouse.spark_ml"])
def test_faces_have_mlflows_module_shape(face: str) -> None:
    module = importlib.import_module(face)
    for name in ("save_model", "log_model", "load_model", "FLAVOR_NAME"):
        assert hasattr(module, name), f"{face} lacks {name}"


def test_mlflow_loader_names_map_to_our_flavors() -> None:
    assert LOADER_MODULES["mlflow.sklearn"] == FLAVOR_MODULES["sklearn"]
    assert LOADER_MODULES["mlflow.pyfunc.model"] == FLAVOR_MODULES["python_function"]
    assert LOADER_MODULES["mlflow.spark"] == FLAVOR_MODULES["spark"]


def test_lazy_faces_on_the_package() -> None:
    import lakehouse as lh

    assert lh.sklearn.load_model is importlib.import_module("lakehouse.sklearn").load_model
    assert lh.spark_ml.FLAVOR_NAME == "spark" and callable(lh.spark)
    assert lh.models.infer_signature is not None
