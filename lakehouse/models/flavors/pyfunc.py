"""The custom-Python flavor: a :class:`PythonModel` plus its artifacts and code.

Saved in MLflow's ``python_function`` layout (``python_model.pkl`` by cloudpickle,
``artifacts/``, ``code/``, loader ``mlflow.pyfunc.model``), so ``mlflow.pyfunc``
loads our packages and we load theirs. Any object with
``predict(context, model_input, params=None)`` works as the model, including
subclasses of ``mlflow.pyfunc.PythonModel``. Example::

    class Churn(PythonModel):
        def load_context(self, context):
            self.model = joblib.load(context.artifacts["model"])
        def predict(self, context, model_input, params=None):
            return self.model.predict_proba(model_input)[:, 1]

    save_model("/tmp/churn", python_model=Churn(), artifacts={"model": "model.joblib"})
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cloudpickle

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError, InvalidModelError
from lakehouse.models.mlmodel import PYFUNC, MLModel
from lakehouse.models.package import (
    PackageOptions,
    copy_code_paths,
    finish_package,
    staged_package,
)
from lakehouse.models.signature import ModelSignature
from lakehouse.store import files

__all__ = [
    "FLAVOR_NAME",
    "PythonModel",
    "PythonModelContext",
    "infer_code_paths",
    "load_model",
    "save_model",
]

FLAVOR_NAME = PYFUNC
_MODEL_FILE = "python_model.pkl"


@dataclass(frozen=True, slots=True)
class PythonModelContext:
    """What ``load_context`` and ``predict`` get: artifact names -> local file paths."""

    artifacts: dict[str, str] = field(default_factory=dict)
    model_config: dict[str, Any] = field(default_factory=dict)


class PythonModel:
    """Base class for custom models (the same contract as ``mlflow.pyfunc.PythonModel``)."""

    def load_context(self, context: PythonModelContext) -> None:
        """Load artifacts (``context.artifacts[name]`` is a local path); called once at load."""

    def predict(
        self, context: PythonModelContext, model_input: Any, params: dict[str, Any] | None = None
    ) -> Any:
        """Return predictions for ``model_input`` (a pandas DataFrame after enforcement)."""
        raise NotImplementedError("subclasses of PythonModel implement predict")

    @property
    def predict_type_hints(self) -> SimpleNamespace:
        """No type hints: read by ``mlflow.pyfunc`` when MLflow loads this model."""
        return SimpleNamespace(input=None, output=None)


def _copy_artifacts(folder: Path, artifacts: Mapping[str, str] | None) -> dict[str, Any]:
    """Copy each artifact (a local path or a storage URI) into ``artifacts/``.

    ``runs:/`` and ``models:/`` URIs are resolved to storage URIs a layer up (the
    ``lh.pyfunc`` face), since this layer knows no runs or registry.
    """
    conf: dict[str, Any] = {}
    if not artifacts:
        return conf
    for name, location in artifacts.items():
        uri = paths.to_uri(str(location))
        if not files.exists(uri):
            raise InvalidArgumentError(
                f"artifact {name!r} points to {location}, which does not exist; artifacts "
                "maps names to existing files or folders (local paths, storage URIs, "
                "runs:/<run_id>/<path> or models:/<name>/<version>) copied into the package"
            )
        base = uri.rstrip("/").rsplit("/", 1)[-1]
        relative = f"artifacts/{base}"
        if any(c["path"] == relative for c in conf.values()):
            relative = f"artifacts/{name}/{base}"
        files.copy_tree(uri, str(folder / relative))
        conf[name] = {"path": relative, "uri": str(location)}
    return conf


def infer_code_paths(python_model: Any) -> list[str]:
    """Local source the model's classes come from, to package as ``code_paths``.

    The modules defining the model's class and its bases, and the modules they import,
    when they live outside the Python installation (site-packages, the standard library)
    and are not lakehouse itself: a file module as its file, a package as its top folder.
    Classes defined in ``__main__`` are pickled by value and need no code path.
    """
    skip = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    lakehouse_root = Path(paths.__file__).resolve().parent
    found: dict[str, None] = {}
    modules = [sys.modules.get(c.__module__) for c in type(python_model).__mro__]
    for module in [m for m in modules if m is not None and m.__name__ != "__main__"]:
        imported = [v for v in vars(module).values() if inspect.ismodule(v)]
        for candidate in (module, *imported):
            source = _local_source(candidate, skip, lakehouse_root)
            if source:
                found.setdefault(source)
    return list(found)


def _local_source(module: Any, skip: set[Path], lakehouse_root: Path) -> str | None:
    file = getattr(module, "__file__", None)
    if not file or module.__name__ == "__main__":
        return None
    path = Path(file).resolve()
    if any(root in path.parents for root in skip) or lakehouse_root in (path, *path.parents):
        return None
    top = module.__name__.split(".", 1)[0]
    if top == module.__name__ and path.name != "__init__.py":
        return str(path)  # a plain module file
    folder = path.parent  # the module's own package folder
    for _ in range(module.__name__.count(".") - (path.name != "__init__.py")):
        folder = folder.parent
    return str(folder if folder.name == top else path)


def _check_model(python_model: Any) -> None:
    predict = getattr(python_model, "predict", None)
    if not callable(predict):
        raise InvalidArgumentError(
            f"python_model of type {type(python_model).__name__} has no predict method; "
            "pass a PythonModel with predict(context, model_input, params=None)"
        )


def save_model(
    path: str | Path,
    python_model: Any = None,
    *,
    artifacts: Mapping[str, str] | None = None,
    code_paths: Sequence[str] | None = None,
    infer_code_paths: bool = False,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> MLModel:
    """Save a custom model, its artifacts and code as a package at ``path``.

    Parameters follow ``mlflow.pyfunc.save_model``. ``artifacts`` (name -> local path)
    are copied into ``artifacts/`` and given to ``load_context`` as
    ``context.artifacts[name]``; ``code_paths`` are copied into ``code/`` and put on
    ``sys.path`` before the model is unpickled. ``infer_code_paths=True`` adds the local
    modules the model's classes come from (see :func:`infer_code_paths`).
    """
    _check_model(python_model)
    if infer_code_paths:
        code_paths = [*(code_paths or []), *infer_code_paths_of(python_model)]
    opts = PackageOptions(
        signature=signature,
        input_example=input_example,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )
    with staged_package(path) as folder:
        artifact_conf = _copy_artifacts(folder, artifacts)
        try:
            (folder / _MODEL_FILE).write_bytes(cloudpickle.dumps(python_model))
        except Exception as exc:
            raise InvalidArgumentError(
                f"cannot serialize the {type(python_model).__name__} model with cloudpickle: "
                f"{exc}. Keep unpicklable things (open files, locks, connections, Spark "
                "sessions) out of the model's attributes: load them in load_context."
            ) from None
        code = copy_code_paths(folder, code_paths)
        meta = MLModel()
        meta.add_flavor(
            PYFUNC,
            loader_module="mlflow.pyfunc.model",
            python_model=_MODEL_FILE,
            cloudpickle_version=cloudpickle.__version__,
            code=code,
            streamable=False,
            **({"artifacts": artifact_conf} if artifact_conf else {}),
        )
        serialized = [folder / _MODEL_FILE]
        serialized += [folder / c["path"] for c in artifact_conf.values()]
        predictor = (
            _loaded(python_model, folder, artifact_conf) if input_example is not None else None
        )
        return finish_package(
            folder,
            meta,
            opts,
            serialized=[f for f in serialized if f.is_file()],
            base_requirements=["cloudpickle"],
            predict=predictor.predict if predictor else None,
        )


def _loaded(python_model: Any, folder: Path, artifact_conf: dict[str, Any]) -> PythonModelPyfunc:
    artifacts = {name: str(folder / c["path"]) for name, c in artifact_conf.items()}
    context = PythonModelContext(artifacts=artifacts)
    model = cloudpickle.loads(cloudpickle.dumps(python_model))
    model.load_context(context)
    return PythonModelPyfunc(model, context)


class PythonModelPyfunc:
    """Calls a PythonModel's ``predict`` with its context, as MLflow does."""

    def __init__(self, python_model: Any, context: PythonModelContext) -> None:
        self.python_model = python_model
        self.context = context
        parameters = inspect.signature(python_model.predict).parameters
        self._takes_params = "params" in parameters
        self._takes_context = "context" in parameters or len(parameters) >= 2 + int(
            self._takes_params
        )

    def predict(self, data: Any, params: Mapping[str, Any] | None = None) -> Any:
        """Run the model's ``predict`` on ``data``."""
        kwargs = {"params": dict(params) if params is not None else None}
        if not self._takes_params:
            kwargs = {}
        if self._takes_context:
            return self.python_model.predict(self.context, data, **kwargs)
        return self.python_model.predict(data, **kwargs)


def _add_code_path(path: str, conf: Mapping[str, Any]) -> None:
    if conf.get("code"):
        code = str(Path(path) / conf["code"])
        if code not in sys.path:
            sys.path.insert(0, code)


def _load_pyfunc(path: str, model_config: dict[str, Any] | None = None) -> PythonModelPyfunc:
    """Unpickle the model, give it its artifacts through ``load_context``, wrap it."""
    conf = MLModel.load(path).flavors.get(PYFUNC) or {}
    if "python_model" not in conf:
        raise InvalidModelError(
            f"the model at {path} is a python_function package without a 'python_model' "
            "file (MLflow models-from-code packages are not supported); re-save it with "
            "python_model=<PythonModel instance>"
        )
    _add_code_path(path, conf)
    with (Path(path) / conf["python_model"]).open("rb") as handle:
        python_model = cloudpickle.load(handle)
    artifacts = {
        name: str(Path(path) / info["path"]) for name, info in conf.get("artifacts", {}).items()
    }
    context = PythonModelContext(artifacts=artifacts, model_config=dict(model_config or {}))
    python_model.load_context(context)
    return PythonModelPyfunc(python_model, context)


def load_model(path: str) -> Any:
    """The PythonModel stored in the package folder ``path``, with its context loaded."""
    return _load_pyfunc(path).python_model


# save_model's parameter shadows the function inside it (MLflow's parameter name).
infer_code_paths_of = infer_code_paths
