"""MLflow 3's logged-model flow, with `import mlflow` replaced by `import lakehouse as mlflow`.

In the shape of MLflow 3's "traditional ML" guide: several models logged in one run with
``params=``, each evaluated with ``log_metrics(..., model_id=, dataset=)``, the best
found with ``search_logged_models``, tagged, registered from ``models:/m-<id>`` and
loaded back. Only the tracking URI differs. Prints one JSON line for the test to check.
"""

import json
import os

import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

import lakehouse as mlflow

mlflow.set_tracking_uri(os.environ["COMPAT_TRACKING_URI"])

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42)
eval_data = X_test.assign(target=y_test)
eval_dataset = mlflow.data.from_pandas(eval_data, name="diabetes_eval", targets="target")

mlflow.set_experiment("mlflow-3-logged-models")
with mlflow.start_run() as run:
    for alpha in (0.01, 0.1, 1.0):
        lr = ElasticNet(alpha=alpha, l1_ratio=0.5, random_state=42).fit(X_train, y_train)
        model_info = mlflow.sklearn.log_model(
            sk_model=lr,
            name=f"elasticnet-{alpha}",
            params={"alpha": alpha, "l1_ratio": 0.5},
            input_example=X_train.head(3),
        )
        predictions = lr.predict(X_test)
        mlflow.log_metrics(
            {
                "rmse": mean_squared_error(y_test, predictions) ** 0.5,
                "r2": r2_score(y_test, predictions),
            },
            model_id=model_info.model_id,
            dataset=eval_dataset,
        )

ranked = mlflow.search_logged_models(
    filter_string="metrics.r2 > 0",
    order_by=[{"field_name": "metrics.rmse", "ascending": True}],
    output_format="list",
)
best = ranked[0]
mlflow.set_logged_model_tags(best.model_id, {"selected": "true"})
frame = mlflow.search_logged_models()
version = mlflow.register_model(best.model_uri, "diabetes-elasticnet")
loaded = mlflow.pyfunc.load_model(f"models:/{best.model_id}")
registered = mlflow.pyfunc.load_model("models:/diabetes-elasticnet/1")

print(
    json.dumps(
        {
            "run_id": run.info.run_id,
            "model_ids": [m.model_id for m in ranked],
            "names": [m.name for m in ranked],
            "model_uris": [m.model_uri for m in ranked],
            "best": {
                "model_id": best.model_id,
                "name": best.name,
                "params": dict(best.params),
                "rmse": [m.value for m in best.metrics if m.key == "rmse"],
                "datasets": sorted({m.dataset_name for m in best.metrics}),
                "source_run_id": best.source_run_id,
            },
            "last_model_name": mlflow.last_logged_model().name,
            "tags": mlflow.get_logged_model(best.model_id).tags,
            "frame_rows": len(frame),
            "frame_columns": list(frame.columns),
            "registered_version": int(version.version),
            "predictions": [float(v) for v in loaded.predict(pd.DataFrame(X_test.head(5)))],
            "registered_predictions": [float(v) for v in registered.predict(X_test.head(5))],
        }
    )
)
