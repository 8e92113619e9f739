"""``Dataset``: the base of the datasets ``lh.log_input`` records (MLflow's class).

A dataset has a name, a digest (a hash of its content), a source, and where it can
tell them a schema and a profile. ``_to_mlflow_entity()`` turns it into the
:class:`lakehouse.entities.Dataset` record that is stored.
"""

from __future__ import annotations

import json
from typing import Any

from lakehouse.data.sources import DatasetSource
from lakehouse.errors import InvalidArgumentError
from lakehouse.tracking.entities import Dataset as DatasetEntity

__all__ = ["Dataset"]


def column_schema(df: Any) -> Any | None:
    """A pandas or Spark DataFrame's columns as a ``Schema`` (None if a type has no spec)."""
    from lakehouse.models.signature import infer_signature

    try:
        return infer_signature(df).inputs
    except (InvalidArgumentError, TypeError, ValueError):
        return None


def colspec_json(schema: Any | None) -> str | None:
    """A column ``Schema`` as MLflow stores it on a dataset: ``{"mlflow_colspec": [...]}``."""
    return None if schema is None else json.dumps({"mlflow_colspec": json.loads(schema.to_json())})


class Dataset:
    """A dataset: ``name``, ``digest``, ``source``, ``schema`` and ``profile``."""

    def __init__(self, source: DatasetSource, name: str | None = None, digest: str | None = None):
        self._name = name
        self._source = source
        self._digest = digest or self._compute_digest()

    def _compute_digest(self) -> str:
        raise NotImplementedError

    @property
    def name(self) -> str:
        """The name given, or ``"dataset"`` (MLflow's default)."""
        return self._name if self._name is not None else "dataset"

    @property
    def digest(self) -> str:
        """A short hash of the content, e.g. ``"498c7496"``."""
        return self._digest

    @property
    def source(self) -> DatasetSource:
        """Where the data came from."""
        return self._source

    @property
    def schema(self) -> Any | None:
        """The columns (or tensors) of the data, when they can be described."""
        return None

    @property
    def profile(self) -> Any | None:
        """Summary numbers (row counts, sizes), when cheap to know."""
        return None

    def _schema_json(self) -> str | None:
        return None

    def to_dict(self) -> dict[str, Any]:
        """name, digest, source (JSON), source_type, schema (JSON) and profile (JSON)."""
        return {
            "name": self.name,
            "digest": self.digest,
            "source": self.source.to_json(),
            "source_type": self.source._get_source_type(),
            "schema": self._schema_json(),
            "profile": json.dumps(self.profile),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def _to_mlflow_entity(self) -> DatasetEntity:
        """The stored record of this dataset (:class:`lakehouse.entities.Dataset`)."""
        d = self.to_dict()
        return DatasetEntity(
            name=d["name"],
            digest=d["digest"],
            source_type=d["source_type"],
            source=d["source"],
            schema=d.get("schema"),
            profile=d.get("profile"),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, digest={self.digest!r})"
