"""The one model-URI resolver: every form, the pinned version, one error per mistake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import lakehouse as lh
from lakehouse.errors import InvalidArgumentError, InvalidNameError, LakehouseError, NotFoundError
from lakehouse.registry import RegistryClient
from lakehouse.registry.uris import ResolvedModelUri, resolve_model_uri

NAME = "main.ml.churn"


@pytest.fixture
def two(home: str, make_package) -> RegistryClient:  # type: ignore[no-untyped-def]
    """Versions 1 and 2 of NAME; 1 is champion and in Production."""
    client = RegistryClient()
    for marker in "ab":
        lh.register_model(str(make_package(marker)), NAME)
    client.set_registered_model_alias(NAME, "champion", 1)
    client.transition_model_version_stage(NAME, 1, "Production")
    return client


def test_models_uris_resolve_with_the_version_to_pin(two: RegistryClient) -> None:
    found = resolve_model_uri(f"models:/{NAME}@champion")
    assert (found.name, found.version, found.alias, found.immutable) == (NAME, 1, "champion", True)
    assert found.location.endswith("/models/main/ml/churn/1")
    assert found.pinned_uri == f"models:/{NAME}/1"
    assert found.uri == f"models:/{NAME}@champion"
    for uri, version in [
        (f"models:/{NAME}/2", 2),
        (f"models:/{NAME}/latest", 2),
        (f"models:/{NAME}/production", 1),
        (f"models:/{NAME}/None", 2),
    ]:
        resolved = resolve_model_uri(uri)
        assert (resolved.name, resolved.version, resolved.alias) == (NAME, version, None), uri
    # Resolved at call time: moving the alias changes the answer of the next call.
    two.set_registered_model_alias(NAME, "champion", 2)
    assert resolve_model_uri(f"models:/{NAME}@champion").version == 2


def test_runs_uris_paths_and_storage_uris(home: str, tmp_path: Path) -> None:
    with lh.start_run() as run:
        lh.log_text("x", "model/MLmodel")
    found = resolve_model_uri(f"runs:/{run.info.run_id}/model")
    assert found.run_id == run.info.run_id and found.immutable
    assert found.location.startswith("file://") and found.location.endswith("/model")
    assert (found.name, found.version, found.pinned_uri) == (None, None, found.uri)
    local = resolve_model_uri(tmp_path / "pkg")
    assert local == ResolvedModelUri(
        uri=str(tmp_path / "pkg"), location=(tmp_path / "pkg").as_uri(), immutable=False
    )
    assert resolve_model_uri("s3://bucket/pkg").location == "s3://bucket/pkg"


Caller = Callable[[str], object]
CALLERS: dict[str, Caller] = {
    "resolver": resolve_model_uri,
    "client": lambda uri: RegistryClient().resolve_model_uri(uri),
    "pyfunc.load_model": lambda uri: lh.pyfunc.load_model(uri),
    "sklearn.load_model": lambda uri: lh.sklearn.load_model(uri),
    "register": lambda uri: lh.register_model(uri, "main.ml.other"),
}

MISTAKES = [
    ("", InvalidArgumentError, "model URI is empty"),
    ("runs:/", InvalidArgumentError, "must name a run and an artifact path"),
    ("runs:/abc", InvalidArgumentError, "must name a run and an artifact path"),
    ("runs:/deadbeef/model", NotFoundError, "run 'deadbeef' does not exist"),
    (f"models:/{NAME}", InvalidArgumentError, "names no version, alias, stage or 'latest'"),
    (f"models:/{NAME}/first", InvalidArgumentError, "'first' is not a version number"),
    (f"models:/{NAME}@", InvalidArgumentError, "the alias after '@' is empty"),
    ("models:/churn/1", NotFoundError, "registered model main.default.churn does not"),
    ("models:/my churn/1", InvalidNameError, "invalid name 'my churn'"),
    ("models:/main.ml.nobody/1", NotFoundError, "registered model main.ml.nobody does not"),
    (f"models:/{NAME}/9", NotFoundError, "version 9 of model main.ml.churn does not exist"),
    (f"models:/{NAME}@shadow", NotFoundError, "alias 'shadow' is not set on model"),
    (f"models:/{NAME}/Staging", NotFoundError, "has no READY version in stage Staging"),
    ("ftp://host/model", InvalidArgumentError, "scheme 'ftp'"),
]


@pytest.mark.parametrize(("uri", "error", "message"), MISTAKES)
def test_one_error_per_mistake_whichever_caller(
    two: RegistryClient, uri: str, error: type[LakehouseError], message: str
) -> None:
    raised = {}
    for caller_name, call in CALLERS.items():
        with pytest.raises(error, match=message) as info:
            call(uri)
        raised[caller_name] = (type(info.value), str(info.value))
    assert len(set(raised.values())) == 1, raised
