"""Signatures: inference, MLflow's JSON format, and enforcement at predict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lakehouse.errors import SchemaMismatchError
from lakehouse.models.enforcement import enforce_params, enforce_schema
from lakehouse.models.signature import (
    ColSpec,
    DataType,
    ModelSignature,
    Schema,
    TensorSpec,
    infer_signature,
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "i32": np.array([1, 2], dtype="int32"),
            "i64": np.array([1, 2], dtype="int64"),
            "f64": [0.5, 1.5],
            "s": ["x", "y"],
            "flag": [True, False],
            "ts": pd.to_datetime(["2026-01-01", "2026-01-02"]),
        }
    )


def test_infer_from_pandas_numpy_and_params() -> None:
    sig = infer_signature(_frame(), np.array([0.1, 0.2]), params={"k": 3, "t": 0.5, "tags": ["a"]})
    assert [(c.name, c.type) for c in sig.inputs] == [
        ("i32", DataType.integer),
        ("i64", DataType.long),
        ("f64", DataType.double),
        ("s", DataType.string),
        ("flag", DataType.boolean),
        ("ts", DataType.datetime),
    ]
    assert sig.outputs.inputs == (TensorSpec(np.dtype("float64"), (-1,)),)
    assert [(p.name, p.type, p.default, p.shape) for p in sig.params] == [
        ("k", DataType.long, 3, None),
        ("t", DataType.double, 0.5, None),
        ("tags", DataType.string, ["a"], (-1,)),
    ]


def test_infer_from_spark_dataframe(spark) -> None:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame(pd.DataFrame({"n": np.array([1], dtype="int32"), "x": [1.0]}))
    sig = infer_signature(df)
    assert [(c.name, c.type) for c in sig.inputs] == [
        ("n", DataType.integer),
        ("x", DataType.double),
    ]


def test_json_round_trip_matches_mlflow() -> None:
    from mlflow.models.signature import ModelSignature as MlflowSignature

    sig = infer_signature(_frame(), _frame()[["f64"]], params={"k": 1})
    theirs = MlflowSignature.from_dict(sig.to_dict())
    assert theirs.inputs.input_names() == list(_frame().columns)
    assert ModelSignature.from_dict(theirs.to_dict()) == sig


def test_unsupported_input_is_refused() -> None:
    with pytest.raises(Exception, match="cannot infer the type of column 'o'.*types \\['dict'\\]"):
        infer_signature(pd.DataFrame({"o": [{"a": 1}]}))


SCHEMA = Schema(
    [ColSpec(DataType.double, "x"), ColSpec(DataType.long, "n"), ColSpec(DataType.string, "s")]
)


def test_extra_columns_dropped_with_warning_and_columns_reordered() -> None:
    data = pd.DataFrame({"s": ["a"], "extra": [1], "n": [2], "x": [1.0]})
    with pytest.warns(UserWarning, match=r"dropping column\(s\) \['extra'\]"):
        out = enforce_schema(data, SCHEMA)
    assert list(out.columns) == ["x", "n", "s"]


def test_missing_required_column_is_named() -> None:
    with pytest.raises(SchemaMismatchError, match=r"missing required column\(s\) \['n'\]"):
        enforce_schema(pd.DataFrame({"x": [1.0], "s": ["a"]}), SCHEMA)


def test_safe_widenings_are_applied() -> None:
    data = pd.DataFrame(
        {"x": np.array([1, 2], dtype="int32"), "n": np.array([1, 2], dtype="int8"), "s": ["a", "b"]}
    )
    out = enforce_schema(data, SCHEMA)
    assert out.dtypes.tolist() == [np.dtype("float64"), np.dtype("int64"), np.dtype("O")]
    assert out["x"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("column", "values", "expected", "actual"),
    [
        ("x", np.array([1, 2], dtype="int64"), "double", "int64"),
        ("n", np.array([1.5, 2.0]), "long", "float64"),
        ("s", np.array([1, 2]), "string", "object values of type int"),
    ],
)
def test_unsafe_conversions_name_column_and_types(column, values, expected, actual) -> None:  # type: ignore[no-untyped-def]
    data = pd.DataFrame({"x": [1.0, 2.0], "n": [1, 2], "s": ["a", "b"]})
    data[column] = pd.Series(values, dtype=object if column == "s" else values.dtype)
    with pytest.raises(
        SchemaMismatchError, match=f"column '{column}': expected type {expected}, got {actual}"
    ):
        enforce_schema(data, SCHEMA)


def test_int_with_missing_values_gets_a_hint() -> None:
    data = pd.DataFrame({"x": [1.0], "n": [np.nan], "s": ["a"]})
    with pytest.raises(SchemaMismatchError, match="missing values"):
        enforce_schema(data, SCHEMA)


def test_tensor_dtype_and_shape() -> None:
    schema = Schema([TensorSpec(np.dtype("float32"), (-1, 2))])
    assert enforce_schema(np.zeros((3, 2), dtype="float32"), schema).shape == (3, 2)
    with pytest.raises(SchemaMismatchError, match="expected dtype float32, got float64"):
        enforce_schema(np.zeros((3, 2)), schema)
    with pytest.raises(SchemaMismatchError, match=r"expected shape \(-1, 2\)"):
        enforce_schema(np.zeros((3, 3), dtype="float32"), schema)


def test_params_defaults_widening_unknown_and_wrong_type() -> None:
    params = infer_signature(params={"k": 1, "t": 0.5}).params
    assert enforce_params(None, params) == {"k": 1, "t": 0.5}
    assert enforce_params({"t": 2}, params) == {"k": 1, "t": 2.0}
    with pytest.warns(UserWarning, match=r"ignoring unknown params \['zz'\]"):
        assert enforce_params({"zz": 1}, params) == {"k": 1, "t": 0.5}
    with pytest.raises(SchemaMismatchError, match="parameter 'k': expected type long, got str"):
        enforce_params({"k": "x"}, params)
