"""``lh.Client``: tracking and registry operations in one object, shaped like ``MlflowClient``.

Example::

    client = lh.Client()
    run = client.create_run(client.get_experiment_by_name("main.ml.churn").experiment_id)
    client.log_batch(run.info.run_id, metrics=[...])
    client.set_registered_model_alias("main.ml.churn_model", "champion", 3)
"""

from __future__ import annotations

from lakehouse.registry.client import RegistryClient
from lakehouse.tracking.client import TrackingClient

__all__ = ["Client", "MlflowClient"]


class Client(TrackingClient, RegistryClient):
    """Every tracking and registry method of the configured lakehouse root.

    ``tracking_uri`` points the tracking side at another root, as in MLflow; the
    registry side follows the configured root (``lh.set_home``).
    """

    def __init__(self, tracking_uri: str | None = None) -> None:
        TrackingClient.__init__(self, tracking_uri)
        RegistryClient.__init__(self)


# MLflow's name for the same class (`mlflow.MlflowClient`, `mlflow.tracking.MlflowClient`).
MlflowClient = Client
