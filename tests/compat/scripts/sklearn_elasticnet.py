"""MLflow's sklearn ElasticNet example and registry tutorial, as `import lakehouse as mlflow`.

sklearn's bundled diabetes data stands in for the wine-quality CSV (no network). The
model is registered as "ElasticnetWineModel"; a custom pyfunc wraps it through a
`runs:/` artifact; a last metric is logged with no `start_run` (an implicit run that
must end FINISHED at exit). Prints one JSON line of results.
"""

import json
import os
import sys

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

import lakehouse as mlflow
import lakehouse.pyfunc
from lakehouse.tracking import MlflowClient

mlflow.set_tracking_uri(os.environ["COMPAT_TRACKING_URI"])


def eval_metrics(actual, pred):
    rmse = np.sqrt(mean_squared_error(actual, pred))
    return rmse, mean_absolute_error(actual, pred), r2_score(actual, pred)


X, y = load_diabetes(return_X_y=True, as_frame=True)
train_x, test_x, train_y, test_y = train_test_split(X, y, random_state=42)
alpha, l1_ratio = float(sys.argv[1]) if len(sys.argv) > 1 else 0.01, 0.5

with mlflow.start_run() as run:
    lr = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, random_state=42)
    lr.fit(train_x, train_y)
    rmse, mae, r2 = eval_metrics(test_y, lr.predict(test_x))
    mlflow.log_param("alpha", alpha)
    mlflow.log_param("l1_ratio", l1_ratio)
    mlflow.log_metric("rmse", rmse)
    mlflow.log_metric("r2", r2)
    mlflow.log_metric("mae", mae)
    mlflow.sklearn.log_model(lr, "model", registered_model_name="ElasticnetWineModel")

client = MlflowClient()
client.set_registered_model_alias("ElasticnetWineModel", "champion", "1")
champion = mlflow.pyfunc.load_model("models:/ElasticnetWineModel@champion")


class Rounded(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        self.inner = mlflow.sklearn.load_model(context.artifacts["regressor"])

    def predict(self, context, model_input, params=None):
        return np.round(self.inner.predict(model_input), 1)


with mlflow.start_run() as wrapper_run:
    wrapped = mlflow.pyfunc.log_model(
        name="rounded",
        python_model=Rounded(),
        artifacts={"regressor": f"runs:/{run.info.run_id}/model"},
    )
rounded = mlflow.pyfunc.load_model(wrapped.model_uri).predict(test_x.head(3))

mlflow.log_metric("implicit", 1.0)  # no start_run: ends FINISHED at exit, as in MLflow
print(
    json.dumps(
        {
            "run_id": run.info.run_id,
            "implicit_run_id": mlflow.active_run().info.run_id,
            "rmse": rmse,
            "champion": [float(v) for v in champion.predict(test_x.head(3))],
            "expected": [float(v) for v in lr.predict(test_x.head(3))],
            "rounded": [float(v) for v in rounded],
        }
    )
)
