"""``TrackingClient``: experiments, runs, params, metrics, tags, artifacts, inputs.

Shaped like ``mlflow.MlflowClient`` (same method names and meanings). Writes of
run data go through the process's buffered, journaled :class:`Writer` (cheap;
committed in batches); reads flush this process's buffer first, so a process
always sees its own writes. Experiments are few and written synchronously.

Example::

    client = TrackingClient()
    exp_id = client.create_experiment("main.ml.churn")
    run = client.create_run(exp_id, run_name="baseline")
    client.log_metric(run.info.run_id, "auc", 0.91, step=1)
    client.set_terminated(run.info.run_id)
"""

from __future__ import annotations

import dataclasses
import random
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from lakehouse import paths
from lakehouse.catalog.names import (
    check_writable,
    experiment_catalog,
    experiment_name,
    parse_name,
)
from lakehouse.config import Config, get_config, username
from lakehouse.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from lakehouse.store import layout
from lakehouse.tracking import artifacts, filters, validation
from lakehouse.tracking import datasets as datasets_mod
from lakehouse.tracking.entities import (
    DatasetInput,
    Experiment,
    FileInfo,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunData,
    RunInfo,
    RunInput,
    RunInputs,
    RunStatus,
    RunTag,
    ViewType,
)
from lakehouse.tracking.logged_models import LoggedModelClient, metric_link_rows
from lakehouse.tracking.tables import (
    TrackingStore,
    dataset_input_row,
    input_row,
    metric_row,
    param_row,
    run_info_from_row,
    run_row,
    tag_row,
)
from lakehouse.tracking.writer import Writer, prepare_read, writer_for

if TYPE_CHECKING:
    from lakehouse.tracking.search import SearchResult

__all__ = ["DEFAULT_EXPERIMENT_ID", "TrackingClient", "default_experiment_name"]

DEFAULT_EXPERIMENT_ID = "0"
_ADJ = ("bold", "calm", "brave", "bright", "clever", "eager", "gentle", "keen", "lucky", "quiet")
_NOUN = ("otter", "falcon", "maple", "river", "comet", "badger", "lynx", "heron", "cedar", "fox")


def default_experiment_name(cfg: Config | None = None) -> str:
    """``<default catalog>.<default schema>.default``: where runs go when none is set."""
    cfg = cfg or get_config()
    return f"{cfg.default_catalog}.{cfg.default_schema}.default"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _run_name() -> str:
    return f"{random.choice(_ADJ)}-{random.choice(_NOUN)}-{random.randint(100, 999)}"


class TrackingClient(LoggedModelClient):
    """Tracking operations on one lakehouse root (the configured one by default).

    Logged models (MLflow 3: ``get_logged_model``, ``search_logged_models``...) come
    from :class:`~lakehouse.tracking.logged_models.LoggedModelClient`.
    """

    def __init__(self, tracking_uri: str | None = None):
        self._cfg = get_config(home=tracking_uri) if tracking_uri else get_config()
        self._infos: dict[str, RunInfo] = {}
        self._params: dict[str, dict[str, str]] = {}

    # -- plumbing -------------------------------------------------------------------
    @property
    def tracking_uri(self) -> str:
        return self._cfg.home_uri

    @property
    def _writer(self) -> Writer:
        return writer_for(self._cfg)

    def _prepare_read(self) -> None:
        """Make this process's writes, and the rows of writers that died since, visible."""
        prepare_read(self._cfg)

    def flush(self) -> None:
        """Commit buffered writes of this process now."""
        self._prepare_read()

    # -- experiments ----------------------------------------------------------------
    @property
    def _tracking(self) -> TrackingStore:
        return TrackingStore.of(self._cfg)

    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Mapping[str, Any] | None = None,
        *,
        _exist_ok: bool = False,
        _experiment_id: str | None = None,
    ) -> str:
        """Create an experiment named ``catalog.schema.name``; returns its id.

        Race-free: two processes creating one name get one experiment (the loser
        gets :class:`AlreadyExistsError`, or the winner's id from ``set_experiment``).
        """
        full = experiment_name(name)  # MLflow's names kept exactly; c.s.n normalized
        check_writable(experiment_catalog(full), f"create experiment {name!r}")
        exp_id = _experiment_id or str(uuid.uuid4().int >> 66)
        now = _now_ms()
        exp = Experiment(
            experiment_id=exp_id,
            name=full,
            artifact_location=artifact_location or layout.artifacts_uri(exp_id, cfg=self._cfg),
            lifecycle_stage=LifecycleStage.ACTIVE.value,
            tags={k: str(v) for k, v in (tags or {}).items()},
            creation_time=now,
            last_update_time=now,
        )
        if self._tracking.add_experiment(exp):
            return exp_id
        existing = self.get_experiment_by_name(str(full))
        if _exist_ok and existing is not None:
            return existing.experiment_id
        raise AlreadyExistsError(
            f"experiment {str(full)!r} already exists (id {existing and existing.experiment_id}); "
            "use get_experiment_by_name or lh.set_experiment to use it"
        )

    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment with this id; :class:`NotFoundError` if there is none."""
        found = self._tracking.find_experiments(experiment_id=str(experiment_id))
        if not found:
            if str(experiment_id) == DEFAULT_EXPERIMENT_ID:
                return self._ensure_default()
            raise NotFoundError(
                f"experiment id {experiment_id!r} does not exist; lh.search_experiments() "
                "lists the experiments"
            )
        return found[0]

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """The experiment with this name, or None (as MLflow)."""
        full = experiment_name(name)
        found = self._tracking.find_experiments(name=full)
        return found[0] if found else None

    def _ensure_default(self) -> Experiment:
        name = default_experiment_name(self._cfg)
        self.create_experiment(name, _exist_ok=True, _experiment_id=DEFAULT_EXPERIMENT_ID)
        found = self.get_experiment_by_name(name)
        assert found is not None
        return found

    def search_experiments(
        self,
        view_type: ViewType | str = ViewType.ACTIVE_ONLY,
        max_results: int | None = None,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
    ) -> list[Experiment]:
        """Experiments, filtered with the run filter grammar over ``name``, ``tags.*``."""
        from lakehouse.tracking import search

        stages = ViewType(view_type).stages()
        exps = [e for e in self._tracking.find_experiments() if e.lifecycle_stage in stages]
        return search.filter_experiments(exps, filter_string, order_by, max_results)

    def _set_experiment_stage(self, experiment_id: str, stage: LifecycleStage) -> None:
        exp = self.get_experiment(experiment_id)
        changed = _replace(exp, lifecycle_stage=stage.value, last_update_time=_now_ms())
        self._tracking.update_experiment(changed, ["lifecycle_stage"])

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment (restorable; its name stays taken)."""
        if str(experiment_id) == DEFAULT_EXPERIMENT_ID:
            raise InvalidArgumentError("the default experiment (id '0') cannot be deleted")
        self._set_experiment_stage(experiment_id, LifecycleStage.DELETED)

    def restore_experiment(self, experiment_id: str) -> None:
        """Undo :meth:`delete_experiment`."""
        self._set_experiment_stage(experiment_id, LifecycleStage.ACTIVE)

    def set_experiment_tag(self, experiment_id: str, key: str, value: Any) -> None:
        """Set a tag on an experiment."""
        exp = self.get_experiment(experiment_id)
        tags = {
            **exp.tags,
            validation.check_key("tag", key): validation.check_tag_value(key, value),
        }
        changed = _replace(exp, tags=tags, last_update_time=_now_ms())
        self._tracking.update_experiment(changed, ["tags"])

    # -- runs -------------------------------------------------------------------------
    def _write_info(self, info: RunInfo) -> None:
        self._infos[info.run_id] = info
        self._writer.add("runs", [run_row(info)])

    def create_run(
        self,
        experiment_id: str | None = None,
        start_time: int | None = None,
        tags: Mapping[str, Any] | None = None,
        run_name: str | None = None,
    ) -> Run:
        """Start a run (status RUNNING) in an experiment (the default one when None)."""

        exp = self.get_experiment(experiment_id or DEFAULT_EXPERIMENT_ID)
        if exp.lifecycle_stage != LifecycleStage.ACTIVE.value:
            raise InvalidArgumentError(
                f"experiment {exp.name!r} is deleted; restore it (restore_experiment) or use "
                "another experiment"
            )
        tags = dict(tags or {})
        run_name = run_name or tags.get("mlflow.runName") or _run_name()
        tags["mlflow.runName"] = run_name
        run_id = uuid.uuid4().hex
        info = RunInfo(
            run_id=run_id,
            experiment_id=exp.experiment_id,
            run_name=str(run_name),
            status=RunStatus.RUNNING,
            start_time=start_time or _now_ms(),
            end_time=None,
            user_id=str(tags.get("mlflow.user") or username()),
            artifact_uri=self._artifact_root(exp, run_id),
        )
        self._params[run_id] = {}
        self._write_info(info)
        self.set_tags(run_id, tags)
        return Run(info=info, data=RunData(tags={k: str(v) for k, v in tags.items()}))

    @staticmethod
    def _artifact_root(exp: Experiment, run_id: str) -> str:

        return paths.join(exp.artifact_location, run_id, "artifacts")

    def _read_run_rows(self, name: str, run_ids: Sequence[str]) -> pa.Table:
        return self._tracking.current_rows(name, run_ids)

    def _info(self, run_id: str) -> RunInfo:
        cached = self._infos.get(run_id)
        if cached is not None:
            return cached
        return self.get_run(run_id).info

    def get_run(self, run_id: str) -> Run:
        """A run with its params, latest metrics and tags; :class:`NotFoundError` if absent."""
        self._prepare_read()
        rows = self._read_run_rows("runs", [str(run_id)])
        if rows.num_rows == 0:
            raise NotFoundError(
                f"run {run_id!r} does not exist under {self._cfg.home_uri}; check the run id "
                "(lh.search_runs lists runs)"
            )
        info = run_info_from_row(rows.to_pylist()[0])
        params = self._read_run_rows("params", [run_id])
        metrics = self._read_run_rows("latest_metrics", [run_id])
        tags = self._live_tags([run_id])
        data = RunData(
            params=dict(zip(params["key"].to_pylist(), params["value"].to_pylist(), strict=True)),
            metrics=dict(
                zip(metrics["key"].to_pylist(), metrics["value"].to_pylist(), strict=True)
            ),
            tags=dict(zip(tags["key"].to_pylist(), tags["value"].to_pylist(), strict=True)),
        )
        inputs = self._tracking.dataset_inputs([run_id]).get(run_id, [])
        return Run(info=info, data=data, inputs=RunInputs(dataset_inputs=tuple(inputs)))

    def _live_tags(self, run_ids: Sequence[str]) -> pa.Table:
        import pyarrow.compute as pc

        rows = self._read_run_rows("tags", run_ids)
        return rows.filter(pc.invert(pc.fill_null(rows["deleted"], False)))

    def update_run(self, run_id: str, status: str | None = None, name: str | None = None) -> None:
        """Change a run's status and/or name."""
        info = self._info(run_id)
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = RunStatus.parse(status)
        if name is not None:
            changes["run_name"] = name
            self.set_tag(run_id, "mlflow.runName", name)
        self._write_info(_replace(info, **changes))

    def set_terminated(
        self, run_id: str, status: str | RunStatus = "FINISHED", end_time: int | None = None
    ) -> None:
        """End a run: status FINISHED (or FAILED/KILLED) and its end time."""
        info = self._info(run_id)
        status = RunStatus.parse(status)
        self._write_info(_replace(info, status=status, end_time=end_time or _now_ms()))
        self._writer.nudge()

    def _set_run_stage(self, run_id: str, stage: LifecycleStage) -> None:
        info = self.get_run(run_id).info
        self._write_info(_replace(info, lifecycle_stage=stage.value))

    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run (hidden from searches; restorable)."""
        self._set_run_stage(run_id, LifecycleStage.DELETED)

    def restore_run(self, run_id: str) -> None:
        """Undo :meth:`delete_run`."""
        self._set_run_stage(run_id, LifecycleStage.ACTIVE)

    # -- logging ----------------------------------------------------------------------
    def _known_params(self, run_id: str) -> dict[str, str]:
        known = self._params.get(run_id)
        if known is None:
            run = self.get_run(run_id)
            known = dict(run.data.params)
            self._params[run_id] = known
        return known

    def run_params(self, run_id: str) -> dict[str, str]:
        """The run's params as this client knows them: no read for a run it created or
        logged params to (its own writes), one read of the run otherwise."""
        return dict(self._known_params(run_id))

    def _param_rows(self, run_id: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        known = self._known_params(run_id)
        rows = []
        for key, raw in params.items():
            validation.check_key("param", key)
            value = validation.check_param_value(key, raw)
            if key in known:
                if known[key] != value:
                    raise InvalidArgumentError(
                        f"param {key!r} of run {run_id} was already logged as {known[key]!r}; "
                        f"cannot change it to {value!r}. Params are immutable: log a new key "
                        "or start a new run."
                    )
                continue
            rows.append(param_row(run_id, key, value))
        return rows

    def log_param(self, run_id: str, key: str, value: Any) -> Any:
        """Log a param (a string); the same value again is a no-op, another value an error."""
        self.log_batch(run_id, params=[Param(key=key, value=value)])
        return value

    def log_metric(
        self,
        run_id: str,
        key: str,
        value: float,
        timestamp: int | None = None,
        step: int | None = None,
        *,
        dataset_name: str | None = None,
        dataset_digest: str | None = None,
        model_id: str | None = None,
    ) -> None:
        """Log one metric point (NaN and +-inf kept); cheap: buffered and journaled.

        ``model_id`` links the point to a logged model (it then appears in
        ``get_logged_model(model_id).metrics``); ``dataset_name`` and
        ``dataset_digest`` say what data it was measured on (as MLflow 3).
        """
        validation.check_key("metric", key)
        point = Metric(
            key=key,
            value=validation.check_metric_value(key, value),
            timestamp=int(timestamp) if timestamp is not None else _now_ms(),
            step=int(step) if step is not None else 0,
            model_id=model_id,
            dataset_name=dataset_name,
            dataset_digest=dataset_digest,
        )
        links = metric_link_rows(run_id, [point])
        self._writer.add("metrics", [metric_row(run_id, point)])
        if links:
            self._writer.add("logged_model_metrics", links)

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        """Log metrics, params and tags in one call (MLflow's limits per call)."""
        validation.check_batch(len(metrics), len(params), len(tags))
        now = _now_ms()
        metric_rows = []
        for m in metrics:
            validation.check_key("metric", m.key)
            checked = _replace(
                m,
                value=validation.check_metric_value(m.key, m.value),
                timestamp=int(m.timestamp) if m.timestamp is not None else now,
            )
            metric_rows.append(metric_row(run_id, checked))
        links = metric_link_rows(run_id, metrics)
        param_rows = self._param_rows(run_id, {p.key: p.value for p in params})
        tag_rows = self._tag_rows(run_id, {t.key: t.value for t in tags})
        for name, rows in (
            ("params", param_rows),
            ("metrics", metric_rows),
            ("tags", tag_rows),
            ("logged_model_metrics", links),
        ):
            if rows:
                self._writer.add(name, rows)
        self._params.setdefault(run_id, {}).update({r["key"]: r["value"] for r in param_rows})

    def _tag_rows(self, run_id: str, tags: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [
            tag_row(run_id, validation.check_key("tag", k), validation.check_tag_value(k, v))
            for k, v in tags.items()
        ]

    def set_tag(self, run_id: str, key: str, value: Any) -> None:
        """Set (or overwrite) a tag of a run."""
        self._writer.add("tags", self._tag_rows(run_id, {key: value}))

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        """Set several tags at once."""
        if tags:
            self._writer.add("tags", self._tag_rows(run_id, tags))

    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove a tag; :class:`NotFoundError` if the run has no such tag."""
        if key not in self.get_run(run_id).data.tags:
            raise NotFoundError(f"run {run_id} has no tag {key!r}; nothing to delete")
        self._writer.add("tags", [tag_row(run_id, key, None, deleted=True)])

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every logged point of a metric, ordered by step then timestamp."""
        self._prepare_read()
        return self._tracking.metric_history(run_id, key)

    # -- inputs (lineage) -------------------------------------------------------------
    def log_input(self, run_id: str, table_name: str, version: int | None = None) -> RunInput:
        """Record that a run read ``table_name`` at ``version`` (its current one when None)."""
        full = str(parse_name(table_name))
        if version is None:
            from lakehouse.catalog.namespace import describe_table

            version = describe_table(full).version
        run_input = RunInput(table_name=full, version=int(version))
        self._writer.add("inputs", [input_row(run_id, run_input)])
        return run_input

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] | None = None,
        models: Sequence[Any] | None = None,
    ) -> None:
        """Record the datasets a run used (MLflow's ``log_inputs``), buffered like metrics.

        A dataset read from a namespace table at a Delta version (``lh.data.from_spark``
        with ``table_name``) is also recorded as that table version's lineage
        (:meth:`get_run_inputs`). Logging the same name and digest again is a no-op.
        """
        if models:
            raise InvalidArgumentError(
                "log_inputs(models=...) is not supported: link a model to its run with "
                "log_model; pass datasets=[DatasetInput(...)]"
            )
        if datasets is not None and len(datasets) > datasets_mod.MAX_DATASETS_PER_CALL:
            raise InvalidArgumentError(
                f"log_inputs got {len(datasets)} datasets; at most "
                f"{datasets_mod.MAX_DATASETS_PER_CALL} per call"
            )
        checked = [datasets_mod.check_dataset_input(d) for d in datasets or ()]
        if not checked:
            return
        self._writer.add("dataset_inputs", [dataset_input_row(run_id, d) for d in checked])
        lineage = [t for d in checked if (t := datasets_mod.dataset_table_version(d.dataset))]
        if lineage:
            rows = [input_row(run_id, RunInput(table_name=n, version=v)) for n, v in lineage]
            self._writer.add("inputs", rows)

    def get_run_inputs(self, run_id: str) -> list[RunInput]:
        """The table versions a run recorded, in logging order, without repeats."""
        self._prepare_read()
        return self._tracking.run_inputs(run_id)

    # -- artifacts ----------------------------------------------------------------------
    def log_artifact(
        self, run_id: str, local_path: str | Path, artifact_path: str | None = None
    ) -> None:
        """Copy a local file into the run's artifacts (under ``artifact_path``)."""
        artifacts.upload_file(self._info(run_id).artifact_uri, local_path, artifact_path)

    def log_artifacts(
        self, run_id: str, local_dir: str | Path, artifact_path: str | None = None
    ) -> None:
        """Copy a local folder's content into the run's artifacts."""
        artifacts.upload_dir(self._info(run_id).artifact_uri, local_dir, artifact_path)

    def log_bytes(self, run_id: str, data: bytes, artifact_file: str) -> None:
        """Write bytes as one artifact file (used by ``log_text``/``log_dict``)."""
        artifacts.write_bytes(self._info(run_id).artifact_uri, artifact_file, data)

    def log_image(
        self,
        run_id: str,
        image: Any,
        artifact_file: str | None = None,
        key: str | None = None,
        step: int | None = None,
        timestamp: int | None = None,
    ) -> None:
        """Save a numpy array or PIL image: as ``artifact_file``, or as step ``step`` of ``key``.

        Example::

            client.log_image(run_id, np.zeros((8, 8, 3), np.uint8), "plots/blank.png")
        """
        from lakehouse.tracking import images

        files = images.image_files(image, artifact_file, key, step, timestamp)
        for path, data in files.items():
            self.log_bytes(run_id, data, path)
        if key is not None:
            self.set_tag(run_id, "mlflow.loggedImages", "True")

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        """Direct children of ``path`` in the run's artifacts."""
        return artifacts.list_dir(self._info(run_id).artifact_uri, path)

    def download_artifacts(self, run_id: str, path: str = "", dst_path: str | None = None) -> str:
        """Copy an artifact file or folder to local disk; returns the local path."""
        return artifacts.download(self._info(run_id).artifact_uri, path, dst_path)

    # -- search -------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_ids: Iterable[str] | str | None = None,
        filter_string: str = "",
        run_view_type: ViewType | str = ViewType.ACTIVE_ONLY,
        max_results: int = 1000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> list[Run]:
        """Runs matching an MLflow filter (plus OR, parentheses, IN) as :class:`Run` objects."""
        return self._search(
            experiment_ids, filter_string, run_view_type, max_results, order_by, page_token
        ).to_runs()

    def _search(
        self,
        experiment_ids: Iterable[str] | str | None,
        filter_string: str | None,
        run_view_type: ViewType | str,
        max_results: int,
        order_by: Sequence[str] | None,
        page_token: str | None = None,
    ) -> SearchResult:
        from lakehouse.tracking import search

        if isinstance(experiment_ids, str):
            experiment_ids = [experiment_ids]
        ids = [str(e) for e in experiment_ids] if experiment_ids is not None else None
        # Parse first: a malformed filter fails before any I/O.
        filters.parse_filter(filter_string)
        filters.parse_order_by(list(order_by or []))
        self._prepare_read()
        return search.search(
            self._cfg,
            ids,
            filter_string or "",
            ViewType(run_view_type),
            max_results,
            list(order_by or []),
            int(page_token or 0),
        )


_T = TypeVar("_T", RunInfo, Experiment, Metric)


def _replace(entity: _T, **changes: Any) -> _T:
    return dataclasses.replace(entity, **changes)
