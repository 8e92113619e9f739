"""MLflow 3 logged models: ``models:/m-<id>``, their params, tags and metrics.

Every ``log_model`` creates a logged model (id ``m-`` + 32 hex digits) whose
``artifact_location`` is the package folder in the source run's artifacts, so
``models:/m-<id>`` and ``runs:/<run_id>/<name>`` name the same files. State lives
in four append-only ``system.tracking`` tables written through the journaled
writer like run data (blind appends: two processes logging at once lose nothing):

=========================  =======================================================
``logged_models``          one row per state change; current = latest ``updated_at``
``logged_model_params``    ``log_model(params=)`` plus the source run's params
``logged_model_tags``      tag sets and deletes; current = latest row per key
``logged_model_metrics``   points logged with ``model_id=`` and/or ``dataset=``
=========================  =======================================================

:class:`LoggedModelClient` holds the client methods under MLflow's names; the
tracking client inherits them. ``search_logged_models`` takes the filter grammar of
``search_runs`` over ``name``, ``model_id``, ``model_type``, ``status``,
``source_run_id``, ``creation_time``, ``last_updated_timestamp``, ``params.*``,
``tags.*`` and ``metrics.*`` (as MLflow: a model passes ``metrics.k > v`` when any of
its points of ``k`` does; ``order_by`` a metric uses its latest point).
Example::

    info = lh.sklearn.log_model(model, name="model", params={"alpha": 0.5})
    lh.log_metric("rmse", 0.7, model_id=info.model_id)
    lh.search_logged_models(filter_string="metrics.rmse < 1 AND params.alpha = '0.5'")
"""

from __future__ import annotations

import dataclasses
import re
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse import paths
from lakehouse.config import Config
from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.tracking import filters, validation
from lakehouse.tracking.entities import (
    Experiment,
    LifecycleStage,
    LoggedModel,
    LoggedModelStatus,
    Metric,
)
from lakehouse.tracking.filters import OrderKey, Vocabulary
from lakehouse.tracking.search import evaluate
from lakehouse.tracking.tables import epoch_ms, latest, store_for
from lakehouse.tracking.writer import Writer

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LOGGED_MODELS",
    "LoggedModelClient",
    "check_model_id",
    "dataset_of",
    "is_model_id",
    "last_logged_model_id",
    "metric_link_rows",
    "model_at_step",
    "new_model_id",
    "remember_logged_model",
    "to_pandas",
]

_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")
_STRINGS = ("name", "model_id", "model_type", "status", "source_run_id", "experiment_id")
_NUMBERS = ("creation_time", "last_updated_timestamp")
LOGGED_MODELS = Vocabulary(
    prefixes=filters.PREFIXES,
    string_attributes=_STRINGS,
    numeric_attributes=_NUMBERS,
    aliases={"creation_timestamp": "creation_time", "last_updated_time": "last_updated_timestamp"},
    numeric_kinds=("metrics",),
    example="name",
    hint=(
        "Expected e.g. \"name = 'model' AND metrics.rmse < 0.8 AND params.alpha = '0.5'\" "
        f"(attributes: {', '.join(_STRINGS + _NUMBERS)}; metrics., params., tags.; strings "
        "in single quotes; OR, parentheses and IN allowed)"
    ),
)
"""What a ``search_logged_models`` filter may name (MLflow's keys, ``search_runs``' grammar)."""

_last: list[str] = []  # the id of the last model log_model created in this process
_outputs: dict[str, list[tuple[int, str]]] = {}  # run id -> (step, model id) logged here


def new_model_id() -> str:
    """A fresh logged model id: ``m-`` and 32 hex digits, as MLflow 3 makes them."""
    return f"m-{uuid.uuid4().hex}"


def is_model_id(text: str) -> bool:
    """Whether ``text`` has the shape of a logged model id (``m-<32 hex>``)."""
    return _MODEL_ID.fullmatch(text) is not None


def check_model_id(model_id: object) -> str:
    """``model_id`` if it is ``m-<32 hex digits>``; :class:`InvalidArgumentError` otherwise."""
    if not isinstance(model_id, str) or not is_model_id(model_id):
        raise InvalidArgumentError(
            f"invalid logged model id {model_id!r}: expected 'm-' and 32 hex digits, as in "
            "ModelInfo.model_id or lh.last_logged_model().model_id"
        )
    return model_id


def remember_logged_model(model_id: str, run_id: str, step: int = 0) -> None:
    """Note the model ``log_model`` just created in ``run_id`` at ``step``."""
    _last[:] = [model_id]
    _outputs.setdefault(run_id, []).append((step, model_id))


def model_at_step(run_id: str, step: int) -> str | None:
    """The first model this process logged in the run at ``step`` (MLflow 3 links a metric
    logged without ``model_id`` to it), or None."""
    return next((m for s, m in _outputs.get(run_id, ()) if s == step), None)


def last_logged_model_id() -> str | None:
    """The id of the last model logged in this process, or None."""
    return _last[0] if _last else None


def _now_us() -> int:
    return time.time_ns() // 1000


def dataset_of(dataset: Any) -> tuple[str | None, str | None]:
    """(name, digest) of a dataset object (``lh.data``'s or MLflow's entity), or (None, None)."""
    if dataset is None:
        return None, None
    name, digest = getattr(dataset, "name", None), getattr(dataset, "digest", None)
    if not isinstance(name, str) or not isinstance(digest, str):
        raise InvalidArgumentError(
            f"dataset= needs a dataset with a name and a digest (e.g. from "
            f"lh.data.from_pandas), got {type(dataset).__name__}"
        )
    return name, digest


def metric_link_rows(run_id: str | None, metrics: Iterable[Metric]) -> list[dict[str, Any]]:
    """``logged_model_metrics`` rows of the points that name a model or a dataset."""
    rows = []
    for m in metrics:
        if m.model_id is None and m.dataset_name is None:
            continue
        if m.model_id is not None:
            check_model_id(m.model_id)
        if (m.dataset_name is None) != (m.dataset_digest is None):
            raise InvalidArgumentError(
                f"metric {m.key!r}: give both dataset_name and dataset_digest, or neither"
            )
        rows.append(
            {
                "model_id": m.model_id,
                "run_id": run_id,
                "key": m.key,
                "value": m.value,
                "timestamp": int(m.timestamp),
                "step": int(m.step or 0),
                "dataset_name": m.dataset_name,
                "dataset_digest": m.dataset_digest,
            }
        )
    return rows


def _status(value: str | LoggedModelStatus) -> LoggedModelStatus:
    try:
        return LoggedModelStatus(str(value).upper())
    except ValueError:
        names = ", ".join(s.value for s in LoggedModelStatus)
        raise InvalidArgumentError(
            f"unknown logged model status {value!r}; expected one of {names}"
        ) from None


class LoggedModelClient:
    """MlflowClient's logged-model methods; mixed into the tracking client.

    Needs the host's ``_cfg`` (the root), ``_writer`` (the journaled writer) and
    ``_prepare_read`` (flush this process's writes before a read).
    """

    _cfg: Config

    def get_experiment(self, experiment_id: str) -> Experiment:  # provided by the client
        raise NotImplementedError

    @property
    def _writer(self) -> Writer:  # provided by the tracking client
        raise NotImplementedError

    def _prepare_read(self) -> None:  # provided by the tracking client
        raise NotImplementedError

    # -- writes -------------------------------------------------------------------------
    def _lm_row(self, model: LoggedModel) -> dict[str, Any]:
        return {
            "model_id": model.model_id,
            "experiment_id": model.experiment_id,
            "name": model.name,
            "source_run_id": model.source_run_id,
            "model_type": model.model_type,
            "status": model.status.value,
            "status_message": model.status_message,
            "artifact_location": model.artifact_location,
            "lifecycle_stage": LifecycleStage.ACTIVE.value,
            "creation_time": model.creation_timestamp * 1000,
            "updated_at": _now_us(),
        }

    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        model_type: str | None = None,
        *,
        artifact_location: str | None = None,
        status: LoggedModelStatus = LoggedModelStatus.PENDING,
    ) -> LoggedModel:
        """Record a new logged model (PENDING until :meth:`finalize_logged_model`).

        ``log_model`` calls this with the package's folder in its run as
        ``artifact_location``; by default it is ``models/<model_id>/artifacts`` under the
        experiment's artifact location, as in MLflow. Params, tags and the experiment are
        checked before anything is written.
        """
        model_id = new_model_id()
        if artifact_location is None:
            experiment = self.get_experiment(str(experiment_id))
            artifact_location = paths.join(
                experiment.artifact_location, "models", model_id, "artifacts"
            )
        checked_params = {
            validation.check_key("param", k): validation.check_param_value(k, v)
            for k, v in (params or {}).items()
        }
        checked_tags = {
            validation.check_key("tag", k): validation.check_tag_value(k, v)
            for k, v in (tags or {}).items()
        }
        now = int(time.time() * 1000)
        model = LoggedModel(
            model_id=model_id,
            experiment_id=str(experiment_id),
            name=name or "model",
            artifact_location=artifact_location,
            creation_timestamp=now,
            last_updated_timestamp=now,
            source_run_id=source_run_id,
            model_type=model_type,
            status=status,
            tags=checked_tags,
            params=checked_params,
        )
        self._writer.add("logged_models", [self._lm_row(model)])
        self._lm_add_params(model.model_id, checked_params)
        self._lm_add_tags(model.model_id, checked_tags)
        return model

    def _lm_add_params(self, model_id: str, params: Mapping[str, str]) -> None:
        now = _now_us()
        rows = [
            {"model_id": model_id, "key": k, "value": v, "logged_at": now}
            for k, v in params.items()
        ]
        if rows:
            self._writer.add("logged_model_params", rows)

    def _lm_add_tags(
        self, model_id: str, tags: Mapping[str, str | None], *, deleted: bool = False
    ) -> None:
        now = _now_us()
        rows = [
            {"model_id": model_id, "key": k, "value": v, "deleted": deleted, "updated_at": now}
            for k, v in tags.items()
        ]
        if rows:
            self._writer.add("logged_model_tags", rows)

    def finalize_logged_model(
        self, model_id: str, status: str | LoggedModelStatus, status_message: str | None = None
    ) -> LoggedModel:
        """Set a logged model's final status (``READY`` or ``FAILED``); returns it."""
        final = _status(status)
        if not LoggedModelStatus.is_finalized(final):
            raise InvalidArgumentError(
                f"finalize_logged_model takes READY or FAILED, got {final.value}"
            )
        self.record_status(self.get_logged_model(model_id), final, status_message)
        return self.get_logged_model(model_id)

    def record_status(
        self, model: LoggedModel, status: LoggedModelStatus, message: str | None = None
    ) -> LoggedModel:
        """Write ``model`` (as the caller holds it) with a new status; no read."""
        row = self._lm_row(model)
        row.update(status=status.value, status_message=message)
        self._writer.add("logged_models", [row])
        return dataclasses.replace(
            model,
            status=status,
            status_message=message,
            last_updated_timestamp=row["updated_at"] // 1000,
        )

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, Any]) -> None:
        """Set (or overwrite) tags of a logged model."""
        self.get_logged_model(model_id)
        self._lm_add_tags(
            model_id,
            {
                validation.check_key("tag", k): validation.check_tag_value(k, v)
                for k, v in tags.items()
            },
        )

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove a tag; :class:`NotFoundError` if the model has no such tag."""
        if key not in self.get_logged_model(model_id).tags:
            raise NotFoundError(f"logged model {model_id} has no tag {key!r}; nothing to delete")
        self._lm_add_tags(model_id, {key: None}, deleted=True)

    def log_model_params(self, model_id: str, params: Mapping[str, Any]) -> None:
        """Add params to a logged model; a logged key cannot change value (as run params)."""
        known = self.get_logged_model(model_id).params
        new: dict[str, str] = {}
        for key, raw in params.items():
            value = validation.check_param_value(validation.check_key("param", key), raw)
            if key in known and known[key] != value:
                raise InvalidArgumentError(
                    f"param {key!r} of logged model {model_id} is {known[key]!r}; cannot change "
                    f"it to {value!r}. Params are immutable: log a new key or a new model."
                )
            if key not in known:
                new[key] = value
        self._lm_add_params(model_id, new)

    def unlinked_run_metrics(self, run_id: str, step: int) -> list[Metric]:
        """The run's metric points at ``step`` that were not logged for a model."""
        self._prepare_read()
        linked = store_for("logged_model_metrics", self._cfg).read(
            filters=[("run_id", "=", run_id), ("step", "=", step)]
        )
        taken = {
            (r["key"], r["timestamp"], r["value"])
            for r in linked.to_pylist()
            if r["model_id"] is not None
        }
        run_points = store_for("metrics", self._cfg).read(
            filters=[("run_id", "=", run_id), ("step", "=", step)]
        )
        return [
            Metric(
                key=r["key"], value=r["value"], timestamp=r["timestamp"], step=step, run_id=run_id
            )
            for r in run_points.sort_by(
                [("timestamp", "ascending"), ("seq", "ascending")]
            ).to_pylist()
            if (r["key"], r["timestamp"], r["value"]) not in taken
        ]

    def link_metrics(self, run_id: str, metrics: Sequence[Metric]) -> None:
        """Record already-logged points of a run as the models' (``Metric.model_id``) only."""
        rows = metric_link_rows(run_id, metrics)
        if rows:
            self._writer.add("logged_model_metrics", rows)

    def delete_logged_model(self, model_id: str) -> None:
        """Soft-delete a logged model: hidden from searches; its files stay."""
        row = self._lm_row(self.get_logged_model(model_id))
        row["lifecycle_stage"] = LifecycleStage.DELETED.value
        self._writer.add("logged_models", [row])

    # -- reads --------------------------------------------------------------------------
    def _lm_current_rows(self, model_ids: Sequence[str] | None) -> pa.Table:
        where = [("model_id", "in", list(model_ids))] if model_ids is not None else None
        rows = store_for("logged_models", self._cfg).read(filters=where)
        return latest(rows, ("model_id",), ("updated_at", "writer_id", "seq"))

    def _lm_details(
        self, model_ids: Sequence[str] | None
    ) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]], pa.Table]:
        """(params by model, live tags by model, metric rows) of some models (all when None)."""
        where = [("model_id", "in", list(model_ids))] if model_ids is not None else None
        params: dict[str, dict[str, str]] = {}
        rows = store_for("logged_model_params", self._cfg).read(filters=where)
        for r in rows.sort_by([("writer_id", "ascending"), ("seq", "ascending")]).to_pylist():
            params.setdefault(r["model_id"], {}).setdefault(r["key"], r["value"])
        tags: dict[str, dict[str, str]] = {}
        rows = store_for("logged_model_tags", self._cfg).read(filters=where)
        rows = latest(rows, ("model_id", "key"), ("updated_at", "writer_id", "seq"))
        for r in rows.to_pylist():
            if not r["deleted"]:
                tags.setdefault(r["model_id"], {})[r["key"]] = r["value"]
        metrics = store_for("logged_model_metrics", self._cfg).read(filters=where)
        return params, tags, metrics

    @staticmethod
    def _lm_entity(
        row: Mapping[str, Any],
        params: Mapping[str, str],
        tags: Mapping[str, str],
        metrics: Sequence[Metric],
    ) -> LoggedModel:
        return LoggedModel(
            model_id=row["model_id"],
            experiment_id=row["experiment_id"],
            name=row["name"],
            artifact_location=row["artifact_location"],
            creation_timestamp=epoch_ms(row["creation_time"]) or 0,
            last_updated_timestamp=epoch_ms(row["updated_at"]) or 0,
            source_run_id=row["source_run_id"],
            model_type=row["model_type"],
            status=LoggedModelStatus(row["status"]),
            status_message=row["status_message"],
            params=dict(params),
            tags=dict(tags),
            metrics=tuple(metrics),
        )

    def _lm_models(self, rows: pa.Table, everything: bool = False) -> list[LoggedModel]:
        ids = None if everything else rows["model_id"].to_pylist()
        params, tags, metric_rows = self._lm_details(ids)
        points: dict[str, list[Metric]] = {}
        ordered = metric_rows.sort_by(
            [("step", "ascending"), ("timestamp", "ascending"), ("seq", "ascending")]
        )
        for r in ordered.to_pylist():
            if r["model_id"] is not None:
                points.setdefault(r["model_id"], []).append(
                    Metric(
                        key=r["key"],
                        value=r["value"],
                        timestamp=r["timestamp"],
                        step=r["step"],
                        run_id=r["run_id"],
                        model_id=r["model_id"],
                        dataset_name=r["dataset_name"],
                        dataset_digest=r["dataset_digest"],
                    )
                )
        return [
            self._lm_entity(
                r,
                params.get(r["model_id"], {}),
                tags.get(r["model_id"], {}),
                points.get(r["model_id"], []),
            )
            for r in rows.to_pylist()
        ]

    def get_logged_model(self, model_id: str) -> LoggedModel:
        """A logged model with its params, tags and metrics; :class:`NotFoundError` if absent."""
        check_model_id(model_id)
        self._prepare_read()
        rows = self._lm_current_rows([model_id])
        if rows.num_rows == 0:
            raise NotFoundError(
                f"logged model {model_id!r} does not exist under {self._cfg.home_uri}; "
                "lh.search_logged_models() lists the logged models"
            )
        return self._lm_models(rows)[0]

    def search_logged_models(
        self,
        experiment_ids: Iterable[str] | str | None = None,
        filter_string: str | None = None,
        datasets: Sequence[Mapping[str, str]] | None = None,
        max_results: int | None = None,
        order_by: Sequence[str | Mapping[str, Any]] | None = None,
        page_token: str | None = None,
    ) -> list[LoggedModel]:
        """Logged models matching a filter (the ``search_runs`` grammar), newest first.

        ``order_by`` takes MLflow's dicts (``{"field_name": "metrics.rmse",
        "ascending": True}``) or ``"creation_time DESC"`` strings; ``datasets``
        (``[{"dataset_name": "eval", "dataset_digest": "..."}]``) limits the metrics a
        filter compares to those measured on these datasets.
        """
        node = filters.parse_filter(filter_string, LOGGED_MODELS)
        order = _order_keys(order_by)
        wanted_sets = _dataset_pairs(datasets)
        if isinstance(experiment_ids, str):
            experiment_ids = [experiment_ids]
        ids = None if experiment_ids is None else [str(e) for e in experiment_ids]
        self._prepare_read()
        rows = self._lm_current_rows(None)
        visible = pc.equal(rows["lifecycle_stage"], LifecycleStage.ACTIVE.value)
        if ids is not None:
            visible = pc.and_(visible, pc.is_in(rows["experiment_id"], pa.array(ids, pa.string())))
        rows = rows.filter(pc.fill_null(visible, False))
        params, tags, metric_rows = self._lm_details(None)
        table, node = _search_table(rows, node, order, params, tags, metric_rows, wanted_sets)
        table = table.filter(pc.fill_null(evaluate(node, table), False))
        keys = [
            (f"{o.kind}.{o.key}", "ascending" if o.ascending else "descending", "at_end")
            for o in order
        ]
        keys += [
            ("attributes.creation_time", "descending", "at_end"),
            ("_id", "ascending", "at_end"),
        ]
        table = table.take(pc.sort_indices(table, sort_keys=keys))
        start = int(page_token or 0)
        picked = table["_row"].to_pylist()[
            start : None if max_results is None else start + max_results
        ]
        return self._lm_models(rows.take(pa.array(picked, pa.int64())))


def _dataset_pairs(datasets: Sequence[Mapping[str, str]] | None) -> list[tuple[str, str | None]]:
    pairs = []
    for d in datasets or []:
        if not isinstance(d, Mapping) or not d.get("dataset_name"):
            raise InvalidArgumentError(
                f"invalid datasets entry {d!r}: expected {{'dataset_name': ..., "
                "'dataset_digest': ... (optional)}"
            )
        pairs.append((str(d["dataset_name"]), d.get("dataset_digest")))
    return pairs


def _order_keys(order_by: Sequence[str | Mapping[str, Any]] | None) -> list[OrderKey]:
    """MLflow's ``{"field_name", "ascending"}`` dicts or ``"field [ASC|DESC]"`` strings."""
    out: list[OrderKey] = []
    for clause in order_by or []:
        if isinstance(clause, Mapping):
            if "field_name" not in clause:
                raise InvalidArgumentError(
                    f"invalid order_by entry {clause!r}: expected {{'field_name': "
                    "'metrics.rmse', 'ascending': True}} or 'creation_time DESC'"
                )
            (key,) = filters.parse_order_by([str(clause["field_name"])], LOGGED_MODELS)
            out.append(OrderKey(key.kind, key.key, bool(clause.get("ascending", True))))
        else:
            out.extend(filters.parse_order_by([str(clause)], LOGGED_MODELS))
    return out


def _points(metric_rows: pa.Table, sets: list[tuple[str, str | None]]) -> pa.Table:
    """The model-linked points, only those measured on ``sets`` when some are given."""
    rows = metric_rows.filter(pc.is_valid(metric_rows["model_id"]))
    if not sets:
        return rows
    keep = None
    for name, digest in sets:
        hit = pc.equal(rows["dataset_name"], name)
        if digest is not None:
            hit = pc.and_(hit, pc.equal(rows["dataset_digest"], digest))
        keep = hit if keep is None else pc.or_(keep, hit)
    return rows.filter(pc.fill_null(keep, False))


def _latest_metric(points: pa.Table, key: str) -> dict[str, float]:
    """Each model's latest point of ``key`` (newest timestamp, then step), as MLflow orders."""
    best: dict[str, tuple[int, int]] = {}
    values: dict[str, float] = {}
    for r in points.filter(pc.equal(points["key"], key)).to_pylist():
        rank = (r["timestamp"], r["step"])
        if r["model_id"] not in best or rank >= best[r["model_id"]]:
            best[r["model_id"]], values[r["model_id"]] = rank, r["value"]
    return values


def _metric_matches(
    node: filters.Node | None, points: pa.Table, ids: list[str], columns: dict[str, Any]
) -> filters.Node | None:
    """``node`` with each metric comparison replaced by a column of per-model answers.

    As MLflow: a model passes ``metrics.k > v`` when any of its points of ``k`` does
    (``IS NULL``: it has none).
    """
    if node is None:
        return None
    if isinstance(node, filters.And | filters.Or):
        items = tuple(_metric_matches(n, points, ids, columns) for n in node.items)
        return type(node)(items)  # type: ignore[arg-type]
    if node.kind != "metrics":
        return node
    of_key = points.filter(pc.equal(points["key"], node.key))
    if node.op in ("IS NULL", "IS NOT NULL"):
        passed = set(of_key["model_id"].to_pylist())
        if node.op == "IS NULL":
            passed = set(ids) - passed
    else:
        probe = filters.Comparison("metrics", node.key, node.op, node.value)
        hit = evaluate(probe, pa.table({f"metrics.{node.key}": of_key["value"]}))
        passed = set(of_key.filter(pc.fill_null(hit, False))["model_id"].to_pylist())
    name = f"_m{len(columns)}"
    columns[f"attributes.{name}"] = pa.array([m in passed for m in ids], pa.bool_())
    return filters.Comparison("attributes", name, "=", True)


def _search_table(
    rows: pa.Table,
    node: filters.Node | None,
    order: list[OrderKey],
    params: Mapping[str, Mapping[str, str]],
    tags: Mapping[str, Mapping[str, str]],
    metric_rows: pa.Table,
    sets: list[tuple[str, str | None]],
) -> tuple[pa.Table, filters.Node | None]:
    """One column per attribute and per key the filter or the order names, and the filter
    to evaluate on them (metric comparisons answered per model, see :func:`_metric_matches`).
    """
    ids = rows["model_id"].to_pylist()
    columns: dict[str, Any] = {
        "_row": pa.array(range(rows.num_rows), pa.int64()),
        "_id": rows["model_id"],
    }
    for name in _STRINGS:
        columns[f"attributes.{name}"] = rows[name]
    columns["attributes.creation_time"] = pa.array(
        [epoch_ms(t) for t in rows["creation_time"].to_pylist()], pa.float64()
    )
    columns["attributes.last_updated_timestamp"] = pa.array(
        [epoch_ms(t) for t in rows["updated_at"].to_pylist()], pa.float64()
    )
    points = _points(metric_rows, sets)
    for kind, key in filters.referenced(node) | {(o.kind, o.key) for o in order}:
        if kind == "params":
            columns[f"params.{key}"] = pa.array(
                [params.get(m, {}).get(key) for m in ids], pa.string()
            )
        elif kind == "tags":
            columns[f"tags.{key}"] = pa.array([tags.get(m, {}).get(key) for m in ids], pa.string())
    for o in order:
        if o.kind == "metrics":
            values = _latest_metric(points, o.key)
            columns[f"metrics.{o.key}"] = pa.array([values.get(m) for m in ids], pa.float64())
    compares_metrics = any(kind == "metrics" for kind, _ in filters.referenced(node))
    node = _metric_matches(node, points, ids, columns)
    if sets and not compares_metrics:  # as MLflow: models with any point on those datasets
        measured = set(points["model_id"].to_pylist())
        columns["attributes._on_datasets"] = pa.array([m in measured for m in ids], pa.bool_())
        on = filters.Comparison("attributes", "_on_datasets", "=", True)
        node = on if node is None else filters.And((node, on))
    return pa.table(columns), node


def to_pandas(models: Sequence[LoggedModel]) -> pd.DataFrame:
    """Logged models as MLflow's ``search_logged_models`` frame (one row per model)."""
    import pandas as pd  # imported here: keeps `import lakehouse` fast

    columns = [
        "artifact_location",
        "creation_timestamp",
        "experiment_id",
        "last_updated_timestamp",
        "metrics",
        "model_id",
        "model_type",
        "name",
        "params",
        "source_run_id",
        "status",
        "status_message",
        "tags",
    ]
    records = [
        {
            **{c: getattr(m, c) for c in columns},
            "status": m.status.value,
            "metrics": list(m.metrics),
            "params": dict(m.params),
            "tags": dict(m.tags),
        }
        for m in models
    ]
    return pd.DataFrame.from_records(records, columns=columns)
