"""MLflow's sklearn logistic-regression example, and its dataset-tracking page, as
`import lakehouse as mlflow`.

The example's own lines (no `start_run`: an implicit run that ends at exit), then
the tracking docs' dataset steps on sklearn's bundled iris data: `from_pandas` with
a source and targets, `log_input(context="training")`, reading the dataset back from
`run.inputs.dataset_inputs` and `mlflow.data.get_source`. Prints one JSON line.
"""

import json
import os

import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import lakehouse as mlflow
import lakehouse.sklearn
from lakehouse.models import infer_signature

mlflow.set_tracking_uri(os.environ["COMPAT_TRACKING_URI"])

# --- examples/sklearn_logistic_regression/train.py ------------------------------------
X = np.array([-2, -1, 0, 1, 2, 1]).reshape(-1, 1)
y = np.array([0, 0, 1, 1, 1, 0])
lr = LogisticRegression()
lr.fit(X, y)
score = lr.score(X, y)
print(f"Score: {score}")
mlflow.log_metric("score", score)
predictions = lr.predict(X)
signature = infer_signature(X, predictions)
model_info = mlflow.sklearn.log_model(lr, name="model", signature=signature)
print(f"Model saved in run {mlflow.active_run().info.run_uuid}")
example_run_id = mlflow.active_run().info.run_uuid
mlflow.end_run()
loaded = mlflow.pyfunc.load_model(model_info.model_uri)

# --- Tracking datasets (mlflow.data) -------------------------------------------------
iris = load_iris(as_frame=True).frame
csv = os.path.abspath("iris.csv")
iris.to_csv(csv, index=False)
dataset = mlflow.data.from_pandas(iris, source=csv, name="iris", targets="target")
with mlflow.start_run() as run:
    mlflow.log_input(dataset, context="training")
    clf = LogisticRegression(max_iter=500).fit(iris.drop(columns="target"), iris["target"])
    mlflow.log_metric("train_accuracy", clf.score(iris.drop(columns="target"), iris["target"]))

logged = mlflow.get_run(run.info.run_id)
dataset_info = logged.inputs.dataset_inputs[0].dataset
source = mlflow.data.get_source(dataset_info)
reloaded = mlflow.data.from_pandas(pd.read_csv(source.load()), name="iris", targets="target")
print(
    json.dumps(
        {
            "example_run_id": example_run_id,
            "score": score,
            "predictions": [int(v) for v in loaded.predict(X)],
            "expected": [int(v) for v in predictions],
            "run_id": run.info.run_id,
            "dataset": {
                "name": dataset_info.name,
                "digest": dataset_info.digest,
                "source_type": dataset_info.source_type,
                "schema": json.loads(dataset_info.schema),
                "profile": json.loads(dataset_info.profile),
                "tags": {t.key: t.value for t in logged.inputs.dataset_inputs[0].tags},
            },
            "digest": dataset.digest,
            "reloaded_digest": reloaded.digest,
            "source_path": source.load(),
            "csv": csv,
        }
    )
)
