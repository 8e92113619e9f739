"""``lakehouse.artifacts``: MLflow's ``mlflow.artifacts`` (download and read artifacts).

``artifact_uri`` takes ``runs:/<run_id>/<path>``, ``models:/<name>/<version>`` (or
``@alias``, a stage, ``latest``), a local path or a storage URI. Example::

    local = lh.artifacts.download_artifacts("runs:/0a1b2c/model", dst_path="/tmp/m")
    lh.artifacts.load_dict("runs:/0a1b2c/config.json")
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError
from lakehouse.models.pyfunc_model import local_folder
from lakehouse.registry.uris import resolve_model_uri
from lakehouse.tracking.client import TrackingClient

__all__ = ["download_artifacts", "load_dict", "load_text"]


def download_artifacts(
    artifact_uri: str | None = None,
    run_id: str | None = None,
    artifact_path: str | None = None,
    dst_path: str | None = None,
) -> str:
    """Copy an artifact file or folder to local disk; returns the local path.

    Pass ``artifact_uri``, or ``run_id`` (with an optional ``artifact_path``), as MLflow.
    """
    if (artifact_uri is None) == (run_id is None) or (artifact_uri and artifact_path):
        raise InvalidArgumentError(
            "pass either artifact_uri (e.g. 'runs:/<run_id>/model' or "
            "'models:/main.ml.churn/1'), or run_id with an optional artifact_path"
        )
    if run_id is not None:
        return TrackingClient().download_artifacts(run_id, artifact_path or "", dst_path)
    text = str(artifact_uri)
    if text.startswith("runs:"):
        found_run, _, path = text[len("runs:") :].lstrip("/").partition("/")
        return TrackingClient().download_artifacts(found_run, path, dst_path)
    location = resolve_model_uri(text).location
    target = Path(dst_path or tempfile.mkdtemp(prefix="lakehouse-artifacts-"))
    target.mkdir(parents=True, exist_ok=True)
    dest = target / location.rstrip("/").rsplit("/", 1)[-1]
    if paths.is_local(location):
        source = Path(paths.to_local_path(location))
        if not source.exists():
            raise InvalidArgumentError(f"artifact {text!r} does not exist (at {location})")
        if source.is_dir():
            shutil.copytree(source, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(source, dest)
    else:
        shutil.copytree(local_folder(location), dest, dirs_exist_ok=True)
    return str(dest)


def load_text(artifact_uri: str) -> str:
    """The text of an artifact file."""
    return Path(download_artifacts(artifact_uri)).read_text(encoding="utf-8")


def load_dict(artifact_uri: str) -> Any:
    """A JSON (or YAML, by extension) artifact file, parsed."""
    text = load_text(artifact_uri)
    if artifact_uri.endswith((".yaml", ".yml")):
        import yaml  # imported here: only YAML artifacts need it

        return yaml.safe_load(text)
    return json.loads(text)
