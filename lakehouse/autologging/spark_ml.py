"""Spark ML autologging: ``Estimator.fit`` of ``pyspark.ml`` logged as ``mlflow.pyspark.ml`` does.

Patched: ``pyspark.ml.base.Estimator.fit`` (a Pipeline's stages are fitted inside
it, so they are not runs of their own; a direct fit of a ``pyspark.ml.feature``
featurizer is not logged, as in MLflow), ``Model.transform`` and
``Evaluator.evaluate`` for post-training metrics.

One fit logs: every param of the estimator and of each Pipeline stage, named as
MLflow names them (``maxIter`` at the top, ``LogisticRegression.maxIter`` inside a
Pipeline, ``stages`` listing the stage names; ``VectorAssembler_2`` when a class
occurs twice), ``estimator_info.json`` with the Pipeline's hierarchy, the
``estimator_name``/``estimator_class`` tags, the training DataFrame as a run input
(and, when it reads a namespace table, that table and its Delta version as the
run's lineage), and the model in the ``spark`` flavor with a signature when the
model's input columns are plain types. ``evaluator.evaluate(model.transform(test))``
then logs ``{metricName}_{dataset}`` (e.g. ``areaUnderROC_test``) on the run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from lakehouse.autologging import patching
from lakehouse.autologging.post_training import PostTrainingMetrics, loggable
from lakehouse.autologging.session import (
    AutologConfig,
    FitSession,
    get_config,
    in_training,
    log_fitted_model,
    make_config,
    not_logged,
    reset,
    set_config,
    warn,
)
from lakehouse.models.flavors import spark as spark_flavor
from lakehouse.models.signature import infer_signature
from lakehouse.store.layout import warehouse_uri
from lakehouse.tracking import fluent
from lakehouse.tracking.client import TrackingClient
from lakehouse.tracking.entities import Dataset, DatasetInput, InputTag, Metric, Param
from lakehouse.tracking.validation import MAX_PARAM_VALUE_LENGTH

__all__ = ["FLAVOR_NAME", "autolog", "table_versions"]

FLAVOR_NAME = "spark_ml"
INPUT_EXAMPLE_ROWS = 5
POST_TRAINING = PostTrainingMetrics()


def autolog(
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    log_post_training_metrics: bool = True,
    registered_model_name: str | None = None,
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_model_allowlist: list[str] | None = None,
    extra_tags: Mapping[str, Any] | None = None,
) -> None:
    """Enable (or with ``disable=True`` undo) autologging of ``pyspark.ml``, as MLflow's.

    ``log_model_allowlist`` (fully qualified model class names) limits which fitted
    models are logged; by default every model is (MLflow keeps a list of built-in
    ``pyspark.ml`` models; every one of them is saved by the ``spark`` flavor here).
    """
    reset(FLAVOR_NAME)
    if disable:
        return
    from pyspark.ml.base import Estimator, Model
    from pyspark.ml.evaluation import Evaluator

    config = make_config(
        FLAVOR_NAME,
        log_models=log_models,
        log_input_examples=log_input_examples,
        log_model_signatures=log_model_signatures,
        log_datasets=log_datasets,
        log_post_training_metrics=log_post_training_metrics,
        exclusive=exclusive,
        silent=silent,
        registered_model_name=registered_model_name,
        extra_tags=extra_tags,
        options={"allowlist": frozenset(log_model_allowlist) if log_model_allowlist else None},
    )
    set_config(config, FLAVOR_NAME)
    patching.patch(FLAVOR_NAME, Estimator, "fit", _fit_patch)
    if log_post_training_metrics:
        patching.patch(FLAVOR_NAME, Model, "transform", _transform_patch)
        patching.patch(FLAVOR_NAME, Evaluator, "evaluate", _evaluate_patch)


# -- params, named as MLflow names them -------------------------------------------------------
def _stage_params(stage: Any) -> dict[str, Any]:
    from pyspark.ml.param import Params

    return {
        p.name: stage.getOrDefault(p)
        for p in stage.params
        if stage.isDefined(p) and isinstance(stage.getOrDefault(p), Params)
    }


def _walk(stage: Any) -> Iterator[Any]:
    from pyspark.ml import Pipeline

    yield stage
    if isinstance(stage, Pipeline):
        for sub in stage.getStages():
            yield from _walk(sub)
    else:
        for value in _stage_params(stage).values():
            yield from _walk(value)


def stage_names(estimator: Any) -> dict[str, str]:
    """``uid -> ClassName`` (``ClassName_2``... when a class occurs more than once)."""
    counts: Counter[str] = Counter()
    seen: dict[str, tuple[str, int]] = {}
    for stage in _walk(estimator):
        name = type(stage).__name__
        counts[name] += 1
        seen[stage.uid] = (name, counts[name])
    return {uid: (f"{n}_{i}" if counts[n] > 1 else n) for uid, (n, i) in seen.items()}


def param_map(stage: Any, names: dict[str, str], level: int = 0) -> dict[str, Any]:
    """Every defined param of ``stage`` and its sub-stages, MLflow's keys."""
    from pyspark.ml import Pipeline
    from pyspark.ml.param import Params

    prefix = "" if level == 0 else names[stage.uid] + "."
    out: dict[str, Any] = {}
    for p in stage.params:
        if not stage.isDefined(p):
            continue
        value = stage.getOrDefault(p)
        search = _is_search(stage)
        if search and p.name == "estimatorParamMaps":
            continue  # in search_results.csv and the child runs
        if search and p.name == "estimator":
            out[prefix + p.name] = names[value.uid]  # its params are the child runs'
        elif isinstance(stage, Pipeline) and p.name == "stages":
            out[prefix + "stages"] = [names[s.uid] for s in stage.getStages()]
            for sub in stage.getStages():
                out.update(param_map(sub, names, level + 1))
        elif isinstance(value, Params):
            out[prefix + p.name] = names[value.uid]
            out.update(param_map(value, names, level + 1))
        else:
            out[prefix + p.name] = value
    return out


def _is_search(stage: Any) -> bool:
    from pyspark.ml.tuning import CrossValidator, TrainValidationSplit

    return isinstance(stage, CrossValidator | TrainValidationSplit)


def _hierarchy(stage: Any, names: dict[str, str]) -> dict[str, Any]:
    from pyspark.ml import Pipeline

    if isinstance(stage, Pipeline):
        return {
            "name": names[stage.uid],
            "stages": [_hierarchy(s, names) for s in stage.getStages()],
        }
    subs = _stage_params(stage)
    if subs:
        return {
            "name": names[stage.uid],
            "params": {k: _hierarchy(v, names) for k, v in subs.items()},
        }
    return {"name": names[stage.uid]}


def _text(value: Any) -> str:
    text = str(value)
    return (
        text if len(text) <= MAX_PARAM_VALUE_LENGTH else text[: MAX_PARAM_VALUE_LENGTH - 3] + "..."
    )


# -- the tables a DataFrame reads -------------------------------------------------------------
def _local(uri: str) -> str:
    text = uri[len("file:") :] if uri.startswith("file:") else uri
    return "/" + text.lstrip("/") if uri.startswith("file:") else text.rstrip("/")


def table_versions(df: Any) -> list[tuple[str, int]]:
    """``(catalog.schema.table, Delta version)`` of each namespace table ``df`` reads.

    Read from the analyzed plan: each Delta relation's folder under the warehouse
    names the table, its snapshot the version the DataFrame reads (a ``VERSION AS
    OF`` read gives that version).
    """
    root = _local(warehouse_uri()).rstrip("/") + "/"
    found: list[tuple[str, int]] = []
    leaves = df._jdf.queryExecution().analyzed().collectLeaves().iterator()
    while leaves.hasNext():
        leaf = leaves.next()
        if not leaf.getClass().getName().endswith("LogicalRelation"):
            continue
        index = leaf.relation().location()
        if "Tahoe" not in index.getClass().getName():
            continue
        folder = _local(index.path().toString()).rstrip("/")
        if not folder.startswith(root):
            continue
        parts = folder[len(root) :].split("/")
        if len(parts) != 3:
            continue
        entry = (".".join(parts), int(index.snapshotAtAnalysis().version()))
        if entry not in found:
            found.append(entry)
    return found


def _log_training_df(df: Any, tables: list[tuple[str, int]]) -> None:
    run = fluent.active_run()
    if run is None:
        return
    digest = f"{abs(int(df._jdf.semanticHash())) & 0xFFFFFFFF:08x}"
    schema = json.dumps(
        {"mlflow_colspec": [{"type": f.dataType.simpleString(), "name": f.name} for f in df.schema]}
    )
    if tables:
        name, version = tables[0]
        source_type = "delta_table"
        source = json.dumps({"delta_table_name": name, "delta_table_version": version})
        ds_name = f"{name}@v{version}"
    else:
        source_type, source, ds_name = "code", json.dumps({"tags": {}}), "dataset"
    dataset = Dataset(
        name=ds_name, digest=digest, source_type=source_type, source=source, schema=schema
    )
    client = TrackingClient()
    client.log_inputs(
        run.info.run_id,
        datasets=[
            DatasetInput(dataset=dataset, tags=[InputTag(key="mlflow.data.context", value="train")])
        ],
    )
    for name, version in tables:  # lineage of every table read (the dataset names the first)
        client.log_input(run.info.run_id, name, version)


# -- the patches -----------------------------------------------------------------------------
def _fit_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, dataset: Any, params: Any = None) -> Any:
        config = get_config(FLAVOR_NAME)
        skip = (
            config is None
            or type(self).__module__.startswith("pyspark.ml.feature")
            or isinstance(params, list | tuple)
        )
        if skip:
            return original(self, dataset, params)
        assert config is not None
        # A candidate fit of a search: pyspark fits copies (same uid) in a thread pool.
        if getattr(self, "uid", None) in _TUNED:
            with not_logged():
                return original(self, dataset, params)
        with FitSession(config, self) as session:
            if not session.should_log:
                return original(self, dataset, params)
            estimator = self.copy(params) if isinstance(params, dict) else self
            session.attempt("logging params and tags", lambda: _log_params(estimator))
            if config.log_datasets:
                session.attempt(
                    "logging the training DataFrame",
                    lambda: _log_training_df(dataset, table_versions(dataset)),
                )
            tuned = estimator.getEstimator() if _is_search(estimator) else None
            if tuned is not None:
                _TUNED.add(tuned.uid)
            try:
                model = original(self, dataset, params)
            finally:
                if tuned is not None:
                    _TUNED.discard(tuned.uid)
            if tuned is not None:
                session.attempt(
                    "logging the search results", lambda: _log_search(session, estimator, model)
                )
            if config.log_models:
                session.attempt(
                    "logging the trained model", lambda: _log_model(config, model, dataset)
                )
                if tuned is not None:
                    session.attempt(
                        "logging the best model",
                        lambda: _log_model(config, model.bestModel, dataset, "best_model"),
                    )
            if config.log_post_training_metrics and session.run_id and session.failed is None:
                POST_TRAINING.register_model(model, session.run_id)
            return model

    return patched


_TUNED: set[str] = set()  # uids of the estimators a search is fitting right now


def _search_metrics(search: Any, model: Any) -> tuple[dict[str, list[float]], int]:
    """MLflow's metrics per candidate (``avg_``/``std_`` for CrossValidator) and the best."""
    import numpy as np
    from pyspark.ml.tuning import CrossValidatorModel

    name = search.getEvaluator().getMetricName()
    if isinstance(model, CrossValidatorModel):
        values = list(model.avgMetrics)
        metrics = {f"avg_{name}": values, f"std_{name}": list(model.stdMetrics)}
    else:
        values = list(model.validationMetrics)
        metrics = {name: values}
    larger = search.getEvaluator().isLargerBetter()
    return metrics, int(np.argmax(values) if larger else np.argmin(values))


def _log_search(session: FitSession, search: Any, model: Any) -> None:
    """Child runs (one per candidate), search_results.csv, best_parameters.json, best_*."""
    import pandas as pd

    names = stage_names(search)
    tuned = search.getEstimator()
    maps = [
        {f"{names[p.parent]}.{p.name}": v for p, v in epm.items()}
        for epm in search.getEstimatorParamMaps()
    ]
    metrics, best = _search_metrics(search, model)
    results = pd.DataFrame({"params": [json.dumps(m, default=str) for m in maps], **metrics})
    for key in sorted({k for m in maps for k in m}):
        results[f"param.{key}"] = [m.get(key) for m in maps]
    fluent.log_text(results.to_csv(index=False), "search_results.csv")
    fluent.log_dict(maps[best], "best_parameters.json")
    fluent.log_params({f"best_{k}": _text(v) for k, v in maps[best].items()})
    parent = fluent.active_run()
    assert parent is not None
    client = TrackingClient()
    cls = type(tuned)
    for i, epm in enumerate(search.getEstimatorParamMaps()):
        tags = {
            **session.config.extra_tags,
            "mlflow.parentRunId": parent.info.run_id,
            "mlflow.autologging": FLAVOR_NAME,
            "estimator_name": cls.__name__,
            "estimator_class": f"{cls.__module__}.{cls.__name__}",
        }
        child = client.create_run(parent.info.experiment_id, tags=tags)
        params = param_map(tuned.copy(epm), names)
        items = [Param(key=str(k), value=_text(v)) for k, v in params.items()]
        points = [
            Metric(key=k, value=float(v[i]), timestamp=None, step=0)  # type: ignore[arg-type]
            for k, v in metrics.items()
        ]
        for j in range(0, len(items), 100):
            client.log_batch(child.info.run_id, params=items[j : j + 100])
        client.log_batch(child.info.run_id, metrics=points)
        client.set_terminated(child.info.run_id, "FINISHED")


def _log_params(estimator: Any) -> None:
    from pyspark.ml import Pipeline

    names = stage_names(estimator)
    params = param_map(estimator, names)
    items = {str(k): _text(v) for k, v in params.items()}
    keys = list(items)
    for i in range(0, len(keys), 100):
        fluent.log_params({k: items[k] for k in keys[i : i + 100]})
    cls = type(estimator)
    fluent.set_tags(
        {"estimator_name": cls.__name__, "estimator_class": f"{cls.__module__}.{cls.__name__}"}
    )
    if isinstance(estimator, Pipeline) or _stage_params(estimator):
        fluent.log_dict({"hierarchy": _hierarchy(estimator, names)}, "estimator_info.json")


def _input_columns(model: Any, df: Any) -> list[str]:
    """The DataFrame columns the model's stages read (all of them when none is named)."""
    from pyspark.ml import PipelineModel

    model = getattr(model, "bestModel", model)  # a search model reads what its best reads
    stages = model.stages if isinstance(model, PipelineModel) else [model]
    produced: set[str] = set()
    wanted: list[str] = []
    for stage in stages:
        for param in ("inputCol", "inputCols", "featuresCol"):
            if stage.hasParam(param) and stage.isDefined(stage.getParam(param)):
                value = stage.getOrDefault(stage.getParam(param))
                for col in value if isinstance(value, list) else [value]:
                    if col not in produced and col in df.columns and col not in wanted:
                        wanted.append(col)
        for param in ("outputCol", "outputCols"):
            if stage.hasParam(param) and stage.isDefined(stage.getParam(param)):
                value = stage.getOrDefault(stage.getParam(param))
                produced.update(value if isinstance(value, list) else [value])
    return wanted or list(df.columns)


def _log_model(config: AutologConfig, model: Any, df: Any, name: str = "model") -> None:
    allow = config.options.get("allowlist")
    cls = type(model)
    if allow is not None and f"{cls.__module__}.{cls.__name__}" not in allow:
        warn(config, f"{cls.__name__} is not in log_model_allowlist: the model is not logged")
        return
    signature = None
    example = None
    if config.log_model_signatures or config.log_input_examples:
        head = df.select(_input_columns(model, df)).limit(INPUT_EXAMPLE_ROWS)
        simple = all(
            f.dataType.typeName() not in ("vector", "udt", "array", "map", "struct")
            and "Vector" not in type(f.dataType).__name__
            for f in head.schema
        )
        if simple:
            out = model.transform(head)
            if config.log_model_signatures and "prediction" in out.columns:
                signature = infer_signature(head, out.select("prediction"))
            if config.log_input_examples:
                example = head.toPandas()
    log_fitted_model(
        config,
        lambda location: spark_flavor.save_model(
            model, location, signature=signature, input_example=example
        ),
        name,
        config.registered_model_name if name == "model" else None,
    )


def _transform_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, dataset: Any, params: Any = None) -> Any:
        run_id = POST_TRAINING.run_of(self) if POST_TRAINING.active else None
        if run_id is None or in_training():
            return original(self, dataset, params)
        with POST_TRAINING.paused():
            result = original(self, dataset, params)
        try:
            POST_TRAINING.register_result(
                run_id, POST_TRAINING.dataset_name(run_id, dataset), result
            )
        except Exception as exc:
            _warn_post(exc)
        return result

    return patched


def _evaluate_patch(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, dataset: Any, params: Any = None) -> Any:
        if not POST_TRAINING.active or in_training():
            return original(self, dataset, params)
        with POST_TRAINING.paused():
            value = original(self, dataset, params)
        try:
            found = POST_TRAINING.find((dataset,), {}) if loggable(value) else None
            if found is not None:
                run_id, name = found
                evaluator = self.copy(params) if isinstance(params, dict) else self
                cls = type(evaluator)
                info = {
                    "evaluator_class": f"{cls.__module__}.{cls.__name__}",
                    "params": {
                        p.name: _text(evaluator.getOrDefault(p))
                        for p in evaluator.params
                        if evaluator.isDefined(p)
                    },
                }
                key = POST_TRAINING.metric_key(run_id, evaluator.getMetricName(), name, info)
                POST_TRAINING.log(run_id, key, value)
        except Exception as exc:
            _warn_post(exc)
        return value

    return patched


def _warn_post(exc: Exception) -> None:
    config = get_config(FLAVOR_NAME)
    if config is not None:
        warn(
            config,
            f"lakehouse autologging (spark_ml): a post-training metric was not logged: {exc}",
        )
