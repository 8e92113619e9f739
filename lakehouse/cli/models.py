"""``lakehouse models``: registered models, versions, aliases and rollback.

Register with the lead's root group: ``main.add_command(models)``. Every command
prints a table for people; ``--json`` prints the same facts for scripts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from lakehouse.cli.output import console, emit_json, json_option, print_table
from lakehouse.errors import InvalidArgumentError
from lakehouse.registry import AliasMove, ModelVersion, RegistryClient

__all__ = ["models"]


def _when(millis: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC)


def _version_rows(versions: list[ModelVersion]) -> list[dict[str, Any]]:
    return [
        {
            "version": v.version,
            "status": v.status.value,
            "stage": v.current_stage.value,
            "aliases": ", ".join(v.aliases),
            "run": v.run_id,
            "source": v.source,
            "created": _when(v.creation_timestamp),
            "description": v.description,
        }
        for v in versions
    ]


def _move_rows(moves: list[AliasMove]) -> list[dict[str, Any]]:
    return [
        {
            "alias": m.alias,
            "#": m.sequence,
            "action": m.action,
            "from": m.from_version,
            "to": m.to_version,
            "who": m.user_id,
            "when": _when(m.timestamp),
        }
        for m in moves
    ]


@click.group()
def models() -> None:
    """Registered models: versions, aliases, rollback."""


@models.command("list")
@click.option("--filter", "filter_string", default=None, help="e.g. \"name LIKE 'main.%'\"")
@json_option
def list_models(filter_string: str | None, as_json: bool) -> None:
    """List registered models."""
    found = RegistryClient().search_registered_models(filter_string, max_results=10_000)
    if as_json:
        return emit_json(found)
    print_table(
        [
            {
                "model": m.name,
                "aliases": ", ".join(f"{a}={v}" for a, v in sorted(m.aliases.items())),
                "description": m.description,
                "updated": _when(m.last_updated_timestamp),
            }
            for m in found
        ],
        ["model", "aliases", "description", "updated"],
        title="Registered models",
    )


@models.command()
@click.argument("name")
@json_option
def versions(name: str, as_json: bool) -> None:
    """List the versions of model NAME (catalog.schema.model), newest first."""
    client = RegistryClient()
    client.get_registered_model(name)  # a clear error for an unknown model
    found = client.search_model_versions(f"name = '{name}'")
    if as_json:
        return emit_json(found)
    print_table(
        _version_rows(found),
        ["version", "status", "stage", "aliases", "run", "source", "created"],
        title=f"Versions of {name}",
    )


@models.group()
def alias() -> None:
    """Move and inspect aliases such as champion."""


@alias.command("set")
@click.argument("name")
@click.argument("alias_name", metavar="ALIAS")
@click.argument("version")
@json_option
def alias_set(name: str, alias_name: str, version: str, as_json: bool) -> None:
    """Point ALIAS of model NAME at VERSION."""
    client = RegistryClient()
    client.set_registered_model_alias(name, alias_name, version)
    move = client.alias_history(name, alias_name)[-1]
    _report_move(move, as_json)


@models.command()
@click.argument("name")
@click.argument("alias_name", metavar="ALIAS")
@json_option
def rollback(name: str, alias_name: str, as_json: bool) -> None:
    """Put ALIAS of model NAME back on the version it pointed to before its last move."""
    client = RegistryClient()
    client.rollback_alias(name, alias_name)
    _report_move(client.alias_history(name, alias_name)[-1], as_json)


@models.command()
@click.argument("name")
@click.argument("alias_name", metavar="[ALIAS]", required=False)
@json_option
def history(name: str, alias_name: str | None, as_json: bool) -> None:
    """Every recorded move of the aliases of model NAME (or of one ALIAS)."""
    moves = RegistryClient().alias_history(name, alias_name)
    if as_json:
        return emit_json(moves)
    print_table(
        _move_rows(moves),
        ["alias", "#", "action", "from", "to", "who", "when"],
        title=f"Alias history of {name}",
    )


def _report_move(move: AliasMove, as_json: bool) -> None:
    if as_json:
        return emit_json(move)
    before = "unset" if move.from_version is None else f"version {move.from_version}"
    console.print(
        f"{move.name}@{move.alias}: {before} -> version {move.to_version} "
        f"({move.action} #{move.sequence})"
    )


def _split_ref(ref: str) -> tuple[str, str | None, str | None]:
    """``NAME``, ``NAME@ALIAS`` or ``NAME/VERSION`` -> (name, alias, version)."""
    if "@" in ref:
        name, _, alias_name = ref.partition("@")
        return name, alias_name, None
    if "/" in ref:
        name, _, version = ref.partition("/")
        if not version.isdigit():
            raise InvalidArgumentError(
                f"invalid reference {ref!r}: expected NAME, NAME@ALIAS or NAME/VERSION with "
                "VERSION a number, e.g. main.demo.churn_model/3"
            )
        return name, None, version
    return ref, None, None


@models.command()
@click.argument("ref", metavar="NAME[@ALIAS|/VERSION]")
@json_option
def describe(ref: str, as_json: bool) -> None:
    """Describe a model, or one version of it (with its lineage)."""
    client = RegistryClient()
    name, alias_name, version = _split_ref(ref)
    if alias_name is None and version is None:
        return _describe_model(client, name, as_json)
    mv = (
        client.get_model_version_by_alias(name, alias_name)
        if alias_name is not None
        else client.get_model_version(name, version or "")
    )
    lineage = client.lineage(mv.name, mv.version)
    if as_json:
        return emit_json({"version": mv, "lineage": lineage})
    console.print(f"[bold]{mv.name}[/bold] version {mv.version}  ({mv.status.value})")
    for label, value in [
        ("aliases", ", ".join(mv.aliases) or "(none)"),
        ("stage", mv.current_stage.value),
        ("run", mv.run_id or ""),
        ("source", mv.source),
        ("stored at", mv.storage_location),
        ("created", f"{_when(mv.creation_timestamp):%Y-%m-%d %H:%M:%S} UTC by {mv.user_id}"),
        ("description", mv.description or ""),
        ("tags", ", ".join(f"{k}={v}" for k, v in sorted(mv.tags.items()))),
    ]:
        console.print(f"{label + ':':<13}{value}")
    print_table(
        [{"input table": i.table_name, "delta version": i.version} for i in lineage.inputs],
        ["input table", "delta version"],
        title="Lineage (training data, readable with Delta time travel)",
    )


def _describe_model(client: RegistryClient, name: str, as_json: bool) -> None:
    model = client.get_registered_model(name)
    found = client.search_model_versions(f"name = '{model.name}'")
    if as_json:
        return emit_json({"model": model, "versions": found})
    console.print(f"[bold]{model.name}[/bold]  ({len(found)} version(s))")
    console.print(f"{'description:':<13}{model.description or ''}")
    console.print(f"{'owner:':<13}{model.user_id or ''}")
    aliases = ", ".join(f"{a} -> {v}" for a, v in sorted(model.aliases.items()))
    console.print(f"{'aliases:':<13}{aliases or '(none)'}")
    tags = ", ".join(f"{k}={v}" for k, v in sorted(model.tags.items()))
    console.print(f"{'tags:':<13}{tags}")
    print_table(
        _version_rows(found),
        ["version", "status", "stage", "aliases", "run", "created", "description"],
    )
