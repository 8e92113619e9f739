"""MLflow's tracking quickstart, with `import mlflow` replaced by `import lakehouse as mlflow`.

Only the tracking URI differs: a lakehouse root (a folder) instead of a tracking server.
Prints one JSON line of results for the test to check.
"""

import json
import os

import pandas as pd
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score
from sklearn.model_selection import train_test_split

import lakehouse as mlflow
from lakehouse import MlflowClient
from lakehouse.entities import ViewType
from lakehouse.models import infer_signature

mlflow.set_tracking_uri(uri=os.environ["COMPAT_TRACKING_URI"])

X, y = datasets.load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
params = {"solver": "lbfgs", "max_iter": 1000, "random_state": 8888}
lr = LogisticRegression(**params)
lr.fit(X_train, y_train)
y_pred = lr.predict(X_test)
accuracy = accuracy_score(y_test, y_pred)

mlflow.set_experiment("MLflow Quickstart")
with mlflow.start_run() as run:
    mlflow.log_params(params)
    mlflow.log_metric("accuracy", accuracy)
    mlflow.log_metrics(
        {
            "precision": precision_score(y_test, y_pred, average="macro"),
            "recall": recall_score(y_test, y_pred, average="macro"),
            "f1": f1_score(y_test, y_pred, average="macro"),
        }
    )
    mlflow.set_tag("Training Info", "Basic LR model for iris data")
    signature = infer_signature(X_train, lr.predict(X_train))
    model_info = mlflow.sklearn.log_model(
        sk_model=lr,
        name="iris_model",
        signature=signature,
        input_example=X_train,
        registered_model_name="tracking-quickstart",
    )

loaded_model = mlflow.pyfunc.load_model(model_info.model_uri)
predictions = loaded_model.predict(X_test)
iris_feature_names = datasets.load_iris().feature_names
result = pd.DataFrame(X_test, columns=iris_feature_names)
result["actual_class"] = y_test
result["predicted_class"] = predictions

client = MlflowClient()
client.set_registered_model_alias("tracking-quickstart", "champion", 1)
champion = mlflow.pyfunc.load_model("models:/tracking-quickstart@champion")
experiment = mlflow.get_experiment_by_name("MLflow Quickstart")
found = mlflow.search_runs(
    experiment_ids=[experiment.experiment_id],
    filter_string="metrics.accuracy > 0.9 and status = 'FINISHED'",
    run_view_type=ViewType.ACTIVE_ONLY,
)
print(
    json.dumps(
        {
            "run_id": run.info.run_id,
            "accuracy": accuracy,
            "model_uri": model_info.model_uri,
            "registered_version": model_info.registered_model_version,
            "predictions": [int(p) for p in predictions],
            "champion_predictions": [int(p) for p in champion.predict(X_test)],
            "matches": int((result["actual_class"] == result["predicted_class"]).sum()),
            "found_runs": list(found["run_id"]),
            "tracking_uri": mlflow.get_tracking_uri(),
        }
    )
)
