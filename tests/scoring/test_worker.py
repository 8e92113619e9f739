"""The Python workers' batch loop, in this process: Arrow batches in, the estimator's output out.

``predict_batches`` is what each Spark Python worker runs; here it is fed Arrow
batches directly (a package saved on disk, loaded as a worker loads it), so the
numpy path's layouts and its finiteness shortcut are checked against the
estimator's own ``predict`` on the same rows.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from lakehouse.models.flavors.sklearn import save_model
from lakehouse.models.signature import infer_signature
from lakehouse.scoring.worker import WorkerSpec, layout_for, predict_batches

COLUMNS = [f"f{i}" for i in range(5)]


def _data(rows: int, seed: int) -> pd.DataFrame:
    return pd.DataFrame(np.random.default_rng(seed).random((rows, 5)), columns=COLUMNS)


def _labels(x: pd.DataFrame) -> np.ndarray:
    return ((x["f0"] + x["f1"] * x["f2"]) > 0.7).astype(int).to_numpy()


def _spec(model: Any, folder: Path, result: str = '"double"') -> WorkerSpec:
    x = _data(50, 1)
    save_model(model, folder, signature=infer_signature(x, model.predict(x)))
    return WorkerSpec(
        key=f"{folder}#{uuid.uuid4().hex}",  # a fresh cache entry per test
        location=str(folder),
        shipped=None,
        flavor="sklearn",
        predict_fn="predict",
        names=tuple(COLUMNS),
        kinds=("double",) * len(COLUMNS),
        result=result,
    )


def _batches(frame: pd.DataFrame, size: int) -> list[tuple[pa.Array, ...]]:
    """The frame as an arrow_udf receives it: one tuple of column arrays per batch."""
    return [
        tuple(pa.array(frame[c].iloc[i : i + size], from_pandas=True) for c in COLUMNS)
        for i in range(0, len(frame), size)
    ]


def _score(spec: WorkerSpec, frame: pd.DataFrame, size: int = 300) -> np.ndarray:
    batches = _batches(frame, size)
    out = list(predict_batches(spec, iter(batches)))
    # One output per input batch, of its length, whatever the grouping for the model.
    assert [len(a) for a in out] == [len(b[0]) for b in batches]
    return np.concatenate([a.to_numpy(zero_copy_only=False) for a in out])


@pytest.mark.parametrize(
    ("kind", "batch_rows"), [("logistic", 0), ("linear", 10_000), ("forest", 450)]
)
def test_batches_score_as_the_estimator_predicts(
    tmp_path: Path, kind: str, batch_rows: int
) -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LinearRegression, LogisticRegression

    x = _data(2_000, 2)
    model = {
        "logistic": lambda: LogisticRegression().fit(x, _labels(x)),
        "linear": lambda: LinearRegression().fit(x, x["f0"] * 3 - x["f4"]),
        "forest": lambda: RandomForestClassifier(n_estimators=10, max_depth=4).fit(x, _labels(x)),
    }[kind]()
    frame = _data(1_000, 3)
    # Batches of 300 rows: one call each (0), all in one call, or in groups across batches.
    spec = dataclasses.replace(_spec(model, tmp_path / "model"), batch_rows=batch_rows)
    got = _score(spec, frame)
    np.testing.assert_allclose(got, model.predict(frame), rtol=1e-12)
    layout = layout_for(model, ("double",) * 5)
    assert layout is not None
    assert (layout.dtype, layout.order) == {
        "logistic": (np.float64, "F"),
        "linear": (np.float64, "F"),
        "forest": (np.float32, "C"),
    }[kind]


def test_a_nan_reaches_the_estimators_own_check(tmp_path: Path) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    x = _data(2_000, 4)
    frame = _data(600, 5)
    frame.loc[450, "f3"] = np.nan  # one value in 600 rows
    linear = LogisticRegression().fit(x, _labels(x))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        _score(_spec(linear, tmp_path / "linear"), frame)
    # A model that takes missing values as such still gets them, and predicts as it would.
    boosted = HistGradientBoostingClassifier(max_iter=20).fit(x, _labels(x))
    got = _score(_spec(boosted, tmp_path / "boosted"), frame)
    np.testing.assert_array_equal(got, boosted.predict(frame))


def test_a_struct_binds_by_name_with_its_null_rows_and_offset(tmp_path: Path) -> None:
    from sklearn.ensemble import HistGradientBoostingRegressor

    x = _data(2_000, 6)
    model = HistGradientBoostingRegressor(max_iter=20).fit(x, x["f0"] + x["f1"] * x["f2"])
    spec = _spec(model, tmp_path / "boosted")
    frame = _data(400, 7)
    null_rows = np.zeros(len(frame), dtype=bool)
    null_rows[[3, 250]] = True  # the struct itself is null there, its children hold values
    children = [pa.array(frame[c]) for c in reversed(COLUMNS)]  # bound by name, not order
    struct = pa.StructArray.from_arrays(
        children, names=list(reversed(COLUMNS)), mask=pa.array(null_rows)
    )
    got = np.concatenate(
        [
            a.to_numpy(zero_copy_only=False)
            # slices keep an offset into the same children
            for a in predict_batches(spec, iter([(struct.slice(0, 200),), (struct.slice(200),)]))
        ]
    )
    want = frame.copy()
    want.loc[null_rows, COLUMNS] = np.nan  # a null struct row is missing values
    np.testing.assert_array_equal(got, model.predict(want))
    # The null rows made a difference (a regressor: equal by chance is out of the question).
    assert not np.isclose(got[[3, 250]], model.predict(frame)[[3, 250]]).any()
