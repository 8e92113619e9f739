"""Bad input: each call fails with a clear error and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import lakehouse as lh
from lakehouse import paths
from lakehouse.errors import (
    InvalidArgumentError,
    InvalidNameError,
    LakehouseError,
    NotFoundError,
    ReservedNameError,
)
from lakehouse.registry import RegistryClient
from lakehouse.registry.store import RegistryStore

NAME = "main.ml.churn"


def _state(home: str) -> tuple[dict[str, int], list[str]]:
    """Every registry table's Delta version, and every file under models/."""
    tables = {n: t.version() for n, t in RegistryStore().all_tables().items()}
    root = Path(paths.to_local_path(home)) / "models"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []
    return tables, files


@pytest.fixture
def registered(home: str, make_package) -> RegistryClient:  # type: ignore[no-untyped-def]
    lh.register_model(str(make_package("a")), NAME)
    lh.register_model(str(make_package("b")), NAME)
    client = RegistryClient()
    client.set_registered_model_alias(NAME, "champion", 1)
    return client


CASES: list[tuple[str, Callable[[RegistryClient, Any], object], type[Exception], str]] = [
    (
        "unknown model",
        lambda c, p: c.get_registered_model("main.ml.nope"),
        NotFoundError,
        "registered model main.ml.nope does not exist",
    ),
    (
        "version of an unknown model",
        lambda c, p: c.set_registered_model_alias("main.ml.nope", "champion", 1),
        NotFoundError,
        "registered model main.ml.nope does not exist",
    ),
    (
        "unknown version",
        lambda c, p: c.get_model_version(NAME, 7),
        NotFoundError,
        "version 7 of model main.ml.churn does not exist",
    ),
    (
        "alias on a version that does not exist",
        lambda c, p: c.set_registered_model_alias(NAME, "champion", 9),
        NotFoundError,
        "version 9 of model main.ml.churn does not exist",
    ),
    (
        "unknown alias",
        lambda c, p: c.get_model_version_by_alias(NAME, "shadow"),
        NotFoundError,
        "alias 'shadow' is not set on model main.ml.churn",
    ),
    (
        "delete an unset alias",
        lambda c, p: c.delete_registered_model_alias(NAME, "shadow"),
        NotFoundError,
        "alias 'shadow' is not set",
    ),
    (
        "unknown alias in a URI",
        lambda c, p: c.resolve_model_uri(f"models:/{NAME}@shadow"),
        NotFoundError,
        "alias 'shadow' is not set",
    ),
    (
        "reserved alias",
        lambda c, p: c.set_registered_model_alias(NAME, "latest", 1),
        InvalidArgumentError,
        "'latest' alias name (case insensitive) is reserved",
    ),
    (
        "version alias",
        lambda c, p: c.set_registered_model_alias(NAME, "v1", 1),
        InvalidArgumentError,
        "Version alias name 'v1' is reserved",
    ),
    (
        "name with a space",
        lambda c, p: lh.register_model(str(p("c")), "ml.my churn"),
        InvalidNameError,
        "invalid name 'ml.my churn': part 'my churn' holds ' ' (write 'my_churn')",
    ),
    (
        "name of four parts",
        lambda c, p: c.create_registered_model("a.b.c.d"),
        InvalidNameError,
        "it has 4 part(s), not 3",
    ),
    (
        "system catalog",
        lambda c, p: lh.register_model(str(p("c")), "system.ml.churn"),
        ReservedNameError,
        "the 'system' catalog is reserved",
    ),
    (
        "folder without MLmodel",
        lambda c, p: lh.register_model(str(p("c").parent), NAME),
        NotFoundError,
        "does not resolve to a model package: no MLmodel file",
    ),
    (
        "missing path",
        lambda c, p: lh.register_model("/no/such/model", "main.ml.other"),
        NotFoundError,
        "model URI '/no/such/model' does not resolve to a model package",
    ),
    (
        "runs:/ URI of an unknown run",
        lambda c, p: lh.register_model("runs:/deadbeef/model", NAME),
        NotFoundError,
        "run 'deadbeef' does not exist",
    ),
    (
        "models:/ URI of a missing version",
        lambda c, p: lh.register_model(f"models:/{NAME}/5", "main.ml.other"),
        NotFoundError,
        "version 5 of model main.ml.churn does not exist",
    ),
    (
        "bad version number",
        lambda c, p: c.get_model_version(NAME, "one"),
        InvalidArgumentError,
        "invalid model version 'one': expected a positive whole number",
    ),
    (
        "bad stage",
        lambda c, p: c.transition_model_version_stage(NAME, 1, "prod"),
        InvalidArgumentError,
        "Invalid Model Version stage: prod. Value must be one of None, Staging, Production",
    ),
    (
        "rollback with no earlier version",
        lambda c, p: c.rollback_alias(NAME, "champion"),
        LakehouseError,
        "pointed to no version before its last move",
    ),
]


@pytest.mark.parametrize(("what", "call", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_changes_nothing(
    registered: RegistryClient,
    home: str,
    make_package: Callable[[str], Path],
    what: str,
    call: Callable[[RegistryClient, Any], object],
    error: type[Exception],
    message: str,
) -> None:
    make_package("c")  # packages live outside the root; create before the snapshot
    before = _state(home)
    with pytest.raises(error) as info:
        call(registered, make_package)
    assert message in str(info.value)
    assert _state(home) == before
    assert registered.get_model_version_by_alias(NAME, "champion").version == 1
