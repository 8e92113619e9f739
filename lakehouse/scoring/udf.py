"""``spark_udf``: a model as a Spark column function, pinned to one version at creation.

On the driver, :func:`spark_udf` resolves the URI once (an alias or stage becomes
the version it names now), reads the package's ``MLmodel`` (not the model), checks
the result type and parameters, warns about requirement mismatches, ships the
package to remote executors when needed, and returns a :class:`ModelUdf`. Calling
that gives a Spark ``Column`` backed by an Arrow iterator UDF
(:mod:`lakehouse.scoring.worker`), in which each Python worker loads the model once.
"""

from __future__ import annotations

import dataclasses
import os
import site
import uuid
import warnings
from collections.abc import Mapping
from importlib.machinery import PathFinder
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse.errors import InvalidArgumentError, InvalidModelError, SchemaMismatchError
from lakehouse.models.enforcement import enforce_params
from lakehouse.models.environment import installed_version
from lakehouse.models.mlmodel import PYFUNC, MLModel
from lakehouse.models.pyfunc_model import local_folder
from lakehouse.models.signature import ColSpec, DataType, ModelSignature
from lakehouse.registry.uris import ResolvedModelUri, resolve_model_uri
from lakehouse.scoring.linear import LinearScorer, linear_scorer
from lakehouse.scoring.shipping import needs_shipping, ship
from lakehouse.scoring.worker import ACCEPTED_ARROW_TYPES, WorkerSpec, predict_batches

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pyarrow as pa
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.types import DataType as SparkType

__all__ = ["ModelUdf", "load_package_meta", "spark_udf", "udf_for"]

_SCALARS = ("double", "float", "int", "integer", "long", "bigint", "boolean", "string")
_SCALAR_NAMES = ("DoubleType", "FloatType", "IntegerType", "LongType", "BooleanType", "StringType")


def _result_type(result_type: Any) -> SparkType:
    """The Spark type for ``result_type`` (a DDL string or a ``DataType``), checked."""
    from pyspark.sql.types import ArrayType, DataType, StructType, _parse_datatype_string

    parsed = result_type
    if isinstance(result_type, str):
        try:
            parsed = _parse_datatype_string(result_type)
        except Exception as exc:  # noqa: BLE001 - Spark's parser raises several error types
            raise InvalidArgumentError(
                f"result_type {result_type!r} is not a Spark type: {exc}"
            ) from None
    if not isinstance(parsed, DataType):
        raise InvalidArgumentError(
            f"result_type must be a DDL string or a pyspark DataType, got {result_type!r}"
        )

    def scalar(t: SparkType) -> bool:
        return type(t).__name__ in _SCALAR_NAMES

    ok = scalar(parsed)
    if isinstance(parsed, ArrayType):
        ok = scalar(parsed.elementType)
    if isinstance(parsed, StructType):
        ok = all(
            scalar(f.dataType)
            or (isinstance(f.dataType, ArrayType) and scalar(f.dataType.elementType))
            for f in parsed.fields
        )
    if not ok:
        raise InvalidArgumentError(
            f"result_type {parsed.simpleString()} is not supported; expected one of "
            f"{', '.join(_SCALARS)}, array<one of these> (e.g. class probabilities) or a "
            "struct of these (one field per output column, e.g. 'struct<score: double, "
            "label: string>')"
        )
    return parsed


def _warn_requirements(folder: str, uri: str) -> None:
    """One warning naming the pinned requirements that differ from what is installed."""
    file = Path(folder) / "requirements.txt"
    if not file.exists():
        return
    differ = []
    for line in file.read_text().splitlines():
        name, sep, wanted = line.strip().partition("==")
        if not sep or name.startswith(("-", "#")):
            continue
        have = installed_version(name.split("[")[0])
        if have != wanted.strip():
            differ.append(f"{name}=={wanted.strip()} (installed: {have or 'not installed'})")
    if differ:
        warnings.warn(
            f"model {uri} was saved with requirements that differ from this environment: "
            f"{', '.join(differ)}. Predictions may differ or fail; install the recorded "
            "versions (requirements.txt of the package) to match.",
            UserWarning,
            stacklevel=3,
        )


def _warn_shadowed_package(spark: SparkSession) -> None:
    """Warn when the Python workers would import a folder of the working directory as lakehouse.

    In local mode Spark starts its Python workers in the driver's working directory,
    first on their ``sys.path``. A folder named ``lakehouse`` there (say, a lakehouse
    root) is then imported instead of an editable install of the package, whose finder
    comes after the path entries, and the UDF fails in the worker with an unrelated
    ``ModuleNotFoundError`` (e.g. ``lakehouse.models.flavors`` when the root's
    ``models/`` folder stands in for the package's).
    """
    master = str(spark.sparkContext.master)
    if not master.startswith("local") or master.startswith("local-cluster"):
        return
    cwd = os.getcwd()
    # The workers' path: their working directory, then the installed packages.
    found = PathFinder.find_spec("lakehouse", [cwd, *site.getsitepackages()])
    package = Path(__file__).resolve().parents[1]
    if found is None or (found.origin and Path(found.origin).resolve().parent == package):
        return
    warnings.warn(
        f"the working directory {cwd} holds a folder 'lakehouse' that Spark's Python "
        f"workers, started in this directory, import instead of the lakehouse package "
        f"({package}); scoring will fail there with ModuleNotFoundError. Rename that "
        "folder (e.g. a lakehouse root) or start the session from another directory.",
        UserWarning,
        stacklevel=3,
    )


def load_package_meta(resolved: ResolvedModelUri) -> tuple[str, MLModel]:
    """The local folder of a resolved package and its ``MLmodel``."""
    folder = local_folder(resolved.location)
    try:
        return folder, MLModel.load(folder)
    except (OSError, InvalidModelError) as exc:
        raise InvalidModelError(
            f"model URI {resolved.uri!r} points to {resolved.location}, which holds no "
            f"readable model package ({exc})"
        ) from None


def _inputs(signature: ModelSignature | None) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    if signature is None or signature.inputs is None or not signature.inputs.has_input_names():
        return (), ()
    specs = list(signature.inputs)
    names = tuple(str(s.name) for s in specs)
    kinds = tuple(
        s.type.value if isinstance(s, ColSpec) and isinstance(s.type, DataType) else None
        for s in specs
    )
    return names, kinds


def _udf_function(spec: WorkerSpec) -> Any:
    def score(batches: Iterator[Any]) -> Iterator[pa.Array]:
        return predict_batches(spec, batches)

    score.__name__ = "predict"
    return score


def _arrow_udf(spec: WorkerSpec, result: SparkType) -> Any:
    from pyspark.sql.functions import ArrowUDFType, arrow_udf

    with warnings.catch_warnings():
        # The UDF's arity varies with the call, which type hints cannot say.
        warnings.filterwarnings("ignore", message="It is preferred to specify type hints")
        return arrow_udf(  # type: ignore[call-overload]
            _udf_function(spec), result, ArrowUDFType.SCALAR_ITER
        )


_BATCH_CONF = "spark.sql.execution.arrow.maxRecordsPerBatch"


def _batch_rows() -> int:
    """Rows per model call: the active session's Arrow batch size (0: each batch as it comes)."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    value = session.conf.get(_BATCH_CONF, "10000") if session is not None else "10000"
    try:
        return max(int(str(value)), 0)
    except ValueError:
        return 10_000


class ModelUdf:
    """A model pinned to one version, callable as a Spark column function.

    ``udf()`` binds the signature's input columns by name; ``udf("a", "b")`` or
    ``udf(col_a, col_b)`` binds columns by position to the signature's inputs;
    ``udf(F.struct(...))`` binds the struct's fields by name. :meth:`check` reports
    missing or mistyped columns on the driver, before any task runs.

    Attributes: ``model_uri`` (as given), ``model_name`` and ``model_version`` (the
    registered version pinned, ``None`` for runs and paths), ``alias``, ``run_id``,
    ``location`` (the package folder), ``result_type`` (a Spark ``DataType``),
    ``input_names``.
    """

    def __init__(
        self,
        resolved: ResolvedModelUri,
        spec: WorkerSpec,
        result: SparkType,
        *,
        required: int = 0,
        linear: LinearScorer | None = None,
    ) -> None:
        self.resolved = resolved
        self.model_uri = resolved.uri
        self.model_name = resolved.name
        self.model_version = resolved.version
        self.alias = resolved.alias
        self.run_id = resolved.run_id
        self.location = resolved.location
        self.result_type = result
        self.input_names = list(spec.names)
        self.spec = spec
        self._required = required
        self._udf = _arrow_udf(spec, result)
        self._linear = linear

    def _in_jvm(self, cols: tuple[Any, ...]) -> bool:
        """Whether this call scores as a SQL expression (a linear model, plain columns)."""
        if self._linear is None:
            return False
        if not cols:
            return True
        # One Column for several features is a struct: the worker binds its fields.
        return len(cols) == len(self.spec.names) and not (
            len(cols) == 1 and not isinstance(cols[0], str)
        )

    def _columns(self, cols: tuple[Any, ...]) -> list[Any]:
        if cols:
            if self.spec.names and len(cols) > len(self.spec.names):
                cols = cols[: len(self.spec.names)]  # MLflow drops the extra positional columns
            if 1 < len(cols) < self._required:
                raise InvalidArgumentError(
                    f"model {self.model_uri} needs {self._required} input columns "
                    f"{self.input_names} (bound by position), got {len(cols)}; pass them all, "
                    "a struct of them, or none to bind the signature's columns by name"
                )
            return list(cols)
        if not self.spec.names:
            raise InvalidArgumentError(
                f"model {self.model_uri} has no input signature naming its columns, so "
                "udf() cannot bind them; pass the input columns: udf('a', 'b', ...)"
            )
        return list(self.spec.names)

    def __call__(self, *cols: Any) -> Column:
        """A Column of predictions for the given input columns (the signature's by default).

        The rows per model call follow the active session's
        ``spark.sql.execution.arrow.maxRecordsPerBatch`` when the column is made.
        """
        if self._linear is not None and self._in_jvm(cols):
            return self._linear.column(self._columns(cols)).cast(self.result_type)
        rows = _batch_rows()
        if rows != self.spec.batch_rows:
            self.spec = dataclasses.replace(self.spec, batch_rows=rows)
            self._udf = _arrow_udf(self.spec, self.result_type)
        return self._udf(*self._columns(cols))

    def check(self, df: DataFrame, *cols: Any) -> None:
        """Check on the driver that ``df`` has the bound input columns with fitting types.

        Raises :class:`~lakehouse.errors.SchemaMismatchError` naming the missing
        columns (and those present) or the mistyped column with its expected type.
        """
        from pyspark.errors import AnalysisException
        from pyspark.sql.pandas.types import to_arrow_type
        from pyspark.sql.types import StructType

        chosen = self._columns(cols)
        present = list(df.columns)
        wanted = [c for c in chosen if isinstance(c, str)]
        missing = [c for c in wanted if c not in present]
        if missing:
            raise SchemaMismatchError(
                f"input is missing column(s) {missing} that model {self.model_uri} needs; it "
                f"expects {self.input_names or wanted}, the DataFrame has {present}"
            )
        try:
            fields = df.select(*chosen).schema.fields  # analysis only: no task runs
        except AnalysisException as exc:
            raise SchemaMismatchError(
                f"cannot bind the input columns of model {self.model_uri}: {exc}"
            ) from None
        if len(fields) == 1 and isinstance(fields[0].dataType, StructType) and self.spec.names:
            struct = fields[0].dataType
            missing = [n for n in self.spec.names if n not in struct.names]
            if missing:
                raise SchemaMismatchError(
                    f"the struct passed to model {self.model_uri} lacks field(s) {missing}; "
                    f"it expects {self.input_names}, the struct has {struct.names}"
                )
            types = {f.name: f.dataType for f in struct.fields}
            pairs = [(n, types[n]) for n in self.spec.names]
        else:
            names = self.spec.names or tuple(f.name for f in fields)
            pairs = [(names[i], f.dataType) for i, f in enumerate(fields)]
        for (name, spark_type), kind in zip(pairs, self.spec.kinds, strict=False):
            allowed = ACCEPTED_ARROW_TYPES.get(kind or "")
            actual = str(to_arrow_type(spark_type, timezone="UTC"))
            if allowed is not None and actual not in allowed:
                raise SchemaMismatchError(
                    f"column {name!r}: model {self.model_uri} expects type {kind}, the "
                    f"DataFrame has {spark_type.simpleString()}. Cast the column first, e.g. "
                    f"F.col({name!r}).cast('{kind}')"
                )

    def __repr__(self) -> str:
        pinned = f"{self.model_name}/{self.model_version}" if self.model_name else self.location
        return f"ModelUdf({self.model_uri!r} -> {pinned}, {self.result_type.simpleString()})"


_SKLEARN_LOADERS = ("mlflow.sklearn", "lakehouse.models.flavors.sklearn")


def _flavor_of(meta: MLModel, uri: str) -> tuple[str, str]:
    """(flavor, predict_fn) of a package the UDF can score."""
    loader = str(meta.flavors.get(PYFUNC, {}).get("loader_module", ""))
    if "spark" in meta.flavors and loader in ("mlflow.spark", "lakehouse.models.flavors.spark"):
        raise InvalidArgumentError(
            f"model {uri} is a Spark ML model: it scores in the JVM with transform(), not in "
            "a Python UDF. Use lakehouse.scoring.predict_df(df, model_uri) (or lh.score_table), "
            "which adds the prediction column with the model's transform()."
        )
    if PYFUNC not in meta.flavors:
        raise InvalidModelError(
            f"model {uri} has no python_function flavor (it has {sorted(meta.flavors)}), so "
            "spark_udf cannot score it"
        )
    if "sklearn" in meta.flavors and loader in (
        "mlflow.sklearn",
        "lakehouse.models.flavors.sklearn",
    ):
        return "sklearn", str(meta.flavors[PYFUNC].get("predict_fn", "predict"))
    return "pyfunc", "predict"


def spark_udf(
    spark: SparkSession,
    model_uri: str | Path,
    result_type: Any = "double",
    env_manager: str = "local",
    params: Mapping[str, Any] | None = None,
) -> ModelUdf:
    """A Spark column function scoring with the model at ``model_uri`` (MLflow's signature).

    The URI is resolved now, once, on the driver: an alias or stage is pinned to the
    version it names at this moment for every task of every job that uses the
    returned UDF (read it from ``udf.model_name`` / ``udf.model_version``). Example::

        predict = lh.pyfunc.spark_udf(spark, "models:/main.ml.churn@champion")
        scored = features.withColumn("churn_probability", predict())

    ``result_type``: ``double`` (default), ``float``, ``int``, ``long``, ``boolean``,
    ``string``, ``array<...>`` or a struct DDL string, one field per output column.
    ``env_manager`` must be ``"local"`` (the workers' own environment).
    """
    if env_manager != "local":
        raise InvalidArgumentError(
            f"env_manager={env_manager!r} is not supported: lakehouse scores in the "
            "executors' own Python environment; pass env_manager='local' and install the "
            "model's requirements (requirements.txt of the package) on the cluster"
        )
    result = _result_type(result_type)
    return udf_for(spark, resolve_model_uri(model_uri), result, params=params)


def udf_for(
    spark: SparkSession,
    resolved: ResolvedModelUri,
    result_type: Any = "double",
    *,
    params: Mapping[str, Any] | None = None,
) -> ModelUdf:
    """:func:`spark_udf` for a URI already resolved (and so pinned) by the caller."""
    result = _result_type(result_type)
    folder, meta = load_package_meta(resolved)
    flavor, predict_fn = _flavor_of(meta, resolved.uri)
    _warn_requirements(folder, resolved.uri)
    _warn_shadowed_package(spark)
    signature = meta.signature
    checked = enforce_params(params, signature.params if signature else None) or None
    names, kinds = _inputs(signature)
    # A path can be overwritten: each UDF made from one loads it afresh.
    key = resolved.location if resolved.immutable else f"{resolved.location}#{uuid.uuid4().hex}"
    shipped = ship(spark, folder, key) if needs_shipping(spark, resolved.location) else None
    spec = WorkerSpec(
        key=key,
        location=resolved.location,
        shipped=shipped,
        flavor=flavor,
        predict_fn=predict_fn,
        names=names,
        kinds=kinds,
        result=result.json(),
        params=checked,
        batch_rows=_batch_rows(),
    )
    inputs = signature.inputs if signature else None
    required = len(inputs.required_input_names()) if names and inputs else 0
    linear = None
    if flavor == "sklearn" and checked is None and _numeric_result(result, classifier=None):
        linear = linear_scorer(
            folder, meta.flavors["sklearn"], predict_fn=predict_fn, kinds=kinds, names=names
        )
        if linear is not None and not _numeric_result(
            result, classifier=linear.classes is not None
        ):
            linear = None
    return ModelUdf(resolved, spec, result, required=required, linear=linear)


def _numeric_result(result: SparkType, *, classifier: bool | None) -> bool:
    """Result types the SQL path returns as the worker would: numbers (labels: integers too)."""
    from pyspark.sql.types import DoubleType, FloatType, IntegerType, LongType

    if isinstance(result, DoubleType | FloatType):
        return True
    return classifier is not False and isinstance(result, IntegerType | LongType)
