"""Aliases with history and rollback, legacy stages, and models:/ URIs."""

from __future__ import annotations

import pytest

import lakehouse as lh
from lakehouse.errors import InvalidArgumentError, InvalidStateError, NotFoundError
from lakehouse.registry import RegistryClient, Stage

NAME = "main.ml.churn"


@pytest.fixture
def three(home: str, make_package) -> RegistryClient:  # type: ignore[no-untyped-def]
    for marker in "abc":
        lh.register_model(str(make_package(marker)), NAME)
    return RegistryClient()


def test_lifecycle_challenger_champion_rollback(three: RegistryClient) -> None:
    client = three
    client.set_registered_model_alias(NAME, "champion", 1)
    client.set_registered_model_alias(NAME, "challenger", 2)
    assert client.get_model_version_by_alias(NAME, "challenger").aliases == ["challenger"]
    # The challenger passed validation: promote it.
    client.set_registered_model_alias(NAME, "champion", 2)
    client.delete_registered_model_alias(NAME, "challenger")
    assert client.get_registered_model(NAME).aliases == {"champion": 2}
    assert client.resolve_model_uri(f"models:/{NAME}@champion").endswith("/models/main/ml/churn/2")
    # It misbehaves in production: one call puts the previous champion back.
    assert lh.rollback_alias(NAME, "champion").version == 1
    assert client.get_model_version(NAME, 1).aliases == ["champion"]
    moves = client.alias_history(NAME, "champion")
    assert [(m.sequence, m.action, m.from_version, m.to_version) for m in moves] == [
        (1, "set", None, 1),
        (2, "set", 1, 2),
        (3, "rollback", 2, 1),
    ]
    assert all(m.user_id and m.timestamp > 0 for m in moves)
    assert [m.alias for m in client.alias_history(NAME)] == ["challenger"] * 2 + ["champion"] * 3
    # Rolling back the rollback returns to where it was.
    assert client.rollback_alias(NAME, "champion").version == 2


def test_rollback_refusals(three: RegistryClient) -> None:
    client = three
    with pytest.raises(NotFoundError, match="alias 'champion' is not set on model main.ml.churn"):
        client.rollback_alias(NAME, "champion")
    client.set_registered_model_alias(NAME, "champion", 3)
    with pytest.raises(InvalidStateError, match="pointed to no version before its last move"):
        client.rollback_alias(NAME, "champion")
    client.set_registered_model_alias(NAME, "champion", 2)
    client.delete_model_version(NAME, 3)
    with pytest.raises(NotFoundError, match="version 3 of model main.ml.churn was deleted"):
        client.rollback_alias(NAME, "champion")
    assert client.get_model_version_by_alias(NAME, "champion").version == 2


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("latest", "'latest' alias name (case insensitive) is reserved"),
        ("LaTeSt", "'latest' alias name (case insensitive) is reserved"),
        ("v3", "Version alias name 'v3' is reserved"),
        ("V12", "Version alias name 'V12' is reserved"),
        ("a b", "Invalid alias name: 'a b'. Names may only contain alphanumerics"),
        ("", "Registered model alias name cannot be empty."),
    ],
)
def test_reserved_and_bad_aliases(three: RegistryClient, alias: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        three.set_registered_model_alias(NAME, alias, 1)


def test_stages(three: RegistryClient) -> None:
    client = three
    assert (
        client.transition_model_version_stage(NAME, 1, "production").current_stage == "Production"
    )
    client.transition_model_version_stage(NAME, 2, "STAGING")
    client.transition_model_version_stage(NAME, 3, "Production", archive_existing_versions=True)
    stages = {v.version: v.current_stage for v in client.search_model_versions(f"name='{NAME}'")}
    assert stages == {1: Stage.ARCHIVED, 2: Stage.STAGING, 3: Stage.PRODUCTION}
    latest = client.get_latest_versions(NAME, stages=["production", "Staging"])
    assert [(v.version, v.current_stage) for v in latest] == [(2, "Staging"), (3, "Production")]
    assert client.resolve_model_uri(f"models:/{NAME}/Production").endswith("/churn/3")
    assert client.resolve_model_uri(f"models:/{NAME}/staging").endswith("/churn/2")
    with pytest.raises(NotFoundError, match="has no READY version in stage None"):
        client.resolve_model_uri(f"models:/{NAME}/None")
    with pytest.raises(
        InvalidArgumentError,
        match=r"Invalid Model Version stage: Prod\. Value must be one of None, Staging, "
        r"Production, Archived\.",
    ):
        client.transition_model_version_stage(NAME, 1, "Prod")


def test_models_uris(three: RegistryClient) -> None:
    client = three
    client.set_registered_model_alias(NAME, "champion", 2)
    assert client.resolve_model_uri(f"models:/{NAME}/1").endswith("/models/main/ml/churn/1")
    assert client.resolve_model_uri(f"models:/{NAME}/latest").endswith("/churn/3")
    assert client.resolve_model_uri(f"models:/{NAME}@champion").endswith("/churn/2")
    assert client.get_model_version_download_uri(NAME, 2).endswith("/churn/2")
    # A version registered from a models:/ URI is a copy with the same run.
    copied = client.create_model_version(NAME, f"models:/{NAME}@champion")
    assert copied.version == 4 and copied.source == f"models:/{NAME}@champion"
    for bad, message in [
        (f"models:/{NAME}", "names no version, alias, stage or 'latest'"),
        (f"models:/{NAME}/first", "'first' is not a version number, a stage or 'latest'"),
        ("models:/my churn/1", "invalid name 'my churn'"),
        (f"models:/{NAME}@", "the alias after '@' is empty"),
    ]:
        with pytest.raises((InvalidArgumentError, ValueError), match=message):
            client.resolve_model_uri(bad)


def test_tags_and_search(three: RegistryClient, make_package) -> None:  # type: ignore[no-untyped-def]
    client = three
    lh.register_model(str(make_package("x")), "main.cv.resnet")
    client.set_registered_model_tag(NAME, "team", "growth")
    client.set_registered_model_tag("main.cv.resnet", "team", "vision")
    client.set_model_version_tag(NAME, 2, "validated", "true")
    names = lambda found: [m.name for m in found]  # noqa: E731
    assert names(client.search_registered_models()) == ["main.cv.resnet", NAME]
    assert names(client.search_registered_models("name = 'main.ml.churn'")) == [NAME]
    assert names(client.search_registered_models("name LIKE 'main.ml.%'")) == [NAME]
    assert names(client.search_registered_models("name ILIKE '%RESNET'")) == ["main.cv.resnet"]
    assert names(client.search_registered_models("name IN ('main.cv.resnet', 'x.y.z')")) == [
        "main.cv.resnet"
    ]
    assert names(client.search_registered_models("tags.team = 'growth'")) == [NAME]
    assert names(client.search_registered_models(order_by=["name DESC"])) == [
        NAME,
        "main.cv.resnet",
    ]
    versions = client.search_model_versions(f"name = '{NAME}' AND tags.validated = 'true'")
    assert [v.version for v in versions] == [2] and versions[0].tags == {"validated": "true"}
    assert [v.version for v in client.search_model_versions("version_number = 3")] == [3]
    assert len(client.search_model_versions("source_path LIKE '%/packages/%'")) == 4
    client.delete_model_version_tag(NAME, 2, "validated")
    client.delete_registered_model_tag(NAME, "team")
    assert client.get_model_version(NAME, 2).tags == {}
    assert client.get_registered_model(NAME).tags == {}
    with pytest.raises(InvalidArgumentError, match="unknown identifier 'owner'"):
        client.search_registered_models("owner = 'me'")
    with pytest.raises(InvalidArgumentError, match="unexpected character '~'"):
        client.search_model_versions("name ~ 'x'")
