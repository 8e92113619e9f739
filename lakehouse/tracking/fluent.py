"""MLflow's fluent tracking API: ``lh.start_run``, ``lh.log_metric``, ``lh.search_runs``...

The fluent layer only finds the active run (per thread) and forwards to a
:class:`TrackingClient`. Example::

    import lakehouse as lh
    lh.set_experiment("main.ml.churn")
    with lh.start_run(run_name="rf") as run:
        lh.log_params({"n_estimators": 100, "max_depth": 5})
        lh.log_metric("accuracy", 0.93)
    lh.search_runs(filter_string="metrics.accuracy > 0.9 OR params.max_depth IN ('5', '6')")
"""

from __future__ import annotations

import atexit
import json
import posixpath
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from lakehouse import paths
from lakehouse.config import get_config, home_is_set, set_config
from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.spark import sync_active_session
from lakehouse.tracking import logged_models
from lakehouse.tracking.client import DEFAULT_EXPERIMENT_ID, TrackingClient, _now_ms
from lakehouse.tracking.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    InputTag,
    LoggedModel,
    Metric,
    Param,
    Run,
    RunInput,
    RunStatus,
    RunTag,
    ViewType,
)
from lakehouse.tracking.tables import DATASET_CONTEXT_TAG
from lakehouse.tracking.writer import wait_for_background_writes

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ActiveRun",
    "active_run",
    "create_experiment",
    "current_client",
    "delete_experiment",
    "delete_run",
    "delete_logged_model_tag",
    "delete_tag",
    "end_run",
    "finalize_logged_model",
    "get_experiment",
    "get_artifact_uri",
    "get_experiment_by_name",
    "get_logged_model",
    "get_parent_run",
    "get_registry_uri",
    "is_tracking_uri_set",
    "get_run",
    "get_tracking_uri",
    "last_active_run",
    "last_logged_model",
    "leave_run",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_input",
    "log_inputs",
    "log_metric",
    "log_metrics",
    "log_model_params",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "search_experiments",
    "search_logged_models",
    "search_runs",
    "set_experiment",
    "set_experiment_tag",
    "set_experiment_tags",
    "set_logged_model_tags",
    "set_registry_uri",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "start_run",
]

_local = threading.local()
_state_lock = threading.Lock()
_experiment: dict[str, str] = {}  # home URI -> experiment id set by set_experiment
_last: list[Run] = []
_clients: dict[str, TrackingClient] = {}


class ActiveRun(Run):
    """The run returned by :func:`start_run`; a context manager ending it on exit.

    An exception inside the ``with`` block ends the run FAILED.
    """

    __slots__ = ()

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        status = RunStatus.FINISHED if exc_type is None else RunStatus.FAILED
        if exc_type is KeyboardInterrupt:
            status = RunStatus.KILLED
        _end(self.info.run_id, status)


def _client() -> TrackingClient:
    home = get_config().home_uri
    with _state_lock:
        client = _clients.get(home)
        if client is None:
            client = _clients[home] = TrackingClient(home)
        return client


def _stack() -> list[tuple[TrackingClient, ActiveRun]]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def _current() -> tuple[TrackingClient, str]:
    """The active run's client and id, starting a run when none is active (as MLflow)."""
    stack = _stack()
    if not stack:
        start_run()
    client, run = stack[-1]
    return client, run.info.run_id


# -- experiments --------------------------------------------------------------------------
def set_experiment(
    experiment_name: str | None = None, experiment_id: str | None = None
) -> Experiment:
    """Make an experiment current for new runs, creating it if absent (race-free)."""
    client = _client()
    if (experiment_name is None) == (experiment_id is None):
        raise InvalidArgumentError("pass exactly one of experiment_name or experiment_id")
    if experiment_id is not None:
        exp = client.get_experiment(experiment_id)
    else:
        client.create_experiment(str(experiment_name), _exist_ok=True)
        found = client.get_experiment_by_name(str(experiment_name))
        assert found is not None
        exp = found
    if exp.lifecycle_stage != "active":
        raise InvalidArgumentError(
            f"experiment {exp.name!r} is deleted; restore it with "
            "lh.Client().restore_experiment(id) or pick another name"
        )
    with _state_lock:
        _experiment[client.tracking_uri] = exp.experiment_id
    return exp


def create_experiment(
    name: str, artifact_location: str | None = None, tags: Mapping[str, Any] | None = None
) -> str:
    """Create an experiment; :class:`AlreadyExistsError` if the name is taken."""
    return _client().create_experiment(name, artifact_location, tags)


def get_experiment(experiment_id: str) -> Experiment:
    """The experiment with this id."""
    return _client().get_experiment(experiment_id)


def get_experiment_by_name(name: str) -> Experiment | None:
    """The experiment with this name, or None."""
    return _client().get_experiment_by_name(name)


def search_experiments(
    view_type: ViewType | str = ViewType.ACTIVE_ONLY,
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: Sequence[str] | None = None,
) -> list[Experiment]:
    """Experiments matching a filter over ``name`` and ``tags.*``."""
    return _client().search_experiments(view_type, max_results, filter_string, order_by)


def delete_experiment(experiment_id: str) -> None:
    """Soft-delete an experiment."""
    _client().delete_experiment(experiment_id)


def _current_experiment_id(client: TrackingClient) -> str:
    return _experiment.get(client.tracking_uri, DEFAULT_EXPERIMENT_ID)


def set_experiment_tag(key: str, value: Any) -> None:
    """Set a tag on the current experiment (the one :func:`set_experiment` chose)."""
    client = _client()
    client.set_experiment_tag(_current_experiment_id(client), key, value)


def set_experiment_tags(tags: Mapping[str, Any]) -> None:
    """Set several tags on the current experiment."""
    for key, value in tags.items():
        set_experiment_tag(key, value)


# -- runs ------------------------------------------------------------------------------
def start_run(
    run_id: str | None = None,
    experiment_id: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    tags: Mapping[str, Any] | None = None,
    description: str | None = None,
    parent_run_id: str | None = None,
) -> ActiveRun:
    """Start (or with ``run_id`` resume) a run and make it active in this thread."""
    client = _client()
    stack = _stack()
    if stack and not nested and parent_run_id is None:
        raise InvalidArgumentError(
            f"run {stack[-1][1].info.run_id} is already active in this thread; end it "
            "(lh.end_run()) or pass nested=True to start a child run"
        )
    if run_id is not None:
        run = client.get_run(run_id)
        if run.info.status != RunStatus.RUNNING:
            client.update_run(run_id, status="RUNNING")
            run = client.get_run(run_id)
        active = ActiveRun(info=run.info, data=run.data)
    else:
        all_tags = dict(tags or {})
        parent = parent_run_id or (stack[-1][1].info.run_id if stack else None)
        if parent:
            all_tags["mlflow.parentRunId"] = parent
        if description is not None:
            all_tags["mlflow.note.content"] = description
        from lakehouse.tracking.context import run_context_tags

        exp_id = experiment_id or _experiment.get(client.tracking_uri) or DEFAULT_EXPERIMENT_ID
        run = client.create_run(exp_id, tags={**run_context_tags(), **all_tags}, run_name=run_name)
        active = ActiveRun(info=run.info, data=run.data)
    stack.append((client, active))
    _watch_exit()
    return active


# -- runs left active at exit ----------------------------------------------------------------
_exit_state = {"uncaught": False, "hooked": False}


def _note_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    _exit_state["uncaught"] = True
    _previous_excepthook(exc_type, exc, tb)


_previous_excepthook = sys.excepthook


def _end_at_exit() -> None:
    """End the runs still active in the main thread, as MLflow's atexit hook does.

    FINISHED at a normal exit, FAILED when the interpreter exits on an uncaught exception
    (``log_metric`` without ``with start_run()`` starts a run nobody ends).
    """
    status = RunStatus.FAILED if _exit_state["uncaught"] else RunStatus.FINISHED
    stack = _stack()
    if stack:
        _end(stack[0][1].info.run_id, status)


def _watch_exit() -> None:
    global _previous_excepthook
    with _state_lock:
        if not _exit_state["hooked"]:
            _exit_state["hooked"] = True
            _previous_excepthook = sys.excepthook
            sys.excepthook = _note_uncaught
        # Re-registered after each run starts, so it runs before the tracking writer's own
        # exit hook (registered when the writer was made; atexit runs last-in first-out) and
        # the end of the run is flushed with the rest.
        atexit.unregister(_end_at_exit)
        atexit.register(_end_at_exit)


# -- URIs ----------------------------------------------------------------------------------
_FOREIGN_SCHEMES = {
    "sqlite": "a SQL database",
    "postgresql": "a SQL database",
    "mysql": "a SQL database",
    "mssql": "a SQL database",
    "http": "an MLflow tracking server",
    "https": "an MLflow tracking server",
    "databricks": "a Databricks workspace",
    "databricks-uc": "Databricks Unity Catalog",
    "uc": "a Unity Catalog server",
}


def check_home_uri(uri: str, what: str) -> str:
    """The lakehouse root a tracking or registry URI names; MLflow's server URIs refused."""
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidArgumentError(f"{what} must be a non-empty path or URI, got {uri!r}")
    scheme = uri.split(":", 1)[0].split("+", 1)[0].lower() if ":" in uri else uri.lower()
    if scheme in _FOREIGN_SCHEMES:
        raise InvalidArgumentError(
            f"{what} {uri!r} names {_FOREIGN_SCHEMES[scheme]}; lakehouse keeps runs, models "
            "and the registry in Delta tables under one root instead: pass a folder or an "
            "object-store URI (e.g. '/data/lakehouse', 'file:///data/lakehouse', "
            "'s3://bucket/lakehouse'), or call lh.set_home(...)"
        )
    return uri


def get_tracking_uri() -> str:
    """The lakehouse root where runs are kept (``file:///...`` or an object-store URI)."""
    return get_config().home_uri


def set_tracking_uri(uri: str | Path) -> None:
    """Set the lakehouse root (as ``lh.set_home``): a path, ``file:`` or object-store URI.

    MLflow's ``sqlite:``, ``http(s):`` and ``databricks`` URIs raise
    :class:`InvalidArgumentError` saying what to pass instead.
    """
    set_config(home=check_home_uri(str(uri), "tracking URI"))
    sync_active_session()


def is_tracking_uri_set() -> bool:
    """Whether the root was set (``set_tracking_uri``/``lh.set_home``, ``LAKEHOUSE_HOME`` or
    ``conf/lakehouse.yaml``) rather than the default ``./lakehouse-data``."""
    return home_is_set()


def get_registry_uri() -> str:
    """The registry's root: the same lakehouse root as tracking."""
    return get_config().home_uri


def set_registry_uri(uri: str | Path) -> None:
    """Set the registry's root, which is the lakehouse root (as :func:`set_tracking_uri`).

    The registry and tracking share one root; ``databricks-uc`` is refused with what to
    pass instead (the registry here already uses Unity Catalog's three-part names).
    """
    set_config(home=check_home_uri(str(uri), "registry URI"))
    sync_active_session()


def get_artifact_uri(artifact_path: str | None = None) -> str:
    """The active run's artifact root, or ``artifact_path`` under it (a run starts if none).

    Example::

        lh.get_artifact_uri("model")  # 'file:///.../artifacts/<exp>/<run>/artifacts/model'
    """
    client, run_id = _current()
    root = client.get_run(run_id).info.artifact_uri
    if artifact_path is None:
        return root
    return paths.join(root, verify_artifact_path(artifact_path))


def verify_artifact_path(artifact_path: str) -> str:
    """Refuse a path that is not a unique relative name, with MLflow's wording.

    ``""``, ``"."``, ``"a/../b"``, ``"/abs"`` and ``"../x"`` are refused, as MLflow does.
    """
    text = str(artifact_path)
    norm = posixpath.normpath(text) if text else "."
    if norm != text or norm == "." or norm.startswith("..") or norm.startswith("/"):
        raise InvalidArgumentError(
            f"Invalid artifact path: '{text}'. Names may be treated as files in certain "
            "cases, and must not resolve to other names when treated as such. This name "
            f"would resolve to '{norm}'"
        )
    return text


def _end(run_id: str, status: RunStatus | str) -> None:
    wait_for_background_writes()  # what autologging still logs into the run lands first
    stack = _stack()
    while stack:
        client, run = stack.pop()
        client.set_terminated(run.info.run_id, status)
        with _state_lock:
            _last[:] = [Run(info=client._info(run.info.run_id), data=run.data)]
        if run.info.run_id == run_id:
            return


def end_run(status: str | RunStatus = "FINISHED") -> None:
    """End the active run of this thread (no-op when none is active)."""
    stack = _stack()
    if stack:
        _end(stack[-1][1].info.run_id, RunStatus.parse(status))


def leave_run(run_id: str) -> TrackingClient | None:
    """Make ``run_id``, the newest active run of this thread, inactive without ending it.

    Returns its client, which the caller uses to end the run later itself (autologging
    ends the runs it started on its background thread, after their models); None,
    and nothing changes, when ``run_id`` is not this thread's newest active run.
    """
    stack = _stack()
    if not stack or stack[-1][1].info.run_id != run_id:
        return None
    client, run = stack.pop()
    with _state_lock:
        _last[:] = [Run(info=client._info(run_id), data=run.data)]
    return client


def current_client() -> TrackingClient:
    """The client of this thread's active run, else of the current root (cached per root)."""
    stack = _stack()
    return stack[-1][0] if stack else _client()


def active_run() -> ActiveRun | None:
    """The run active in this thread, or None."""
    stack = _stack()
    return stack[-1][1] if stack else None


def last_active_run() -> Run | None:
    """The active run, else the last run ended in this process (with its data)."""
    current = active_run()
    if current is not None:
        return _stack()[-1][0].get_run(current.info.run_id)
    with _state_lock:
        last = _last[0] if _last else None
    return None if last is None else _client().get_run(last.info.run_id)


def get_run(run_id: str) -> Run:
    """A run by id (:class:`NotFoundError` naming the id if absent)."""
    return _client().get_run(run_id)


def get_parent_run(run_id: str) -> Run | None:
    """The parent of a nested run (its ``mlflow.parentRunId`` tag), or None."""
    client = _client()
    parent = client.get_run(run_id).data.tags.get("mlflow.parentRunId")
    return None if parent is None else client.get_run(parent)


def delete_run(run_id: str) -> None:
    """Soft-delete a run."""
    _client().delete_run(run_id)


# -- logging ---------------------------------------------------------------------------
def log_param(key: str, value: Any) -> Any:
    """Log a param of the active run (a run starts if none is active)."""
    client, run_id = _current()
    return client.log_param(run_id, key, value)


def log_params(params: Mapping[str, Any]) -> None:
    """Log several params of the active run."""
    client, run_id = _current()
    items = [Param(key=k, value=v) for k, v in params.items()]
    for i in range(0, len(items), 100):
        client.log_batch(run_id, params=items[i : i + 100])


def log_metric(
    key: str,
    value: float,
    step: int | None = None,
    timestamp: int | None = None,
    *,
    model_id: str | None = None,
    dataset: Any = None,
) -> None:
    """Log a metric point of the active run (microseconds: buffered and journaled).

    As MLflow 3: ``model_id`` links the point to a logged model (by default the model
    this process logged in the run at the same step, if any); ``dataset`` (an
    ``lh.data`` dataset) records what it was measured on and logs it as a run input.
    """
    if dataset is not None:
        log_metrics({key: value}, step, timestamp, model_id=model_id, dataset=dataset)
        return
    client, run_id = _current()
    model_id = model_id or logged_models.model_at_step(run_id, step or 0)
    client.log_metric(run_id, key, value, timestamp=timestamp, step=step, model_id=model_id)


def log_metrics(
    metrics: Mapping[str, float],
    step: int | None = None,
    timestamp: int | None = None,
    *,
    model_id: str | None = None,
    dataset: Any = None,
) -> None:
    """Log several metrics at one step (``model_id``/``dataset`` as :func:`log_metric`)."""
    client, run_id = _current()
    ts = timestamp or _now_ms()
    model_id = model_id or logged_models.model_at_step(run_id, step or 0)
    name, digest = logged_models.dataset_of(dataset)
    items = [
        Metric(
            key=k,
            value=v,
            timestamp=ts,
            step=step or 0,
            model_id=model_id,
            dataset_name=name,
            dataset_digest=digest,
        )
        for k, v in metrics.items()
    ]
    if dataset is not None:  # MLflow logs the dataset as an input of the run, once
        client.log_inputs(run_id, datasets=[_dataset_input(dataset, None, None)])
    for i in range(0, len(items), 1000):
        client.log_batch(run_id, metrics=items[i : i + 1000])


def set_tag(key: str, value: Any) -> None:
    """Set a tag on the active run."""
    client, run_id = _current()
    client.set_tag(run_id, key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    """Set several tags on the active run."""
    client, run_id = _current()
    client.log_batch(run_id, tags=[RunTag(key=k, value=v) for k, v in tags.items()])


def delete_tag(key: str) -> None:
    """Remove a tag from the active run."""
    client, run_id = _current()
    client.delete_tag(run_id, key)


def log_input(
    dataset: Any = None,
    context: str | None = None,
    tags: Mapping[str, str] | None = None,
    *,
    version: int | None = None,
) -> RunInput | None:
    """Record what the active run read: a dataset (MLflow's form) or a table version.

    ``lh.log_input(lh.data.from_pandas(df), context="training")`` logs a dataset with
    its digest, schema and profile (``run.inputs.dataset_inputs``). ``lh.log_input(
    "main.ml.orders", version=3)`` records a namespace table at a Delta version (its
    current one when None) as the run's lineage, and returns it.
    """
    client, run_id = _current()
    if isinstance(dataset, str) and isinstance(context, int) and not isinstance(context, bool):
        version, context = context, None  # the older positional form: log_input(name, 3)
    if isinstance(dataset, str):
        if context is not None or tags is not None:
            raise InvalidArgumentError(
                f"log_input({dataset!r}, ...) records a table version: pass version=, not "
                "context or tags (those describe datasets: lh.data.from_spark(df, "
                f"table_name={dataset!r}))"
            )
        return client.log_input(run_id, dataset, version)
    if version is not None:
        raise InvalidArgumentError(
            "version= goes with a table name: lh.log_input('main.ml.orders', version=3)"
        )
    client.log_inputs(run_id, datasets=[_dataset_input(dataset, context, tags)])
    return None


def log_inputs(
    datasets: Sequence[Any] | None = None,
    contexts: Sequence[str | None] | None = None,
    tags_list: Sequence[Mapping[str, str] | None] | None = None,
    models: Sequence[Any] | None = None,
) -> None:
    """Record several datasets of the active run; ``contexts``/``tags_list`` line up with them."""
    items = list(datasets or [])
    contexts = list(contexts) if contexts is not None else [None] * len(items)
    tags_list = list(tags_list) if tags_list is not None else [None] * len(items)
    if not len(contexts) == len(tags_list) == len(items):
        raise InvalidArgumentError(
            f"log_inputs: datasets ({len(items)}), contexts ({len(contexts)}) and tags_list "
            f"({len(tags_list)}) must have the same length"
        )
    client, run_id = _current()
    inputs = [
        _dataset_input(d, c, t)
        for d, c, t in zip(items, contexts, tags_list, strict=True)
        if d is not None
    ]
    client.log_inputs(run_id, datasets=inputs, models=models)


def _dataset_input(
    dataset: Any, context: str | None, tags: Mapping[str, str] | None
) -> DatasetInput:
    """A dataset (``lh.data`` object or ``Dataset`` entity) and its use as a DatasetInput."""
    entity = dataset if isinstance(dataset, Dataset) else None
    if entity is None and callable(getattr(dataset, "_to_mlflow_entity", None)):
        entity = dataset._to_mlflow_entity()
    if not isinstance(entity, Dataset):
        raise InvalidArgumentError(
            f"log_input takes a dataset (lh.data.from_pandas / from_numpy / from_spark) or a "
            f"table name, got {type(dataset).__name__}"
        )
    all_tags = {str(k): str(v) for k, v in (tags or {}).items()}
    if context is not None:
        all_tags[DATASET_CONTEXT_TAG] = str(context)
    return DatasetInput(
        dataset=entity, tags=tuple(InputTag(key=k, value=v) for k, v in all_tags.items())
    )


def log_image(
    image: Any,
    artifact_file: str | None = None,
    key: str | None = None,
    step: int | None = None,
    timestamp: int | None = None,
) -> None:
    """Save a numpy array or PIL image in the active run (MLflow's two forms).

    Example::

        lh.log_image(np.zeros((8, 8, 3), np.uint8), "plots/blank.png")
        lh.log_image(frame, key="frames", step=3)
    """
    client, run_id = _current()
    client.log_image(run_id, image, artifact_file, key=key, step=step, timestamp=timestamp)


# -- artifacts ------------------------------------------------------------------------
def log_artifact(local_path: str | Path, artifact_path: str | None = None) -> None:
    """Copy a local file into the active run's artifacts."""
    client, run_id = _current()
    client.log_artifact(run_id, local_path, artifact_path)


def log_artifacts(local_dir: str | Path, artifact_path: str | None = None) -> None:
    """Copy a local folder's content into the active run's artifacts."""
    client, run_id = _current()
    client.log_artifacts(run_id, local_dir, artifact_path)


def log_text(text: str, artifact_file: str) -> None:
    """Save text as an artifact file, e.g. ``lh.log_text(report, "reports/summary.md")``."""
    client, run_id = _current()
    client.log_bytes(run_id, text.encode("utf-8"), artifact_file)


def log_dict(dictionary: Mapping[str, Any], artifact_file: str) -> None:
    """Save a dict as JSON, or YAML when ``artifact_file`` ends in ``.yaml``/``.yml``."""
    client, run_id = _current()
    if artifact_file.endswith((".yaml", ".yml")):
        import yaml

        data = yaml.safe_dump(dict(dictionary), sort_keys=False).encode("utf-8")
    else:
        data = json.dumps(dictionary, indent=2, default=str).encode("utf-8")
    client.log_bytes(run_id, data, artifact_file)


def log_figure(figure: Any, artifact_file: str) -> None:
    """Save a matplotlib figure (format from the file's extension, e.g. ``plot.png``)."""
    client, run_id = _current()
    if not hasattr(figure, "savefig"):
        raise InvalidArgumentError(
            f"log_figure needs a matplotlib Figure, got {type(figure).__name__}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / Path(artifact_file).name
        figure.savefig(local)
        client.log_bytes(run_id, local.read_bytes(), artifact_file)


def log_table(data: Mapping[str, Sequence[Any]] | pd.DataFrame, artifact_file: str) -> None:
    """Save a table (dict of columns or pandas DataFrame) as JSON in MLflow's split layout."""
    import pandas as pd  # imported here: keeps `import lakehouse` fast

    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(dict(data))
    if not artifact_file.endswith(".json"):
        raise InvalidArgumentError(
            f"log_table writes JSON: name the file '*.json', got {artifact_file!r}"
        )
    client, run_id = _current()
    client.log_bytes(
        run_id, frame.to_json(orient="split", index=False).encode("utf-8"), artifact_file
    )


# -- search ------------------------------------------------------------------------------
def search_runs(
    experiment_ids: Iterable[str] | str | None = None,
    filter_string: str = "",
    run_view_type: ViewType | str = ViewType.ACTIVE_ONLY,
    max_results: int = 100000,
    order_by: Sequence[str] | None = None,
    output_format: Literal["pandas", "list", "spark"] = "pandas",
    search_all_experiments: bool = False,
    experiment_names: Sequence[str] | None = None,
) -> Any:
    """Search runs (MLflow's grammar plus OR, parentheses and IN); pandas by default.

    With neither ``experiment_ids`` nor ``experiment_names``: the current
    experiment (all experiments when ``search_all_experiments=True``).
    """
    client = _client()
    ids = _search_ids(client, experiment_ids, experiment_names, search_all_experiments)
    result = client._search(ids, filter_string, run_view_type, max_results, order_by)
    if output_format == "pandas":
        return result.to_pandas()
    if output_format == "list":
        return result.to_runs()
    if output_format == "spark":
        return result.to_spark()
    raise InvalidArgumentError(
        f"output_format must be 'pandas', 'list' or 'spark', got {output_format!r}"
    )


def _search_ids(
    client: TrackingClient,
    experiment_ids: Iterable[str] | str | None,
    experiment_names: Sequence[str] | None,
    search_all: bool,
) -> list[str] | None:
    if experiment_ids is not None or experiment_names:
        ids = [experiment_ids] if isinstance(experiment_ids, str) else list(experiment_ids or [])
        for name in experiment_names or []:
            exp = client.get_experiment_by_name(name)
            if exp is None:
                raise NotFoundError(f"experiment {name!r} does not exist")
            ids.append(exp.experiment_id)
        return [str(i) for i in ids]
    if search_all:
        return None
    return [_experiment.get(client.tracking_uri, DEFAULT_EXPERIMENT_ID)]


# -- logged models (MLflow 3) -----------------------------------------------------------------
def get_logged_model(model_id: str) -> LoggedModel:
    """A logged model (``m-<id>``) with its params, tags and metrics."""
    return _client().get_logged_model(model_id)


def last_logged_model() -> LoggedModel | None:
    """The model the last ``log_model`` of this process created, or None."""
    model_id = logged_models.last_logged_model_id()
    return None if model_id is None else _client().get_logged_model(model_id)


def search_logged_models(
    experiment_ids: Sequence[str] | None = None,
    filter_string: str | None = None,
    datasets: Sequence[Mapping[str, str]] | None = None,
    max_results: int | None = None,
    order_by: Sequence[str | Mapping[str, Any]] | None = None,
    output_format: Literal["pandas", "list"] = "pandas",
) -> Any:
    """Logged models of the current experiment (or ``experiment_ids``), newest first.

    The filter takes ``search_runs``' grammar over ``name``, ``model_id``,
    ``model_type``, ``status``, ``source_run_id``, ``creation_time``,
    ``last_updated_timestamp``, ``params.*``, ``tags.*`` and ``metrics.*``. Example::

        lh.search_logged_models(filter_string="metrics.rmse < 0.8", output_format="list")
    """
    if output_format not in ("pandas", "list"):
        raise InvalidArgumentError(
            f"output_format must be 'pandas' or 'list', got {output_format!r}"
        )
    client = _client()
    ids = list(experiment_ids) if experiment_ids else [_current_experiment_id(client)]
    models = client.search_logged_models(ids, filter_string, datasets, max_results, order_by)
    return models if output_format == "list" else logged_models.to_pandas(models)


def set_logged_model_tags(model_id: str, tags: Mapping[str, Any]) -> None:
    """Set tags on a logged model."""
    _client().set_logged_model_tags(model_id, tags)


def delete_logged_model_tag(model_id: str, key: str) -> None:
    """Remove a tag from a logged model."""
    _client().delete_logged_model_tag(model_id, key)


def log_model_params(params: Mapping[str, Any], model_id: str | None = None) -> None:
    """Add params to a logged model (the last one logged in this process when None)."""
    target = model_id or logged_models.last_logged_model_id()
    if target is None:
        raise InvalidArgumentError("log_model_params: no model_id given and no model logged yet")
    _client().log_model_params(target, params)


def finalize_logged_model(model_id: str, status: str) -> LoggedModel:
    """Set a logged model's final status, ``READY`` or ``FAILED``."""
    return _client().finalize_logged_model(model_id, status)
