"""Registering versions: numbering, the immutable copy, status, download URIs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import lakehouse as lh
from lakehouse import paths
from lakehouse.errors import AlreadyExistsError, InvalidStateError, NotFoundError
from lakehouse.registry import ModelVersionStatus, RegistryClient
from lakehouse.registry.store import RegistryStore


def _local(uri: str) -> Path:
    return Path(paths.to_local_path(uri))


def test_register_creates_model_and_numbers_versions(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    first = lh.register_model(str(make_package("a")), "main.ml.churn", description="first")
    second = lh.register_model(make_package("b").as_uri(), "main.ml.churn")
    assert (first.version, second.version) == (1, 2)
    assert first.status == ModelVersionStatus.READY and first.description == "first"
    assert first.storage_location == f"{home}/models/main/ml/churn/1"
    assert (_local(second.storage_location) / "model.pkl").read_text() == "b"
    assert (_local(second.storage_location) / "sub" / "extra.txt").read_text() == "extra"
    client = RegistryClient()
    model = client.get_registered_model("main.ml.churn")
    assert model.name == "main.ml.churn" and [v.version for v in model.latest_versions] == [2]
    assert client.get_model_version("main.ml.churn", "1").source == str(make_package("a"))
    # The registry owns its copy: the source can go, the version stays.
    (make_package("a") / "model.pkl").unlink()
    assert (_local(first.storage_location) / "model.pkl").read_text() == "a"
    # Nothing left in staging.
    staging = _local(f"{home}/models/main/ml/churn/.staging")
    assert not staging.exists() or list(staging.iterdir()) == []


def test_version_files_are_read_only(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    mv = lh.register_model(str(make_package("a")), "main.ml.churn")
    copied = _local(mv.storage_location) / "model.pkl"
    assert not os.access(copied, os.W_OK) or os.geteuid() == 0
    assert copied.stat().st_mode & 0o222 == 0
    # Nothing in the API rewrites a version's files: an update only touches metadata.
    RegistryClient().update_model_version("main.ml.churn", 1, description="new words")
    assert copied.read_text() == "a"
    assert RegistryClient().get_model_version("main.ml.churn", 1).description == "new words"


def test_create_registered_model_twice_is_refused(home: str) -> None:
    client = RegistryClient()
    client.create_registered_model("main.ml.churn", tags={"team": "growth"}, description="d")
    with pytest.raises(
        AlreadyExistsError, match=r"registered model main\.ml\.churn already exists"
    ):
        client.create_registered_model("main.ml.churn")
    model = client.get_registered_model("main.ml.churn")
    assert (model.tags, model.description) == ({"team": "growth"}, "d")


def test_update_rename_and_delete_model(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    client = RegistryClient()
    lh.register_model(str(make_package("a")), "main.ml.churn", tags={"k": "v"})
    client.set_registered_model_alias("main.ml.churn", "champion", 1)
    client.set_registered_model_tag("main.ml.churn", "team", "growth")
    assert client.update_registered_model("main.ml.churn", "about").description == "about"
    renamed = client.rename_registered_model("main.ml.churn", "main.ml.attrition")
    assert renamed.aliases == {"champion": 1} and renamed.tags == {"team": "growth"}
    mv = client.get_model_version_by_alias("main.ml.attrition", "champion")
    assert mv.tags == {"k": "v"}
    with pytest.raises(NotFoundError, match="registered model main.ml.churn does not exist"):
        client.get_registered_model("main.ml.churn")
    client.delete_registered_model("main.ml.attrition")
    assert client.search_registered_models() == []
    assert not _local(f"{home}/models/main/ml/attrition").exists()


def test_delete_version_keeps_its_number_and_removes_files(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    client = RegistryClient()
    for marker in "abc":
        lh.register_model(str(make_package(marker)), "main.ml.churn")
    gone = client.get_model_version("main.ml.churn", 3)
    client.delete_model_version("main.ml.churn", 3)
    assert not _local(gone.storage_location).exists()
    with pytest.raises(NotFoundError, match="version 3 of model main.ml.churn was deleted"):
        client.get_model_version("main.ml.churn", 3)
    assert lh.register_model(str(make_package("d")), "main.ml.churn").version == 4


def test_deleting_an_aliased_version_needs_an_explicit_choice(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    client = RegistryClient()
    for marker in "abc":
        lh.register_model(str(make_package(marker)), "main.ml.churn")
    client.set_registered_model_alias("main.ml.churn", "champion", 2)
    client.set_registered_model_alias("main.ml.churn", "challenger", 2)
    before = RegistryStore().versions.version()
    with pytest.raises(InvalidStateError, match="alias\\(es\\) challenger, champion point to it"):
        client.delete_model_version("main.ml.churn", 2)
    assert RegistryStore().versions.version() == before
    client.delete_model_version("main.ml.churn", 2, move_aliases_to=1)
    assert client.get_registered_model("main.ml.churn").aliases == {
        "champion": 1,
        "challenger": 1,
    }
    client.delete_model_version("main.ml.churn", 1, drop_aliases=True)
    assert client.get_registered_model("main.ml.churn").aliases == {}
    assert [m.action for m in client.alias_history("main.ml.churn", "champion")] == [
        "set",
        "set",
        "delete",
    ]


def test_a_crash_after_the_commit_is_finished_by_the_next_reader(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    mv = lh.register_model(str(make_package("a")), "main.ml.churn")
    final = _local(mv.storage_location)
    row = RegistryStore().versions.read().to_pylist()[0]
    # Put the files back where a writer that died after its commit would have left them.
    final.rename(_local(row["staging_location"]))
    uri = RegistryClient().get_model_version_download_uri("main.ml.churn", 1)
    assert _local(uri) == final and (final / "model.pkl").read_text() == "a"


def test_failed_copy_leaves_nothing(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    client = RegistryClient()
    client.create_registered_model("main.ml.churn")
    before = {n: t.version() for n, t in RegistryStore().all_tables().items()}
    # A file where the staging folder must go makes the copy fail (even for root).
    blocker = _local(f"{home}/models/main/ml/churn/.staging")
    blocker.parent.mkdir(parents=True)
    blocker.write_text("in the way")
    with pytest.raises(OSError):
        lh.register_model(str(make_package("a")), "main.ml.churn")
    assert {n: t.version() for n, t in RegistryStore().all_tables().items()} == before
    assert sorted(p.name for p in blocker.parent.iterdir()) == [".staging"]


def test_status_must_be_ready_to_serve(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    lh.register_model(str(make_package("a")), "main.ml.churn")
    store = RegistryStore()
    row = store.versions.read().to_pylist()[0]
    store.versions.update_columns(
        [{**row, "status": "PENDING_REGISTRATION"}], ["status"]
    )  # as a registry written by MLflow's two-step protocol could hold
    client = RegistryClient()
    with pytest.raises(InvalidStateError, match="is PENDING_REGISTRATION, not READY"):
        client.set_registered_model_alias("main.ml.churn", "champion", 1)
    with pytest.raises(InvalidStateError, match="PENDING_REGISTRATION"):
        client.resolve_model_uri("models:/main.ml.churn/1")


def test_rename_moves_files_and_frees_the_old_name(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    client = RegistryClient()
    lh.register_model(str(make_package("a")), "main.ml.churn")
    client.rename_registered_model("main.ml.churn", "main.ml.attrition")
    moved = client.get_model_version("main.ml.attrition", 1)
    assert moved.storage_location == f"{home}/models/main/ml/attrition/1"
    assert (_local(moved.storage_location) / "model.pkl").read_text() == "a"
    # The old name starts afresh and never shares a folder with the renamed model.
    again = lh.register_model(str(make_package("b")), "main.ml.churn")
    assert again.version == 1
    assert (_local(again.storage_location) / "model.pkl").read_text() == "b"
    assert (_local(moved.storage_location) / "model.pkl").read_text() == "a"


def test_a_taken_version_folder_fails_the_registration_visibly(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    lh.register_model(str(make_package("a")), "main.ml.churn")
    squatter = _local(f"{home}/models/main/ml/churn/2")
    squatter.mkdir()
    (squatter / "model.pkl").write_text("not ours")
    with pytest.raises(FileExistsError, match="another package is already there"):
        lh.register_model(str(make_package("b")), "main.ml.churn")
    client = RegistryClient()
    failed = client.get_model_version("main.ml.churn", 2)
    assert failed.status == ModelVersionStatus.FAILED_REGISTRATION
    assert "publishing the files failed" in (failed.status_message or "")
    with pytest.raises(InvalidStateError, match="is FAILED_REGISTRATION, not READY"):
        client.resolve_model_uri("models:/main.ml.churn/2")
    assert client.resolve_model_uri("models:/main.ml.churn/latest").endswith("/churn/1")
    assert (squatter / "model.pkl").read_text() == "not ours"


def test_a_new_version_moves_the_models_last_updated_time(home: str, make_package) -> None:  # type: ignore[no-untyped-def]
    client = RegistryClient()
    lh.register_model(str(make_package("a")), "main.ml.older")
    first = lh.register_model(str(make_package("b")), "main.ml.churn")
    created = client.get_registered_model("main.ml.churn").last_updated_timestamp
    assert created >= first.creation_timestamp
    second = lh.register_model(str(make_package("c")), "main.ml.churn")
    model = client.get_registered_model("main.ml.churn")
    assert model.last_updated_timestamp == second.creation_timestamp > created
    assert model.creation_timestamp <= first.creation_timestamp
    lh.register_model(str(make_package("d")), "main.ml.older")  # now the most recently changed
    found = client.search_registered_models(order_by=["last_updated_timestamp DESC"])
    assert [m.name for m in found] == ["main.ml.older", "main.ml.churn"]
    newest = client.get_model_version("main.ml.older", 2).creation_timestamp
    assert found[0].last_updated_timestamp == newest
