"""Models for the spark_udf tests: logged, registered and aliased in the test's root."""

from __future__ import annotations

import numpy as np
import pandas as pd

import lakehouse as lh
from lakehouse.models.signature import infer_signature

MODEL = "main.udf.model"
FEATURES = ["a", "b", "n"]


def features(rows: int = 200, seed: int = 1) -> pd.DataFrame:
    """Two float64 features and an int32 one (widened to the signature's long)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "a": rng.random(rows),
            "b": rng.normal(size=rows),
            "n": rng.integers(0, 9, rows).astype("int64"),
        }
    )


def labels(frame: pd.DataFrame) -> np.ndarray:
    return ((frame["a"] + 0.3 * frame["b"]) > 0.5).astype(int).to_numpy()


def register(model, *, name: str = MODEL, alias: str | None = "champion", **kwargs) -> int:  # type: ignore[no-untyped-def]
    """Log ``model`` (an sklearn estimator) with a signature; register; set ``alias``."""
    x = features()
    method = kwargs.get("pyfunc_predict_fn", "predict")
    signature = infer_signature(x, getattr(model, method)(x))
    lh.create_schema(name.rsplit(".", 1)[0])
    with lh.start_run():
        info = lh.sklearn.log_model(model, "model", signature=signature, **kwargs)
    version = int(lh.register_model(info.model_uri, name).version)
    if alias:
        lh.Client().set_registered_model_alias(name, alias, version)
    return version
