"""The CustomChurnModel of the demo: preprocessor and classifier as artifacts."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from lakehouse.pyfunc import PythonModel

FEATURES = ["plan", "region", "monthly_fee", "orders_30d"]


def churn_frame(n: int = 60, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A small churn-like training frame and labels."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "standard", "premium"], n),
            "region": rng.choice(["north", "south"], n),
            "monthly_fee": rng.choice([9.99, 19.99, 39.99], n),
            "orders_30d": rng.integers(0, 10, n).astype("int32"),
        }
    )
    labels = ((frame["plan"] == "basic") & (frame["orders_30d"] < 4)).astype(int).to_numpy()
    labels[:2] = [0, 1]
    return frame, labels


def write_artifacts(folder: Any, n: int = 60) -> dict[str, str]:
    """Fit the preprocessor and classifier; pickle them into ``folder``; return the paths."""
    frame, labels = churn_frame(n)
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan", "region"]),
            ("num", StandardScaler(), ["monthly_fee", "orders_30d"]),
        ]
    ).fit(frame)
    clf = LogisticRegression().fit(pre.transform(frame), labels)
    paths = {"preprocessor": f"{folder}/preprocessor.pkl", "model": f"{folder}/model.pkl"}
    for name, obj in (("preprocessor", pre), ("model", clf)):
        with open(paths[name], "wb") as handle:
            pickle.dump(obj, handle)
    return paths


class CustomChurnModel(PythonModel):
    """Loads its preprocessor and classifier in load_context; returns churn_probability."""

    def load_context(self, context: Any) -> None:
        with open(context.artifacts["preprocessor"], "rb") as handle:
            self.preprocessor = pickle.load(handle)
        with open(context.artifacts["model"], "rb") as handle:
            self.model = pickle.load(handle)

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        features = self.preprocessor.transform(model_input[FEATURES])
        return pd.DataFrame({"churn_probability": self.model.predict_proba(features)[:, 1]})
