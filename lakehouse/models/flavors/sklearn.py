"""The scikit-learn flavor: any estimator or Pipeline, in MLflow's ``sklearn`` layout.

Serialization: ``cloudpickle`` by default; ``pickle`` and ``skops`` on request
(``serialization_format=``). All three load. Why cloudpickle and not skops, which
mlflow 3.17 writes by default:

- it serializes every estimator, including custom transformers and functions defined
  in a notebook (``FunctionTransformer(lambda ...)``), which plain pickle cannot
  and skops refuses;
- it is already a core dependency of lakehouse (skops is an optional one);
- skops' protection is a list of trusted types read from the package itself, so it
  is no safety boundary for a package from an untrusted source (mlflow 3.17 gates
  skops behind ``MLFLOW_ALLOW_PICKLE_DESERIALIZATION`` like pickle for that reason).
  Loading a model runs code from it whatever the format: load only packages you
  trust (the registry's copies are read-only).

``pyfunc_predict_fn`` picks the method pyfunc ``predict`` calls: ``predict``
(default), ``predict_proba``, ``predict_log_proba``, ``decision_function`` or
``transform``; the estimator must have it. Example::

    save_model(pipeline, "/tmp/churn", pyfunc_predict_fn="predict_proba",
               input_example=X.head(5))
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import cloudpickle

from lakehouse.errors import InvalidArgumentError, InvalidModelError
from lakehouse.models.mlmodel import PYFUNC, MLModel
from lakehouse.models.package import (
    PackageOptions,
    copy_code_paths,
    finish_package,
    staged_package,
)
from lakehouse.models.signature import ModelSignature

__all__ = ["FLAVOR_NAME", "SERIALIZATION_FORMATS", "load_model", "save_model"]

FLAVOR_NAME = "sklearn"
SERIALIZATION_FORMATS = ("cloudpickle", "pickle", "skops")
PREDICT_FNS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "transform")
SerializationFormat = Literal["cloudpickle", "pickle", "skops"]


def _serialize(model: Any, file: Path, fmt: str, trusted: Sequence[str] | None) -> None:
    try:
        if fmt == "skops":
            try:
                import skops.io  # optional dependency: only for serialization_format="skops"
            except ImportError:
                raise InvalidArgumentError(
                    "serialization_format='skops' needs the skops package: pip install skops"
                ) from None
            skops.io.dump(model, file)
        else:
            dumps = cloudpickle.dumps if fmt == "cloudpickle" else pickle.dumps
            file.write_bytes(dumps(model))
    except InvalidArgumentError:
        raise
    except Exception as exc:
        raise InvalidArgumentError(
            f"cannot serialize the {type(model).__name__} model with {fmt}: {exc}. Remove "
            "what cannot be pickled (open files, locks, connections, generators) from the "
            "model, or try serialization_format='cloudpickle'."
        ) from None


def save_model(
    sk_model: Any,
    path: str | Path,
    *,
    serialization_format: SerializationFormat = "cloudpickle",
    pyfunc_predict_fn: str = "predict",
    signature: ModelSignature | None = None,
    input_example: Any = None,
    code_paths: Sequence[str] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    skops_trusted_types: Sequence[str] | None = None,
) -> MLModel:
    """Save an estimator as a package at ``path`` (a new or empty folder); returns its MLmodel.

    Parameters follow ``mlflow.sklearn.save_model``. Without ``signature`` but with an
    ``input_example``, the signature is inferred from the example and the prediction.
    """
    if serialization_format not in SERIALIZATION_FORMATS:
        raise InvalidArgumentError(
            f"serialization_format {serialization_format!r} is not supported; "
            f"expected one of {SERIALIZATION_FORMATS}"
        )
    if pyfunc_predict_fn not in PREDICT_FNS or not hasattr(sk_model, pyfunc_predict_fn):
        raise InvalidArgumentError(
            f"pyfunc_predict_fn {pyfunc_predict_fn!r} is not a method of "
            f"{type(sk_model).__name__}; expected one of {PREDICT_FNS} that the model has"
        )
    opts = PackageOptions(
        signature=signature,
        input_example=input_example,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )
    file_name = "model.skops" if serialization_format == "skops" else "model.pkl"
    with staged_package(path) as folder:
        file = folder / file_name
        _serialize(sk_model, file, serialization_format, skops_trusted_types)
        code = copy_code_paths(folder, code_paths)
        meta = MLModel()
        meta.add_flavor(
            PYFUNC,
            loader_module="mlflow.sklearn",
            model_path=file_name,
            predict_fn=pyfunc_predict_fn,
            **({"code": code} if code else {}),
        )
        meta.add_flavor(
            FLAVOR_NAME,
            pickled_model=file_name,
            sklearn_version=_sklearn_version(),
            serialization_format=serialization_format,
            code=code,
            skops_trusted_types=list(skops_trusted_types) if skops_trusted_types else None,
        )
        base = ["scikit-learn", "cloudpickle" if serialization_format == "cloudpickle" else ""]
        if serialization_format == "skops":
            base.append("skops")
        return finish_package(
            folder,
            meta,
            opts,
            serialized=[file],
            base_requirements=[b for b in base if b],
            predict=getattr(sk_model, pyfunc_predict_fn),
        )


def _sklearn_version() -> str:
    import sklearn  # the flavor's own framework; imported here to keep `import lakehouse` fast

    return str(sklearn.__version__)


def _load_file(file: Path, fmt: str, trusted: Sequence[str] | None) -> Any:
    if fmt == "skops":
        try:
            import skops.io  # optional dependency, needed only for skops packages
        except ImportError:
            raise InvalidModelError(
                f"the model at {file} was saved with skops; install it: pip install skops"
            ) from None
        try:
            return skops.io.load(file, trusted=list(trusted or []) or None)
        except Exception as exc:  # skops raises UntrustedTypesFoundException (no public base)
            if "Untrusted types" not in str(exc):
                raise
            raise InvalidModelError(
                f"the skops model at {file} holds types outside its trusted list: {exc}. "
                "If you trust the package, re-save it with skops_trusted_types=[...]."
            ) from None
    if fmt in ("cloudpickle", "pickle"):
        with file.open("rb") as handle:
            return cloudpickle.load(handle) if fmt == "cloudpickle" else pickle.load(handle)
    raise InvalidModelError(
        f"the model at {file} uses serialization format {fmt!r}; expected one of "
        f"{SERIALIZATION_FORMATS}"
    )


def load_model(path: str) -> Any:
    """The estimator stored in the package folder ``path``."""
    meta = MLModel.load(path)
    conf = meta.flavors.get(FLAVOR_NAME)
    if conf is None:
        raise InvalidModelError(
            f"the model at {path} has no '{FLAVOR_NAME}' flavor (it has {sorted(meta.flavors)}); "
            "load it with lh.pyfunc.load_model"
        )
    return _load_file(
        Path(path) / conf["pickled_model"],
        conf.get("serialization_format", "cloudpickle"),
        conf.get("skops_trusted_types"),
    )


class SklearnPyfunc:
    """The pyfunc face of an estimator: ``predict`` calls the configured method."""

    def __init__(self, model: Any, predict_fn: str) -> None:
        self.sklearn_model = model
        self.predict_fn = predict_fn

    def predict(self, data: Any, params: Mapping[str, Any] | None = None) -> Any:
        """Call the estimator's ``predict_fn`` on ``data`` (params are not used by sklearn)."""
        return getattr(self.sklearn_model, self.predict_fn)(data)

    def get_raw_model(self) -> Any:
        """The estimator."""
        return self.sklearn_model


def _load_pyfunc(path: str, model_config: dict[str, Any] | None = None) -> SklearnPyfunc:
    """Load the package at ``path`` as a pyfunc model (MLflow's loader-module entry point)."""
    meta = MLModel.load(path)
    predict_fn = meta.flavors.get(PYFUNC, {}).get("predict_fn", "predict")
    return SklearnPyfunc(load_model(path), predict_fn)
