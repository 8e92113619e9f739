"""MLflow's "Search Runs" guide, as `import lakehouse as mlflow`.

Logs a small grid of runs (params, metrics, tags, and the datasets each used, on
sklearn's bundled breast-cancer data), then runs the guide's searches: filters on
metrics, params, tags, attributes and datasets, `order_by`, `max_results`,
`run_view_type`, and both `output_format`s. Prints one JSON line holding the run
names each search returned, in order.
"""

import json
import os

from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import lakehouse as mlflow
from lakehouse import MlflowClient
from lakehouse.entities import ViewType

mlflow.set_tracking_uri(os.environ["COMPAT_TRACKING_URI"])
experiment = mlflow.set_experiment("search-run-guide")

frame = load_breast_cancer(as_frame=True).frame
train, test = train_test_split(frame, random_state=0)
train_ds = mlflow.data.from_pandas(train, name="cancer-train", targets="target")
test_ds = mlflow.data.from_pandas(test, name="cancer-test", targets="target")
features = [c for c in frame.columns if c != "target"]

grid = [
    (
        "logreg-c1",
        make_pipeline(StandardScaler(), LogisticRegression(C=1.0)),
        {"model": "LogisticRegression", "C": "1.0"},
        "alice",
    ),
    (
        "logreg-c01",
        make_pipeline(StandardScaler(), LogisticRegression(C=0.1)),
        {"model": "LogisticRegression", "C": "0.1"},
        "bob",
    ),
    ("knn-5", KNeighborsClassifier(5), {"model": "KNN", "n_neighbors": "5"}, "alice"),
    (
        "tree-3",
        DecisionTreeClassifier(max_depth=3, random_state=0),
        {"model": "DecisionTree", "max_depth": "3"},
        "bob",
    ),
]
accuracy = {}
for run_name, model, params, owner in grid:
    with mlflow.start_run(run_name=run_name):
        mlflow.log_params(params)
        mlflow.set_tag("owner", owner)
        mlflow.log_input(train_ds, context="training")
        model.fit(train[features], train["target"])
        acc = model.score(test[features], test["target"])
        accuracy[run_name] = acc
        mlflow.log_metric("accuracy", acc)
        if run_name != "tree-3":  # the tree is not evaluated on the test set
            mlflow.log_input(test_ds, context="eval")

with mlflow.start_run(run_name="crashed") as crashed:
    mlflow.log_param("model", "KNN")
mlflow.MlflowClient().set_terminated(crashed.info.run_id, "FAILED")
with mlflow.start_run(run_name="deleted") as deleted:
    mlflow.log_metric("accuracy", 1.0)
MlflowClient().delete_run(deleted.info.run_id)


def names(filter_string="", **kwargs):
    kwargs.setdefault("experiment_names", ["search-run-guide"])
    runs = mlflow.search_runs(filter_string=filter_string, output_format="list", **kwargs)
    return [r.info.run_name for r in runs]


best = max(accuracy, key=accuracy.get)
frame_out = mlflow.search_runs(
    experiment_ids=[experiment.experiment_id],
    filter_string="metrics.accuracy > 0.5 AND params.model = 'LogisticRegression'",
    order_by=["metrics.accuracy DESC"],
)
results = {
    "accuracy": accuracy,
    "best": best,
    "metric": names("metrics.accuracy > 0.94", order_by=["attributes.run_name ASC"]),
    "param": names("params.model = 'KNN'", order_by=["attributes.run_name"]),
    "param_in": names("params.model IN ('KNN', 'DecisionTree')", order_by=["run_name"]),
    "tag": names("tags.owner = 'alice'", order_by=["attributes.run_name"]),
    "run_name_like": names("tags.`mlflow.runName` LIKE 'logreg%'", order_by=["run_name"]),
    "attribute_status": names("attributes.status = 'FAILED'"),
    "attribute_name": names("attributes.run_name = 'knn-5'"),
    "dataset_name": names("datasets.name = 'cancer-test'", order_by=["run_name"]),
    "dataset_context": names("datasets.context = 'training'", order_by=["run_name"]),
    "dataset_digest": names(f"datasets.digest = '{test_ds.digest}'", order_by=["run_name"]),
    "no_eval": names("datasets.context = 'training' AND params.model = 'DecisionTree'"),
    "order_max": names("", order_by=["metrics.accuracy DESC"], max_results=2),
    "deleted_only": names(run_view_type=ViewType.DELETED_ONLY),
    "all_count": len(names(run_view_type=ViewType.ALL)),
    "active_count": len(names()),
    "pandas_names": frame_out["tags.mlflow.runName"].tolist(),
    "pandas_columns": sorted(
        c for c in frame_out.columns if c.startswith(("metrics.", "params.")) or c == "run_id"
    ),
    "pandas_accuracy": frame_out["metrics.accuracy"].tolist(),
}
print(json.dumps(results))
