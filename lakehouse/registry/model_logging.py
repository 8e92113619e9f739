"""``log_model`` and ``load_model``: the one place models/ meets tracking and the registry.

The flavor faces (``lh.sklearn``, ``lh.pyfunc``, ``lh.spark_ml``) forward here in
a line each, as ``mlflow.sklearn`` calls into MLflow's shared logging code.
:func:`log_model` takes a ``save(location)`` callable (the flavor's
``save_model``) and does the rest: start a run if none is active, save into the
run's artifacts, write extra files into the package, record input tables on the
run, append to the run's ``mlflow.log-model.history`` tag, and register the
package when asked. Example (what the feature store does)::

    info = log_model(
        lambda location: sklearn_flavor.save_model(model, location),
        "model",
        extra_files={"feature_spec.yaml": spec_yaml},
        inputs=[("main.ml.customer_features", 7)],
        registered_model_name="main.ml.churn",
    )

The history tag is derived from the run's packages, so concurrent ``log_model``
calls on one run lose no entry: see :func:`_record_history`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lakehouse import paths
from lakehouse.catalog.names import parse_name
from lakehouse.config import get_config
from lakehouse.errors import CommitConflictError, InvalidArgumentError, InvalidStateError
from lakehouse.models.info import ModelInfo
from lakehouse.models.mlmodel import MLMODEL, MLModel
from lakehouse.models.package import package_origin
from lakehouse.models.pyfunc_model import PyFuncModel, load_pyfunc, local_folder
from lakehouse.registry.fluent import register_model
from lakehouse.registry.uris import ResolvedModelUri, resolve_model_uri
from lakehouse.store import files
from lakehouse.tracking import fluent
from lakehouse.tracking.artifacts import check_artifact_path
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.entities import LoggedModel, LoggedModelStatus, Metric, RunInfo
from lakehouse.tracking.logged_models import remember_logged_model
from lakehouse.tracking.validation import MAX_TAG_VALUE_LENGTH

__all__ = [
    "HISTORY_TAG",
    "LoggedModelOptions",
    "ModelInfo",
    "artifact_path_of",
    "load_pyfunc_model",
    "log_model",
    "log_model_in_background",
    "model_folder",
]

HISTORY_TAG = "mlflow.log-model.history"
# Each round lists the run's packages and re-reads the tag; two rounds settle any
# race of writers on one clock (see _record_history), so this bound is generous.
_HISTORY_ROUNDS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedModelOptions:
    """MLflow 3's logged-model keywords of ``log_model``: ``params``, ``tags``,
    ``model_type`` and ``step`` (the run's metrics at that step are linked to the model)."""

    params: Mapping[str, Any] | None = None
    tags: Mapping[str, Any] | None = None
    model_type: str | None = None
    step: int = 0

    @classmethod
    def pop_from(cls, kwargs: dict[str, Any]) -> LoggedModelOptions:
        """Take these keywords out of a flavor's ``**kwargs`` (the rest go to save_model)."""
        step = kwargs.pop("step", 0)
        if isinstance(step, bool) or not isinstance(step, int):
            raise InvalidArgumentError(f"log_model step must be a whole number, got {step!r}")
        return cls(
            params=kwargs.pop("params", None),
            tags=kwargs.pop("tags", None),
            model_type=kwargs.pop("model_type", None),
            step=step,
        )


def artifact_path_of(name: str | None, artifact_path: str | None) -> str:
    """MLflow 3 calls it ``name``, MLflow 2 ``artifact_path``: accept either, not both."""
    if name and artifact_path and name != artifact_path:
        raise InvalidArgumentError(
            f"pass the model's path in the run once: name={name!r} or "
            f"artifact_path={artifact_path!r}, not both"
        )
    given = name if name is not None else artifact_path
    if given is None:
        return "model"
    # MLflow refuses "", ".", "a/../b", "/abs" and "../x" with this wording; so do we.
    return fluent.verify_artifact_path(given)


def _check_extra_files(extra_files: Mapping[str, str | bytes]) -> dict[str, bytes]:
    """Relative paths inside the package, never ``MLmodel`` (the flavor owns it)."""
    checked: dict[str, bytes] = {}
    for rel, content in extra_files.items():
        clean = check_artifact_path(rel)
        if not clean or clean == MLMODEL:
            raise InvalidArgumentError(
                f"invalid extra file {rel!r} for a model package: expected a relative file "
                f"path other than {MLMODEL}, e.g. 'feature_spec.yaml'"
            )
        if not isinstance(content, str | bytes):
            raise InvalidArgumentError(
                f"extra file {rel!r} must be given as str or bytes, got {type(content).__name__}"
            )
        checked[clean] = content.encode() if isinstance(content, str) else content
    return checked


def _check_inputs(inputs: Iterable[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """``(catalog.schema.table, delta_version or None)`` pairs, names checked up front."""
    checked: list[tuple[str, int | None]] = []
    for item in inputs:
        pair = item if isinstance(item, tuple | list) and len(item) == 2 else None
        version = pair[1] if pair else None
        if pair is None or (
            version is not None and (isinstance(version, bool) or not isinstance(version, int))
        ):
            raise InvalidArgumentError(
                f"invalid input {item!r} for log_model: expected (table_name, delta_version) "
                "with the version a whole number or None, e.g. ('main.ml.features', 3)"
            )
        if version is not None and version < 0:
            raise InvalidArgumentError(
                f"invalid input {item!r} for log_model: a Delta version is 0 or more"
            )
        table = pair[0]
        checked.append((str(parse_name(str(table))), version))
    return checked


def log_model(
    save: Callable[[str], MLModel],
    name: str | None = None,
    *,
    artifact_path: str | None = None,
    registered_model_name: str | None = None,
    extra_files: Mapping[str, str | bytes] | None = None,
    inputs: Iterable[tuple[str, int | None]] = (),
    logged: LoggedModelOptions | None = None,
) -> ModelInfo:
    """Save a package into the active run (started if none) and register it when asked.

    ``save(location)`` writes the package at ``location`` (a URI) and returns its
    ``MLmodel``; ``name`` (or MLflow 2's ``artifact_path``) is its path in the run.
    ``extra_files`` maps paths inside the package to contents written after
    ``save``; ``inputs`` are ``(table, delta_version)`` pairs recorded on the run
    (and so in the registered version's lineage); ``logged`` holds the logged
    model's params, tags, type and step (MLflow 3's ``log_model`` keywords).
    Arguments are checked before anything is written.

    Every call creates a logged model (PENDING while the package is written, then
    READY, or FAILED if ``save`` raised): the result's ``model_uri`` is
    ``models:/m-<id>``, and ``runs:/<run_id>/<name>`` names the same package.
    """
    path = artifact_path_of(name, artifact_path)
    extras = _check_extra_files(extra_files or {})
    wanted_inputs = _check_inputs(inputs)
    options = logged or LoggedModelOptions()
    run = fluent.active_run() or fluent.start_run()
    client = TrackingClient()
    params = client.get_run(run.info.run_id).data.params
    saved = _save_package(client, run.info, path, save, extras, options, params)
    return _complete(client, saved, wanted_inputs, registered_model_name)


def log_model_in_background(
    save: Callable[[str], MLModel],
    name: str,
    *,
    client: TrackingClient,
    run: RunInfo,
    registered_model_name: str | None = None,
    submit: Callable[[Callable[[], None]], None],
) -> None:
    """:func:`log_model` for autologging: the package now, the reads and commits later.

    In the calling thread it writes only the run's artifacts and journal rows (the
    logged model, PENDING, with the run's params as ``client`` knows them: no read
    for a run it created), so it never waits on a Delta commit. The rest of
    ``log_model`` (link the run's metrics, mark the model READY, record the history
    tag, register the version) is handed to ``submit`` to run on another thread,
    which makes the same rows ``log_model`` makes. ``run`` names the run explicitly.
    """
    path = artifact_path_of(name, None)
    options = LoggedModelOptions()
    params = client.run_params(run.run_id)
    saved = _save_package(client, run, path, save, {}, options, params)

    def finish() -> None:
        home = get_config().home_uri
        if registered_model_name and home != client.tracking_uri:
            raise InvalidStateError(
                f"model {saved.model.model_id} of run {run.run_id} was not registered as "
                f"{registered_model_name!r}: the lakehouse root changed from "
                f"{client.tracking_uri} to {home} before it could be; register it with "
                f"lh.register_model('{saved.model.model_uri}', ...) under the old root"
            )
        _complete(client, saved, [], registered_model_name)

    submit(finish)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Saved:
    """A package saved into a run, its logged model still PENDING."""

    run: RunInfo
    path: str
    model: LoggedModel
    meta: MLModel
    step: int


def _save_package(
    client: TrackingClient,
    run: RunInfo,
    path: str,
    save: Callable[[str], MLModel],
    extras: Mapping[str, bytes],
    options: LoggedModelOptions,
    run_params: Mapping[str, str],
) -> _Saved:
    """Create the logged model (PENDING), save the package and its extra files.

    Journal rows and artifact files only: no Delta read or commit.
    """
    run_id = run.run_id
    location = paths.join(run.artifact_uri, path)
    model = client.create_logged_model(
        run.experiment_id,
        path,
        run_id,
        tags=options.tags,
        # As MLflow 3: the model's params are the given ones plus the run's.
        params={**(options.params or {}), **run_params},
        model_type=options.model_type,
        artifact_location=location,
    )
    try:
        with package_origin(run_id, path):
            meta = save(location)
        for rel, data in extras.items():
            client.log_bytes(run_id, data, f"{path}/{rel}")
    except BaseException as exc:
        client.record_status(model, LoggedModelStatus.FAILED, str(exc)[:500])
        raise
    # From here on, metrics logged at this step without a model_id are this model's.
    remember_logged_model(model.model_id, run_id, options.step)
    return _Saved(run=run, path=path, model=model, meta=meta, step=options.step)


def _complete(
    client: TrackingClient,
    saved: _Saved,
    wanted_inputs: Sequence[tuple[str, int | None]],
    registered_model_name: str | None,
) -> ModelInfo:
    """Inputs, metric links, READY, the history tag and the registration (reads, commits)."""
    run_id = saved.run.run_id
    for table, version in wanted_inputs:
        client.log_input(run_id, table, version)
    linked = _link_run_metrics(client, run_id, saved.model.model_id, saved.step)
    model = client.record_status(saved.model, LoggedModelStatus.READY)
    _record_history(client, run_id, saved.run.artifact_uri)  # (flushes: the model is stored)
    version = None
    if registered_model_name:
        version = int(register_model(model.model_uri, registered_model_name).version)
    meta = saved.meta
    return ModelInfo(
        model_uri=model.model_uri,
        run_id=run_id,
        artifact_path=saved.path,
        flavors=meta.flavors,
        signature=meta.signature,
        model_uuid=meta.model_uuid,
        utc_time_created=meta.utc_time_created,
        saved_input_example_info=meta.saved_input_example_info,
        registered_model_version=version,
        model_id=model.model_id,
        name=model.name,
        params=dict(model.params),
        tags=dict(model.tags),
        metrics=linked,
        creation_timestamp=model.creation_timestamp,
    )


def _link_run_metrics(
    client: TrackingClient, run_id: str, model_id: str, step: int
) -> list[Metric]:
    """Link the run's metric points at ``step`` to the new model, as MLflow 3's log_model.

    Points logged for another model (``model_id=``) stay that model's only.
    """
    points = [
        dataclasses.replace(m, model_id=model_id) for m in client.unlinked_run_metrics(run_id, step)
    ]
    client.link_metrics(run_id, points)
    return points


# -- the history tag ---------------------------------------------------------------------
def _logged_packages(
    artifact_root: str, run_id: str, seen: dict[str, dict[str, Any] | None]
) -> list[dict[str, Any]]:
    """History entries of every package log_model saved under the run's artifact root.

    The package folders are the append-only record (each log_model writes its own);
    a folder whose MLmodel names another run or path (copied in by hand) is skipped.
    ``seen`` keeps each folder's entry between rounds of one call, so a package's
    MLmodel is read once.
    """
    pending = [""]
    while pending:
        folder = pending.pop()
        location = paths.join(artifact_root, folder) if folder else artifact_root
        children = files.list_children(location)
        if not any(c.name == MLMODEL and not c.is_dir for c in children):
            pending += [f"{folder}/{c.name}" if folder else c.name for c in children if c.is_dir]
            continue  # a package's own sub-folders hold no other packages: not listed
        if folder not in seen:
            data = yaml.safe_load(files.read_bytes(paths.join(location, MLMODEL))) or {}
            ours = data.get("run_id") == run_id and data.get("artifact_path") == folder
            seen[folder] = (
                {
                    "run_id": run_id,
                    "artifact_path": folder,
                    "utc_time_created": str(data.get("utc_time_created", "")),
                    "model_uuid": str(data.get("model_uuid", "")),
                    "flavors": data.get("flavors", {}),
                }
                if ours
                else None
            )
    return [e for e in seen.values() if e is not None]


def _current_history(client: TrackingClient, run_id: str) -> list[dict[str, Any]]:
    client.flush()
    try:
        history = json.loads(client.get_run(run_id).data.tags.get(HISTORY_TAG, "[]"))
    except ValueError:
        return []
    return [e for e in history if isinstance(e, dict)] if isinstance(history, list) else []


def _newest_that_fit(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest entries whose JSON fits a tag value (oldest first), as the tag keeps them."""
    kept: list[dict[str, Any]] = []
    for entry in reversed(entries):
        if len(json.dumps([entry, *kept])) > MAX_TAG_VALUE_LENGTH:
            break
        kept.insert(0, entry)
    return kept


def _record_history(client: TrackingClient, run_id: str, artifact_root: str) -> None:
    """Make the run's history tag list every package logged in it, racing writers or not.

    A tag is last-writer-wins, so read-append-write loses entries when two
    processes log into one run. Instead each writer lists the packages (which
    only grow), writes them merged with the tag, and re-checks after its own
    write until the tag covers what it listed. The winning row (newest
    ``updated_at``) was written before its writer listed; a package saved later
    belongs to a writer whose row is newer still, so the winner lists every
    package. A tag value holds at most 8,000 characters (MLflow's limit), about
    18 entries: past that the tag keeps the newest, and every package stays in
    the run's artifacts.
    """
    seen: dict[str, dict[str, Any] | None] = {}
    for _ in range(_HISTORY_ROUNDS):
        current = _current_history(client, run_id)
        merged = {e.get("model_uuid"): e for e in current}
        merged.update((e["model_uuid"], e) for e in _logged_packages(artifact_root, run_id, seen))
        ordered = sorted(
            merged.values(),
            key=lambda e: (str(e.get("utc_time_created")), str(e.get("model_uuid"))),
        )
        wanted = _newest_that_fit(ordered)
        known = {e.get("model_uuid") for e in current}
        if all(e["model_uuid"] in known for e in wanted):
            return
        client.set_tag(run_id, HISTORY_TAG, json.dumps(wanted))
    raise CommitConflictError(
        f"could not record run {run_id}'s {HISTORY_TAG} tag after {_HISTORY_ROUNDS} rounds "
        "of concurrent log_model calls; the packages are saved, so logging any model into "
        "the run again will record them"
    )


# -- loading -----------------------------------------------------------------------------
def model_folder(model_uri: str | Path) -> str:
    """A local folder holding the package a model URI names (for a flavor's loader)."""
    return local_folder(resolve_model_uri(model_uri).location)


def load_pyfunc_model(model_uri: str | Path) -> PyFuncModel:
    """Any package as a generic model; run and registry packages cached per process."""
    resolved: ResolvedModelUri = resolve_model_uri(model_uri)
    return load_pyfunc(resolved.location, cache=resolved.immutable)
