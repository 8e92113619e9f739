"""The sklearn flavor: three serialization formats, predict_fn, bad input, no half packages."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import yaml

from lakehouse import sklearn as lh_sklearn
from lakehouse.errors import AlreadyExistsError, InvalidArgumentError, SchemaMismatchError
from lakehouse.models import load_pyfunc
from lakehouse.models.signature import infer_signature


@pytest.mark.parametrize("fmt", ["cloudpickle", "pickle", "skops"])
def test_each_format_round_trips(tmp_path: Path, xy, estimator, fmt: str) -> None:  # type: ignore[no-untyped-def]
    X, _ = xy
    lh_sklearn.save_model(estimator, tmp_path / "m", serialization_format=fmt)
    meta = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    assert meta["flavors"]["sklearn"]["serialization_format"] == fmt
    loaded = lh_sklearn.load_model(str(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))
    requirements = (tmp_path / "m" / "requirements.txt").read_text().splitlines()
    assert any(r.startswith("scikit-learn==") for r in requirements)
    assert {p.name for p in (tmp_path / "m").iterdir()} >= {
        "MLmodel",
        "requirements.txt",
        "python_env.yaml",
        "conda.yaml",
    }


def test_default_is_cloudpickle_and_example_gives_signature(tmp_path: Path, xy, estimator) -> None:  # type: ignore[no-untyped-def]
    X, _ = xy
    meta = lh_sklearn.save_model(estimator, tmp_path / "m", input_example=X.head(3))
    assert meta.flavors["sklearn"]["serialization_format"] == "cloudpickle"
    assert meta.signature is not None and meta.signature.inputs.input_names() == ["a", "b"]
    assert (tmp_path / "m" / "input_example.json").exists()
    model = load_pyfunc(tmp_path / "m")
    assert model.input_example().equals(X.head(3))
    with pytest.raises(SchemaMismatchError, match=r"missing required column\(s\) \['b'\]"):
        model.predict(X[["a"]])


def test_predict_proba_option(tmp_path: Path, xy, estimator) -> None:  # type: ignore[no-untyped-def]
    X, _ = xy
    lh_sklearn.save_model(estimator, tmp_path / "m", pyfunc_predict_fn="predict_proba")
    np.testing.assert_allclose(load_pyfunc(tmp_path / "m").predict(X), estimator.predict_proba(X))
    with pytest.raises(InvalidArgumentError, match="pyfunc_predict_fn 'transform' is not a method"):
        lh_sklearn.save_model(estimator, tmp_path / "n", pyfunc_predict_fn="transform")


def test_unpicklable_model_leaves_nothing(tmp_path: Path, estimator) -> None:  # type: ignore[no-untyped-def]
    estimator.lock = threading.Lock()
    with pytest.raises(InvalidArgumentError, match="cannot serialize the LogisticRegression model"):
        lh_sklearn.save_model(estimator, tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_signature_example_mismatch_leaves_nothing(tmp_path: Path, xy, estimator) -> None:  # type: ignore[no-untyped-def]
    X, _ = xy
    signature = infer_signature(X.rename(columns={"b": "c"}))
    with pytest.raises(
        InvalidArgumentError,
        match=r"input_example does not match the signature.*missing required column\(s\) \['c'\]",
    ):
        lh_sklearn.save_model(estimator, tmp_path / "m", signature=signature, input_example=X)
    assert list(tmp_path.iterdir()) == []


def test_existing_package_is_not_overwritten(tmp_path: Path, estimator) -> None:  # type: ignore[no-untyped-def]
    lh_sklearn.save_model(estimator, tmp_path / "m")
    with pytest.raises(AlreadyExistsError, match="the folder exists and is not empty"):
        lh_sklearn.save_model(estimator, tmp_path / "m")
