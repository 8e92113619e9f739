"""Where a dataset came from: MLflow's dataset sources, as JSON-able records.

``source_type`` and ``to_json()`` are what ``system.tracking.dataset_inputs`` keeps
(``source_type``, ``source``), in MLflow's shapes: ``code`` (the script or notebook
that built the data), ``delta_table`` (a Delta table name or path and its version),
``spark`` (a table, path or SQL query), ``local``/``s3``/``http``... (a URI).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

__all__ = [
    "CodeDatasetSource",
    "DatasetSource",
    "DeltaDatasetSource",
    "SparkDatasetSource",
    "UriDatasetSource",
    "resolve_dataset_source",
]


class DatasetSource:
    """Base of the sources: a type name and a JSON-able dict."""

    source_type = "unknown"

    @classmethod
    def _get_source_type(cls) -> str:
        return cls.source_type

    def to_dict(self) -> dict[str, Any]:
        """The source as MLflow's dict (``to_json`` is its JSON)."""
        raise NotImplementedError

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()!r})"


class CodeDatasetSource(DatasetSource):
    """The code that built the data (MLflow's default source): the run context tags."""

    source_type = "code"

    def __init__(self, tags: Mapping[str, str]):
        self._tags = dict(tags)

    def to_dict(self) -> dict[str, Any]:
        return {"tags": self._tags}


class DeltaDatasetSource(DatasetSource):
    """A Delta table, by path or name, at a version (the lineage MLflow keeps for Delta).

    Unlike MLflow, version 0 is recorded too (MLflow drops a falsy version).
    """

    source_type = "delta_table"

    def __init__(
        self,
        path: str | None = None,
        delta_table_name: str | None = None,
        delta_table_version: int | None = None,
    ):
        self.path = path
        self.delta_table_name = delta_table_name
        self.delta_table_version = delta_table_version

    def to_dict(self) -> dict[str, Any]:
        info: dict[str, Any] = {}
        if self.path:
            info["path"] = self.path
        if self.delta_table_name:
            info["delta_table_name"] = self.delta_table_name
        if self.delta_table_version is not None:
            info["delta_table_version"] = self.delta_table_version
        return info


class SparkDatasetSource(DatasetSource):
    """A Spark table, path or SQL query that is not a versioned Delta table."""

    source_type = "spark"

    def __init__(
        self, path: str | None = None, table_name: str | None = None, sql: str | None = None
    ):
        self.path, self.table_name, self.sql = path, table_name, sql

    def to_dict(self) -> dict[str, Any]:
        if self.path is not None:
            return {"path": self.path}
        if self.table_name is not None:
            return {"table_name": self.table_name}
        return {"sql": self.sql} if self.sql is not None else {}


class UriDatasetSource(DatasetSource):
    """A file or URL the data was read from; the type is the URI scheme (MLflow's names)."""

    def __init__(self, uri: str):
        self.uri = uri
        scheme = urlparse(uri).scheme.lower()
        if scheme in ("http", "https"):
            self.source_type = "http"
        elif scheme in ("", "file") or len(scheme) == 1:  # a path (or a Windows drive)
            self.source_type = "local"
        else:
            self.source_type = scheme

    def _get_source_type(self) -> str:  # type: ignore[override]
        return self.source_type

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.uri} if self.source_type == "http" else {"uri": self.uri}


def resolve_dataset_source(source: str | DatasetSource | None) -> DatasetSource:
    """``source`` as a :class:`DatasetSource`: the code location when None, a URI when text."""
    if isinstance(source, DatasetSource):
        return source
    if source is None:
        from lakehouse.tracking.context import run_context_tags

        tags = {k: v for k, v in run_context_tags().items() if k.startswith("mlflow.")}
        return CodeDatasetSource(tags=tags)
    return UriDatasetSource(str(source))
