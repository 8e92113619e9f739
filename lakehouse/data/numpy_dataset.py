"""``NumpyDataset`` and ``from_numpy`` (MLflow's ``mlflow.data.numpy_dataset``)."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from lakehouse.data.dataset import Dataset
from lakehouse.data.digest_utils import compute_numpy_digest
from lakehouse.data.sources import DatasetSource, resolve_dataset_source
from lakehouse.errors import InvalidArgumentError

__all__ = ["NumpyDataset", "from_numpy"]


def _attribute(data: Any, attr: str) -> Any:
    if isinstance(data, dict):
        return {k: getattr(v, attr) for k, v in data.items()}
    return getattr(data, attr)


def _tensor_schema(data: Any) -> str:
    import numpy as np

    from lakehouse.models.signature import infer_signature

    if isinstance(data, dict):
        data = {k: np.asarray(v) for k, v in data.items()}
    schema = infer_signature(data).inputs
    if schema is None:
        raise InvalidArgumentError("no tensor schema for these arrays")
    return schema.to_json()


class NumpyDataset(Dataset):
    """Numpy features (an array or a dict of arrays) and optional targets."""

    def __init__(
        self,
        features: Any,
        source: DatasetSource,
        targets: Any = None,
        name: str | None = None,
        digest: str | None = None,
    ):
        self._features = features
        self._targets = targets
        super().__init__(source=source, name=name, digest=digest)

    def _compute_digest(self) -> str:
        return compute_numpy_digest(self._features, self._targets)

    @property
    def features(self) -> Any:
        return self._features

    @property
    def targets(self) -> Any:
        return self._targets

    @property
    def profile(self) -> dict[str, Any]:
        """Shapes, sizes and byte counts of the features (and targets)."""
        profile = {
            "features_shape": _attribute(self._features, "shape"),
            "features_size": _attribute(self._features, "size"),
            "features_nbytes": _attribute(self._features, "nbytes"),
        }
        if self._targets is not None:
            profile.update(
                {
                    "targets_shape": _attribute(self._targets, "shape"),
                    "targets_size": _attribute(self._targets, "size"),
                    "targets_nbytes": _attribute(self._targets, "nbytes"),
                }
            )
        return profile

    @cached_property
    def schema(self) -> dict[str, Any] | None:
        """MLflow's tensor schema: ``{"mlflow_tensorspec": {"features": ..., "targets": ...}}``."""
        try:
            features = _tensor_schema(self._features)
            targets = None if self._targets is None else _tensor_schema(self._targets)
        except (InvalidArgumentError, TypeError, ValueError):
            return None
        return {"mlflow_tensorspec": {"features": features, "targets": targets}}

    def _schema_json(self) -> str | None:
        return None if self.schema is None else json.dumps(self.schema)


def from_numpy(
    features: Any,
    source: str | DatasetSource | None = None,
    targets: Any = None,
    name: str | None = None,
    digest: str | None = None,
) -> NumpyDataset:
    """A dataset of numpy features and optional targets, for ``lh.log_input``.

    Example::

        X, y = sklearn.datasets.load_iris(return_X_y=True)
        lh.log_input(lh.data.from_numpy(X, targets=y, name="iris"), context="training")
    """
    return NumpyDataset(
        features=features,
        source=resolve_dataset_source(source),
        targets=targets,
        name=name,
        digest=digest,
    )
