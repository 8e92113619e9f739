"""Writing a model package safely: stage in a temp folder, then move it into place.

Every flavor's ``save_model`` writes through :func:`staged_package`: the files go to
a hidden temp folder next to the target (or a local temp folder for an object-store
target) and are moved to the target only when everything succeeded, so an error
never leaves a half-written package behind. :func:`finish_package` writes what every
flavor shares: signature, input example, environment files and the ``MLmodel`` file.
"""

from __future__ import annotations

import contextlib
import contextvars
import platform
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse import paths
from lakehouse.errors import AlreadyExistsError, InvalidArgumentError, SchemaMismatchError
from lakehouse.models.enforcement import enforce_schema
from lakehouse.models.environment import infer_requirements, write_environment
from lakehouse.models.mlmodel import PYFUNC, MLModel, example_frame, save_input_example
from lakehouse.models.signature import ModelSignature, infer_signature
from lakehouse.store import files

__all__ = [
    "PackageOptions",
    "copy_code_paths",
    "finish_package",
    "package_origin",
    "staged_package",
]

_ORIGIN: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "lakehouse_model_origin", default=None
)


@contextlib.contextmanager
def package_origin(run_id: str, artifact_path: str) -> Iterator[None]:
    """Packages saved inside this block record ``run_id`` and ``artifact_path`` (log_model)."""
    token = _ORIGIN.set((run_id, artifact_path))
    try:
        yield
    finally:
        _ORIGIN.reset(token)


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageOptions:
    """What every flavor's ``save_model`` accepts besides the model (MLflow's names)."""

    signature: ModelSignature | None = None
    input_example: Any = None
    code_paths: Sequence[str] | None = None
    pip_requirements: Sequence[str] | None = None
    extra_pip_requirements: Sequence[str] | None = None
    metadata: Mapping[str, Any] | None = None


def _check_target(uri: str) -> None:
    if files.is_file(uri):
        raise AlreadyExistsError(f"cannot save a model to {uri}: a file is there")
    if files.list_children(uri):
        raise AlreadyExistsError(
            f"cannot save a model to {uri}: the folder exists and is not empty. "
            "Choose a new path or delete the old package first."
        )


@contextlib.contextmanager
def staged_package(target: str | Path) -> Iterator[Path]:
    """Yield an empty local folder; move it to ``target`` on success, delete it on error."""
    uri = paths.to_uri(target)
    _check_target(uri)
    if paths.is_local(uri):
        final = Path(paths.to_local_path(uri))
        # Next to the target: the final move is a rename on the same filesystem.
        stage = final.parent / f".{final.name}.{uuid.uuid4().hex[:12]}.tmp"
        files.make_dirs(stage)
    else:
        stage = Path(tempfile.mkdtemp(prefix="lakehouse-model-"))
    try:
        yield stage
        if paths.is_local(uri):
            files.remove(final)  # an empty folder (checked above): the rename needs it gone
            files.move(stage, final)
        else:
            files.copy_tree(stage, uri)
    finally:
        files.remove(stage)


def copy_code_paths(folder: Path, code_paths: Sequence[str] | None) -> str | None:
    """Copy files and folders into ``<folder>/code``; returns ``"code"`` (or ``None``)."""
    if not code_paths:
        return None
    dest = folder / "code"
    files.make_dirs(dest)
    for item in code_paths:
        src = Path(paths.to_local_path(paths.to_uri(item)))
        if files.exists(src):
            files.copy_tree(src, dest / src.name)
        else:
            raise InvalidArgumentError(
                f"code path {item!r} does not exist; code_paths takes existing Python files "
                "or folders to copy into the package"
            )
    return "code"


def _signature_for(
    opts: PackageOptions, example: Any, predict: Callable[[Any], Any] | None
) -> ModelSignature | None:
    signature = opts.signature
    if signature is not None and example is not None and signature.inputs is not None:
        try:
            enforce_schema(example, signature.inputs)
        except SchemaMismatchError as exc:
            raise InvalidArgumentError(
                f"the input_example does not match the signature: {exc}. Pass an example "
                "with the signature's columns and types, or infer the signature from it."
            ) from None
    if signature is None and example is not None:
        output = None
        if predict is not None:
            with contextlib.suppress(Exception):  # outputs are optional; inputs are enough
                output = predict(example)
        try:
            signature = infer_signature(example, output)
        except InvalidArgumentError:
            signature = infer_signature(example)
    return signature


def finish_package(
    folder: Path,
    meta: MLModel,
    opts: PackageOptions,
    *,
    serialized: Sequence[Path],
    base_requirements: Sequence[str],
    predict: Callable[[Any], Any] | None = None,
) -> MLModel:
    """Signature, input example, environment and ``MLmodel`` for a staged package."""
    example = example_frame(opts.input_example) if opts.input_example is not None else None
    meta.signature = _signature_for(opts, example, predict)
    if example is not None:
        meta.saved_input_example_info = save_input_example(folder, example)
    inferred = infer_requirements(serialized, base_requirements)
    write_environment(
        folder,
        inferred,
        pip_requirements=opts.pip_requirements,
        extra_pip_requirements=opts.extra_pip_requirements,
    )
    pyfunc = meta.flavors.get(PYFUNC)
    if pyfunc is not None:
        pyfunc.setdefault("python_version", platform.python_version())
        pyfunc["env"] = {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
    origin = _ORIGIN.get()
    if origin is not None:
        meta.run_id, meta.artifact_path = origin
    if opts.metadata:
        meta.extra["metadata"] = dict(opts.metadata)
    meta.extra["model_size_bytes"] = files.tree_size(folder)
    meta.save(folder)
    return meta
