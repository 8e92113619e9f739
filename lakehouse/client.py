"""``lh.Client``: tracking and registry operations in one object, shaped like ``MlflowClient``.

Example::

    client = lh.Client()
    run = client.create_run(client.get_experiment_by_name("main.ml.churn").experiment_id)
    client.log_batch(run.info.run_id, metrics=[...])
    client.set_registered_model_alias("main.ml.churn_model", "champion", 3)
"""

from __future__ import annotations

from lakehouse import paths
from lakehouse.config import get_config
from lakehouse.errors import InvalidArgumentError
from lakehouse.registry.client import RegistryClient
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.fluent import check_home_uri

__all__ = ["Client", "MlflowClient"]


class Client(TrackingClient, RegistryClient):
    """Every tracking and registry method of the configured lakehouse root.

    ``tracking_uri`` points the tracking side at another root, as in MLflow; the
    registry side follows the configured root (``lh.set_home``), so a ``registry_uri``
    other than that root is refused rather than ignored. MLflow's server URIs
    (``sqlite:``, ``http(s):``, ``databricks``) raise :class:`InvalidArgumentError`.
    """

    def __init__(self, tracking_uri: str | None = None, registry_uri: str | None = None) -> None:
        if tracking_uri is not None:
            check_home_uri(str(tracking_uri), "tracking URI")
        if registry_uri is not None:
            check_home_uri(str(registry_uri), "registry URI")
            if paths.to_uri(str(registry_uri)) != get_config().home_uri:
                raise InvalidArgumentError(
                    f"registry URI {registry_uri!r}: the registry lives under the lakehouse "
                    f"root {get_config().home_uri!r}; omit registry_uri or change the root "
                    "with lh.set_home / lh.set_registry_uri"
                )
        TrackingClient.__init__(self, tracking_uri)
        RegistryClient.__init__(self)


# MLflow's name for the same class (`mlflow.MlflowClient`, `mlflow.tracking.MlflowClient`).
MlflowClient = Client
