"""MLflow's custom-pyfunc examples ("Creating custom Pyfunc models"), as
`import lakehouse as mlflow`.

1. AddN: a PythonModel saved with `save_model` to a path and loaded back.
2. A model with artifacts: a scikit-learn model saved to disk is handed to a
   PythonModel through `artifacts=`, opened in `load_context`, logged with a
   signature and an input example, and loaded from `runs:/` (sklearn's bundled wine
   data stands in for the XGBoost example's data; no network).
Prints one JSON line.
"""

import json
import os

import pandas as pd
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier

import lakehouse as mlflow
import lakehouse.pyfunc
import lakehouse.sklearn
from lakehouse.models import infer_signature

mlflow.set_tracking_uri(os.environ["COMPAT_TRACKING_URI"])


# --- 1. AddN -------------------------------------------------------------------------
class AddN(mlflow.pyfunc.PythonModel):
    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input.apply(lambda column: column + self.n)


model_path = "add_n_model"
add5_model = AddN(n=5)
mlflow.pyfunc.save_model(path=model_path, python_model=add5_model)
loaded_model = mlflow.pyfunc.load_model(model_path)
model_input = pd.DataFrame([range(10)])
model_output = loaded_model.predict(model_input)
assert model_output.equals(pd.DataFrame([range(5, 15)]))


# --- 2. A wrapper model with artifacts ---------------------------------------------------
X, y = load_wine(return_X_y=True, as_frame=True)
forest = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
mlflow.sklearn.save_model(forest, "forest_model")
artifacts = {"forest_model": "forest_model"}


class ForestWrapper(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        self.forest = mlflow.sklearn.load_model(context.artifacts["forest_model"])

    def predict(self, context, model_input, params=None):
        return self.forest.predict_proba(model_input)[:, 0]


signature = infer_signature(X.head(5), forest.predict_proba(X.head(5))[:, 0])
with mlflow.start_run() as run:
    info = mlflow.pyfunc.log_model(
        name="forest_wrapper",
        python_model=ForestWrapper(),
        artifacts=artifacts,
        signature=signature,
        input_example=X.head(2),
    )
loaded = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/forest_wrapper")
refused = None
try:
    loaded.predict(X.head(3).drop(columns=["alcohol"]))
except mlflow.MlflowException as exc:  # the signature names the missing column
    refused = str(exc)

print(
    json.dumps(
        {
            "add_n": model_output.iloc[0].tolist(),
            "run_id": run.info.run_id,
            "model_uri": info.model_uri,
            "wrapped": [float(v) for v in loaded.predict(X.head(5))],
            "expected": [float(v) for v in forest.predict_proba(X.head(5))[:, 0]],
            "input_names": loaded.metadata.signature.inputs.input_names(),
            "refused": refused,
            "artifacts": sorted(
                f.path
                for f in mlflow.MlflowClient().list_artifacts(run.info.run_id, "forest_wrapper")
            ),
        }
    )
)
