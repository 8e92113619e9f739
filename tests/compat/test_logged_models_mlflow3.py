"""MLflow 3's logged-model flow runs unchanged under `import lakehouse as mlflow`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

import lakehouse as lh
from tests.compat.conftest import run_script


def test_logged_models_flow(home: str, tmp_path: Path) -> None:
    got = run_script("logged_models_mlflow3.py", home, tmp_path)
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42)
    rmse, r2 = {}, {}
    for alpha in (0.01, 0.1, 1.0):
        lr = ElasticNet(alpha=alpha, l1_ratio=0.5, random_state=42).fit(X_train, y_train)
        rmse[alpha] = mean_squared_error(y_test, lr.predict(X_test)) ** 0.5
        r2[alpha] = r2_score(y_test, lr.predict(X_test))
    best_alpha = min(rmse, key=rmse.__getitem__)
    # The models with r2 > 0 (alpha 1.0 fits worse than the mean), ranked by rmse.
    kept = sorted((a for a in r2 if r2[a] > 0), key=rmse.__getitem__)
    assert kept == [0.01, 0.1]
    assert got["names"] == [f"elasticnet-{a}" for a in kept]
    assert len(set(got["model_ids"])) == len(kept)
    assert got["model_uris"] == [f"models:/{m}" for m in got["model_ids"]]
    best = got["best"]
    assert best["name"] == f"elasticnet-{best_alpha}"
    assert best["params"] == {"alpha": str(best_alpha), "l1_ratio": "0.5"}
    assert best["rmse"] == [rmse[best_alpha]]
    assert best["datasets"] == ["diabetes_eval"] and best["source_run_id"] == got["run_id"]
    assert got["last_model_name"] == "elasticnet-1.0"  # the last one logged
    assert got["tags"] == {"selected": "true"}
    assert got["frame_rows"] == 3 and "model_id" in got["frame_columns"]
    # Registered from models:/m-<id>: the version's run is the logged model's run.
    assert got["registered_version"] == 1
    version = lh.MlflowClient().get_model_version("diabetes-elasticnet", 1)
    assert version.run_id == got["run_id"]
    want = ElasticNet(alpha=best_alpha, l1_ratio=0.5, random_state=42).fit(X_train, y_train)
    np.testing.assert_allclose(got["predictions"], want.predict(X_test.head(5)))
    assert got["registered_predictions"] == got["predictions"]
    # What the script logged is there for this process too, and in the run's inputs.
    model = lh.get_logged_model(best["model_id"])
    assert model.status == "READY" and model.tags == {"selected": "true"}
    inputs = lh.get_run(got["run_id"]).inputs.dataset_inputs
    assert [i.dataset.name for i in inputs] == ["diabetes_eval"]
