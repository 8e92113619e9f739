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

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "CodeDatasetSource",
    "DatasetSource",
    "DeltaDatasetSource",
    "SparkDatasetSource",
    "UriDatasetSource",
    "get_dataset_source_from_json",
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

    def load(self) -> Any:
        """Read the data again from where it came from."""
        raise InvalidArgumentError(
            f"a {self._get_source_type()!r} dataset source cannot be loaded again: it records "
            "the code that built the data, not where the data is"
        )

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

    def load(self) -> Any:
        """The table at the recorded version, as a Spark DataFrame."""
        from lakehouse.spark import spark

        session = spark()
        if self.delta_table_name:
            from lakehouse.catalog.names import sql_name

            query = f"SELECT * FROM {sql_name(self.delta_table_name)}"
            if self.delta_table_version is not None:
                query += f" VERSION AS OF {int(self.delta_table_version)}"
            return session.sql(query)
        reader = session.read.format("delta")
        if self.delta_table_version is not None:
            reader = reader.option("versionAsOf", int(self.delta_table_version))
        return reader.load(self.path)

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

    def load(self) -> Any:
        """The table, the Parquet path or the query's result, as a Spark DataFrame."""
        from lakehouse.spark import spark

        session = spark()
        if self.path is not None:
            return session.read.parquet(self.path)
        if self.table_name is not None:
            return session.read.table(self.table_name)
        return session.sql(self.sql or "")

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

    def load(self) -> str:
        """The local path of a ``local`` source (other URIs: download them yourself)."""
        if self.source_type != "local":
            raise InvalidArgumentError(
                f"dataset source {self.uri!r} is not on local disk; download it with "
                "lh.artifacts.download_artifacts(artifact_uri=...) or your storage client"
            )
        return urlparse(self.uri).path if self.uri.startswith("file:") else self.uri

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.uri} if self.source_type == "http" else {"uri": self.uri}


def get_dataset_source_from_json(source_json: str, source_type: str) -> DatasetSource:
    """The source object a stored dataset's ``source`` and ``source_type`` describe."""
    info = json.loads(source_json or "{}")
    if source_type == "code":
        return CodeDatasetSource(tags=info.get("tags", {}))
    if source_type == "delta_table":
        return DeltaDatasetSource(
            path=info.get("path"),
            delta_table_name=info.get("delta_table_name"),
            delta_table_version=info.get("delta_table_version"),
        )
    if source_type == "spark":
        return SparkDatasetSource(
            path=info.get("path"), table_name=info.get("table_name"), sql=info.get("sql")
        )
    uri = info.get("url") or info.get("uri")
    if not isinstance(uri, str):
        raise InvalidArgumentError(
            f"cannot read a {source_type!r} dataset source from {source_json!r}"
        )
    return UriDatasetSource(uri)


def resolve_dataset_source(source: str | DatasetSource | None) -> DatasetSource:
    """``source`` as a :class:`DatasetSource`: the code location when None, a URI when text."""
    if isinstance(source, DatasetSource):
        return source
    if source is None:
        from lakehouse.tracking.context import run_context_tags

        tags = {k: v for k, v in run_context_tags().items() if k.startswith("mlflow.")}
        return CodeDatasetSource(tags=tags)
    return UriDatasetSource(str(source))
