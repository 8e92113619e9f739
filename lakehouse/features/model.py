"""Models that carry their features: ``log_model`` with a training set, and ``score_batch``.

A model logged with a training set is a ``python_function`` package holding:

- ``artifacts/raw_model/``: the trained model, saved by the flavor it was given
  (``lh.sklearn`` ...), with a signature over the feature columns it was trained on;
- the feature spec (tables, keys, features, renames, functions, the Delta versions
  trained on) in ``artifacts/feature_spec.yaml`` and in the ``MLmodel`` metadata;
- an ``MLmodel`` signature whose inputs are only the spine's columns (lookup keys,
  timestamps, columns passed through): callers bring keys, never features.

``score_batch`` reads the spec, looks the same features up the same way as
``TrainingSet.load_df`` (newest values, or point in time when the DataFrame has the
timestamp column), applies the functions and scores the inner model on the feature
columns, in training order. Loading the package with ``lh.pyfunc.load_model`` also
works: its ``predict`` looks features up through Spark the same way.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError, InvalidModelError
from lakehouse.features.entities import FeatureSpec, LookupSpec
from lakehouse.features.training import TrainingSet, build_features, lookups_for_scoring
from lakehouse.models.flavors import pyfunc as pyfunc_flavor
from lakehouse.models.flavors.pyfunc import PythonModel, PythonModelContext
from lakehouse.models.info import ModelInfo
from lakehouse.models.mlmodel import MLModel
from lakehouse.models.pyfunc_model import PyFuncModel, load_pyfunc, local_folder
from lakehouse.models.signature import ModelSignature, infer_signature
from lakehouse.registry import model_logging
from lakehouse.registry.uris import ResolvedModelUri, resolve_model_uri
from lakehouse.scoring.predict import is_spark_ml, predict_df
from lakehouse.scoring.udf import load_package_meta, udf_for
from lakehouse.spark import spark as get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = [
    "FEATURE_SPEC_KEY",
    "FeaturePlan",
    "FeatureStoreModel",
    "feature_spec_of",
    "has_feature_spec",
    "log_model",
    "lookup_features",
    "plan_features",
    "score_batch",
    "score_looked_up",
    "score_with_features",
]

FEATURE_SPEC_KEY = "lakehouse_feature_spec"
RAW_MODEL = "raw_model"


class FeatureStoreModel(PythonModel):
    """The ``python_function`` wrapper: spine rows in, features looked up, inner model out."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.raw: PyFuncModel | None = None

    def load_context(self, context: PythonModelContext) -> None:
        """Load the inner model once."""
        self.raw = load_pyfunc(context.artifacts[RAW_MODEL])

    def predict(
        self, context: PythonModelContext, model_input: Any, params: dict[str, Any] | None = None
    ) -> Any:
        """Predict for spine rows (pandas): features are looked up through Spark first."""
        assert self.raw is not None
        spec = FeatureSpec.from_dict(self.spec)
        frame = model_input
        if not all(c in frame.columns for c in spec.feature_columns):
            session = get_spark()
            spine = session.createDataFrame(frame)
            lookups = lookups_for_scoring(spec, spine.columns)
            built = build_features(spine, lookups, spec.functions)
            frame = built.toPandas()
        return self.raw.predict(frame[list(spec.feature_columns)], params=params)


def _feature_signature(training_set: TrainingSet) -> ModelSignature:
    """The inner model's inputs: the feature columns, typed from the training DataFrame."""
    built = training_set.load_df()
    return infer_signature(built.select(*training_set.feature_spec.feature_columns))


def _spine_signature(training_set: TrainingSet) -> ModelSignature:
    return infer_signature(training_set.df.select(*training_set.feature_spec.input_columns))


def _save_package(
    location: str,
    model: Any,
    flavor: Any,
    training_set: TrainingSet,
    kwargs: dict[str, Any],
) -> MLModel:
    spec = training_set.feature_spec.to_dict()
    raw_signature = kwargs.pop("signature", None) or _feature_signature(training_set)
    with tempfile.TemporaryDirectory(prefix="lakehouse-fe-") as tmp:
        raw = Path(tmp) / RAW_MODEL
        flavor.save_model(model, str(raw), signature=raw_signature, **kwargs)
        spec_file = Path(tmp) / "feature_spec.yaml"
        spec_file.write_text(yaml.safe_dump(spec, sort_keys=False))
        return pyfunc_flavor.save_model(
            location,
            python_model=FeatureStoreModel(spec),
            artifacts={RAW_MODEL: str(raw), "feature_spec": str(spec_file)},
            signature=_spine_signature(training_set),
            pip_requirements=_requirements(raw),
            metadata={FEATURE_SPEC_KEY: spec},
        )


def _requirements(raw: Path) -> list[str] | None:
    file = raw / "requirements.txt"
    if not file.is_file():
        return None
    return [line for line in file.read_text().splitlines() if line and not line.startswith("#")]


def log_model(
    *,
    model: Any,
    artifact_path: str = "model",
    flavor: Any,
    training_set: TrainingSet,
    registered_model_name: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log ``model`` with its training set's feature spec into the active run.

    ``flavor`` is the module that saves the model (``lh.sklearn``, ``lh.pyfunc``...);
    other keywords go to its ``save_model``. The feature tables' pinned versions are
    recorded as the run's inputs, so a registered version's lineage names them.
    """
    if not callable(getattr(flavor, "save_model", None)):
        raise InvalidArgumentError(
            f"flavor must be a module with save_model (e.g. lh.sklearn), got {flavor!r}"
        )
    if not isinstance(training_set, TrainingSet):
        raise InvalidArgumentError(
            "log_model needs training_set=<the TrainingSet the model was trained on>, "
            f"got {type(training_set).__name__}"
        )
    return model_logging.log_model(
        lambda location: _save_package(location, model, flavor, training_set, dict(kwargs)),
        artifact_path,
        registered_model_name=registered_model_name,
        inputs=list(training_set.table_versions.items()),
    )


def _load_spec(folder: str, uri: str) -> FeatureSpec:
    meta = MLModel.load(folder)
    data = (meta.extra.get("metadata") or {}).get(FEATURE_SPEC_KEY)
    if data is None:
        raise InvalidModelError(
            f"model {uri} was not logged with a training set (its MLmodel has no feature "
            "spec); score it with lh.pyfunc.spark_udf, or log it with "
            "FeatureEngineeringClient.log_model(..., training_set=...)"
        )
    return FeatureSpec.from_dict(data)


def feature_spec_of(model_uri: str) -> FeatureSpec:
    """The feature spec a model was logged with (tables, keys, features, pinned versions)."""
    resolved = resolve_model_uri(model_uri)
    return _load_spec(local_folder(resolved.location), model_uri)


def _check_inputs(spec: FeatureSpec, df: DataFrame, uri: str) -> None:
    optional = {lookup.timestamp_lookup_key for lookup in spec.lookups}
    missing = [c for c in spec.input_columns if c not in df.columns and c not in optional]
    if missing:
        raise InvalidArgumentError(
            f"score_batch({uri!r}): the DataFrame lacks column(s) {missing} the model looks "
            f"features up with; columns present: {df.columns}"
        )


def has_feature_spec(resolved: ResolvedModelUri) -> bool:
    """True when the resolved package was logged with a training set (carries a feature spec)."""
    _, meta = load_package_meta(resolved)  # a clear error when the folder holds no package
    return (meta.extra.get("metadata") or {}).get(FEATURE_SPEC_KEY) is not None


@dataclass(frozen=True, slots=True)
class FeaturePlan:
    """What scoring one feature-store model on a DataFrame looks up, before any lookup."""

    resolved: ResolvedModelUri
    spec: FeatureSpec
    folder: str
    lookups: tuple[LookupSpec, ...]

    @property
    def versions(self) -> dict[str, int]:
        """``{feature table: Delta version}`` read by the lookups."""
        return {lookup.table_name: lookup.version for lookup in self.lookups}

    @property
    def key(self) -> str:
        """Equal for plans whose lookups and functions give the same columns."""
        parts = [lookup.to_dict() for lookup in self.lookups]
        parts += [function.to_dict() for function in self.spec.functions]
        return json.dumps(parts, sort_keys=True, default=str)


def plan_features(resolved: ResolvedModelUri, df: DataFrame) -> FeaturePlan:
    """The model's lookups against the tables' newest versions, its inputs checked."""
    folder = local_folder(resolved.location)
    spec = _load_spec(folder, resolved.uri)
    _check_inputs(spec, df, resolved.uri)
    return FeaturePlan(resolved, spec, folder, tuple(lookups_for_scoring(spec, df.columns)))


def lookup_features(plan: FeaturePlan, df: DataFrame) -> DataFrame:
    """``df`` with the plan's features looked up and its functions computed."""
    return build_features(df, plan.lookups, plan.spec.functions)


def score_looked_up(
    plan: FeaturePlan,
    built: DataFrame,
    *,
    prediction_column: str = "prediction",
    result_type: str = "double",
) -> DataFrame:
    """``built`` (features looked up) with the inner model's ``prediction_column``."""
    resolved = plan.resolved
    # The inner package, pinned with the outer one: the batch-scoring path scores it.
    inner = dataclasses.replace(
        resolved,
        uri=f"{resolved.pinned_uri} (inner model)",
        location=paths.to_uri(str(Path(plan.folder) / "artifacts" / RAW_MODEL)),
    )
    if is_spark_ml(inner):
        # Spark ML scores in the JVM with the pipeline's transform (no Python worker);
        # its stages read the feature columns by name.
        return predict_df(
            built, inner, prediction_column=prediction_column, result_type=result_type
        )
    udf = udf_for(built.sparkSession, inner, result_type)
    columns = list(plan.spec.feature_columns)
    udf.check(built, *columns)
    return built.withColumn(prediction_column, udf(*columns))


def score_with_features(
    resolved: ResolvedModelUri,
    df: DataFrame,
    *,
    prediction_column: str = "prediction",
    result_type: str = "double",
) -> tuple[DataFrame, dict[str, int]]:
    """``df`` with the features looked up and ``prediction_column``; the tables' versions.

    The path of :func:`score_batch` for an already resolved (pinned) model: the batch
    scoring job calls it and records the returned ``{feature table: Delta version}``
    as the run's lineage.
    """
    plan = plan_features(resolved, df)
    scored = score_looked_up(
        plan,
        lookup_features(plan, df),
        prediction_column=prediction_column,
        result_type=result_type,
    )
    return scored, plan.versions


def score_batch(*, model_uri: str, df: DataFrame, result_type: str = "double") -> DataFrame:
    """``df`` with the model's features looked up and a ``prediction`` column.

    The model URI is resolved once (an alias is pinned to the version it names now).
    Python models score in an Arrow UDF on the feature columns, in training order;
    Spark ML models (logged with ``flavor=lh.spark_ml``) with their ``transform`` in
    the JVM, ``result_type="array<double>"`` giving the class probabilities.
    """
    return score_with_features(resolve_model_uri(model_uri), df, result_type=result_type)[0]
