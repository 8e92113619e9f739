"""MLflow's serving-input helpers: convert an example, validate a body, set a signature."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import lakehouse as lh
from lakehouse.errors import InvalidArgumentError, SchemaMismatchError
from lakehouse.models import (
    convert_input_example_to_serving_input,
    infer_signature,
    set_signature,
    validate_serving_input,
)
from lakehouse.models.mlmodel import MLModel


def test_an_example_converts_to_the_body_mlflow_makes(xy) -> None:  # type: ignore[no-untyped-def]
    import mlflow.models

    frame, _ = xy
    example = frame.head(3)
    ours = json.loads(convert_input_example_to_serving_input(example) or "")
    theirs = json.loads(mlflow.models.convert_input_example_to_serving_input(example) or "")
    assert ours == theirs
    assert list(ours) == ["dataframe_split"]
    assert convert_input_example_to_serving_input(None) is None


def test_validate_serving_input_predicts_every_body_format(  # type: ignore[no-untyped-def]
    home: str, xy, estimator
) -> None:
    frame, _ = xy
    with lh.start_run():
        info = lh.sklearn.log_model(estimator, name="model", input_example=frame.head(5))
    want = estimator.predict(frame.head(2))
    rows = frame.head(2)
    split = {"dataframe_split": {"columns": list(rows.columns), "data": rows.values.tolist()}}
    for body in (
        json.dumps(split),  # a JSON string, as MLflow's helper takes it
        {"dataframe_records": rows.to_dict(orient="records")},
        {"inputs": {c: rows[c].tolist() for c in rows.columns}},
        {"instances": rows.to_dict(orient="records")},
    ):
        got = validate_serving_input(info.model_uri, body)
        np.testing.assert_array_equal(np.asarray(got), want)
    # The example saved beside the model validates as it is (the int32 column included).
    folder = Path(lh.artifacts.download_artifacts(info.model_uri))
    saved = (folder / "serving_input_example.json").read_text()
    assert len(validate_serving_input(info.model_uri, saved)) == 5


def test_a_bad_body_is_named_before_the_model_runs(home: str, xy, estimator) -> None:  # type: ignore[no-untyped-def]
    frame, _ = xy
    with lh.start_run():
        info = lh.sklearn.log_model(estimator, name="model", input_example=frame.head(5))
    with pytest.raises(InvalidArgumentError, match=r"exactly one of dataframe_split.*\['data'\]"):
        validate_serving_input(info.model_uri, {"data": [[1, 2.0]]})
    with pytest.raises(InvalidArgumentError, match="not valid JSON"):
        validate_serving_input(info.model_uri, "{dataframe_split")
    with pytest.raises(InvalidArgumentError, match="'params' must be an object"):
        validate_serving_input(info.model_uri, {"dataframe_records": [], "params": [1]})
    with pytest.raises(SchemaMismatchError, match="b"):
        validate_serving_input(info.model_uri, {"dataframe_records": [{"a": 1}]})


def test_set_signature_on_a_run_package_not_on_a_registered_version(  # type: ignore[no-untyped-def]
    home: str, xy, estimator
) -> None:
    frame, labels = xy
    with lh.start_run():
        info = lh.sklearn.log_model(estimator, name="model")
    assert lh.pyfunc.load_model(info.model_uri).metadata.signature is None  # now cached
    signature = infer_signature(frame, labels)
    set_signature(info.model_uri, signature)
    # The cached load was dropped: a new load sees the signature, and enforces it.
    reloaded = lh.pyfunc.load_model(info.model_uri)
    assert reloaded.metadata.signature == signature
    with pytest.raises(SchemaMismatchError):
        reloaded.predict(frame.drop(columns=["b"]))

    lh.create_schema("main.ml")
    version = lh.register_model(info.model_uri, "main.ml.signed")
    uri = f"models:/main.ml.signed/{version.version}"
    before = (Path(lh.artifacts.download_artifacts(uri)) / "MLmodel").read_text()
    with pytest.raises(InvalidArgumentError, match=r"main.ml.signed/1 is immutable"):
        set_signature(uri, infer_signature(frame[["a"]], labels))
    after = (Path(lh.artifacts.download_artifacts(uri)) / "MLmodel").read_text()
    assert after == before
    with pytest.raises(InvalidArgumentError, match="must be a ModelSignature"):
        set_signature(info.model_uri, {"inputs": []})  # type: ignore[arg-type]


def test_set_signature_on_a_path_is_read_by_mlflow(tmp_path: Path, xy, estimator) -> None:  # type: ignore[no-untyped-def]
    import mlflow.models

    frame, labels = xy
    folder = tmp_path / "pkg"
    lh.sklearn.save_model(estimator, folder)
    set_signature(str(folder), infer_signature(frame, labels))
    assert MLModel.load(folder).signature is not None
    theirs = mlflow.models.Model.load(str(folder)).signature
    assert theirs is not None
    assert [c["name"] for c in theirs.inputs.to_dict()] == ["a", "b"]
