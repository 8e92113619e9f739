"""``/models``: registered models, their versions, aliases and alias history, rollback.

- ``/models``: every registered model with its latest version, aliases and last update;
- ``/models/<name>``: versions (table#versions), aliases and since when
  (table#aliases) with a rollback form each, the alias history newest first
  (table#alias-history);
- ``POST /models/<name>/aliases/<alias>/rollback``: puts the alias back on the version it
  pointed to before its last move (refused in read-only mode), then shows the model;
- ``/models/<name>/versions/<v>``: the version, its signature, its lineage (input tables
  at their Delta versions, the source run) and the scoring runs that used it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from lakehouse import paths
from lakehouse.errors import LakehouseError
from lakehouse.models.mlmodel import MLModel
from lakehouse.registry.entities import AliasMove, ModelVersion, RegisteredModel
from lakehouse.ui import html
from lakehouse.ui.html import Markup, esc, link
from lakehouse.ui.pages.catalog import scoring_runs, scoring_runs_table
from lakehouse.ui.server import Request, Response, redirect, route

__all__ = ["model_page", "model_url", "models", "rollback", "version_page", "version_url"]


def model_url(name: str) -> str:
    """The page of a registered model."""
    return f"/models/{html.quote(name)}"


def version_url(name: str, version: int | str) -> str:
    """The page of one model version."""
    return f"{model_url(name)}/versions/{html.quote(str(version))}"


def _badges(aliases: Sequence[str]) -> Markup:
    return Markup(" ".join(f'<span class="badge">@{esc(a)}</span>' for a in sorted(aliases)))


@route("GET", r"/models")
def models(request: Request) -> Response:
    """Every registered model whose name holds the search text."""
    text = request.arg("q").strip().lower()
    registry = request.app.registry
    found = [m for m in registry.search_registered_models(max_results=100_000) if text in m.name]
    latest: dict[str, int] = {}
    if found:
        for v in registry.search_model_versions(max_results=10**9):
            latest[v.name] = max(latest.get(v.name, 0), v.version)
    rows = [
        {
            "name": link(model_url(m.name), m.name),
            "latest version": link(version_url(m.name, latest[m.name]), f"v{latest[m.name]}")
            if m.name in latest
            else "",
            "aliases": _badges([f"{a} → v{v}" for a, v in m.aliases.items()]),
            "last update": html.fmt_time(m.last_updated_timestamp),
            "description": m.description or "",
        }
        for m in found
    ]
    search = (
        '<form class="bar" method="get" action="/models">'
        f'<input type="search" name="q" value="{esc(request.arg("q"))}" '
        'placeholder="Search models by name">'
        '<button type="submit">Search</button></form>'
    )
    columns = ["name", "latest version", "aliases", "last update", "description"]
    body = search + html.table(rows, columns, id_="models", empty="No registered models.")
    return html.page("Registered models", body, crumbs=[("Models", None)])


def _versions_table(versions: Sequence[ModelVersion]) -> Markup:
    rows = [
        {
            "version": link(version_url(v.name, v.version), f"v{v.version}"),
            "stage": v.current_stage.value,
            "aliases": _badges(v.aliases),
            "source run": link(f"/runs/{html.quote(v.run_id)}", v.run_id) if v.run_id else "",
            "created": html.fmt_time(v.creation_timestamp),
            "status": v.status.value,
        }
        for v in versions
    ]
    columns = ["version", "stage", "aliases", "source run", "created", "status"]
    return html.table(rows, columns, id_="versions", empty="No versions registered.")


def _rollback_form(
    request: Request, model: str, alias: str, current: int, last: AliasMove | None
) -> Markup:
    before = last.from_version if last else None
    if before is not None:
        question = f"Roll {alias} back from v{current} to v{before}?"
    else:
        question = f"Roll {alias} back from v{current}? It pointed to no version before."
    action = f"{model_url(model)}/aliases/{html.quote(alias)}/rollback"
    disabled, note = "", ""
    if request.app.read_only:
        disabled = " disabled"
        note = '<span class="note">read-only: start `lakehouse ui` without --read-only</span>'
    return Markup(
        f'<form method="post" action="{esc(action)}" data-confirm="{esc(question)}" class="inline">'
        f'<button type="submit" class="danger" id="rollback-{esc(alias)}"{disabled}>'
        f"Roll back</button>{note}</form>"
    )


def _aliases_table(
    request: Request, model: RegisteredModel, history: Sequence[AliasMove]
) -> Markup:
    last: dict[str, AliasMove] = {}
    for move in history:  # oldest first: the last one wins
        last[move.alias] = move
    rows = [
        {
            "alias": _badges([alias]),
            "version": link(version_url(model.name, version), f"v{version}"),
            "since": html.fmt_time(last[alias].timestamp) if alias in last else "",
            "rollback": _rollback_form(request, model.name, alias, version, last.get(alias)),
        }
        for alias, version in sorted(model.aliases.items())
    ]
    columns = ["alias", "version", "since", "rollback"]
    return html.table(rows, columns, id_="aliases", empty="No aliases set.")


def _version_cell(model: str, version: int | None) -> Markup | str:
    return link(version_url(model, version), f"v{version}") if version is not None else "—"


def _history_table(model: str, history: Sequence[AliasMove]) -> Markup:
    rows = [
        {
            "when": html.fmt_time(m.timestamp),
            "who": m.user_id,
            "alias": m.alias,
            "action": m.action,
            "from version": _version_cell(model, m.from_version),
            "to version": _version_cell(model, m.to_version),
        }
        for m in sorted(history, key=lambda m: (m.timestamp, m.sequence), reverse=True)
    ]
    columns = ["when", "who", "alias", "action", "from version", "to version"]
    return html.table(rows, columns, id_="alias-history", empty="No alias was ever set.")


def _rolled_notice(request: Request, history: Sequence[AliasMove]) -> Markup:
    alias = request.arg("rolled")
    moves = [m for m in history if m.alias == alias]
    if not alias or not moves or moves[-1].action != "rollback":
        return Markup("")
    last = moves[-1]
    return Markup(
        f'<p class="notice" id="notice">Rolled {esc(alias)} back from v{esc(last.from_version)} '
        f"to v{esc(last.to_version)}.</p>"
    )


def _tags(tags: Mapping[str, str], id_: str) -> Markup:
    rows = [{"key": k, "value": v} for k, v in sorted(tags.items())]
    return html.table(rows, ["key", "value"], id_=id_, empty="No tags.")


@route("GET", r"/models/(?P<name>[^/]+)")
def model_page(request: Request) -> Response:
    """A registered model: versions, aliases (with rollback), alias history, tags."""
    registry = request.app.registry
    model = registry.get_registered_model(request.params["name"])
    versions = registry.search_model_versions(
        f"name = {html.filter_literal(model.name)}", order_by=["version_number DESC"]
    )
    history = registry.alias_history(model.name)
    body = "".join(
        [
            _rolled_notice(request, history),
            f'<p class="description">{esc(model.description or "No description.")}</p>',
            "<h2>Versions</h2>",
            _versions_table(versions),
            "<h2>Aliases</h2>",
            _aliases_table(request, model, history),
            "<h2>Alias history</h2>",
            _history_table(model.name, history),
            "<h2>Tags</h2>",
            _tags(model.tags, "model-tags"),
        ]
    )
    crumbs = [("Models", "/models"), (model.name, None)]
    return html.page(model.name, body, crumbs=crumbs)


@route("POST", r"/models/(?P<name>[^/]+)/aliases/(?P<alias>[^/]+)/rollback")
def rollback(request: Request) -> Response:
    """Move an alias back to its previous version, then show the model with a notice."""
    name, alias = request.params["name"], request.params["alias"]
    request.app.require_writable(f"rolling back alias {alias!r} of {name}")
    version = request.app.registry.rollback_alias(name, alias)
    return redirect(f"{model_url(version.name)}?rolled={html.quote(alias)}")


def _signature(version: ModelVersion) -> Markup:
    """The MLmodel's input and output schemas (local packages only; reading is cheap)."""
    if not paths.is_local(version.storage_location):
        return Markup("<p>The package is not on local disk; its signature is not shown.</p>")
    try:
        meta = MLModel.load(paths.to_local_path(version.storage_location))
    except LakehouseError as exc:
        return Markup(f'<p class="error">{esc(exc)}</p>')
    if meta.signature is None:
        return Markup("<p>The model has no signature.</p>")
    parts = []
    for side, text in meta.signature.to_dict().items():
        if side not in ("inputs", "outputs") or not text:
            continue
        specs = json.loads(text)
        rows = [
            {
                "name": s.get("name", ""),
                "type": s.get("type", ""),
                "required": s.get("required", True),
            }
            for s in specs
        ]
        parts.append(f"<h3>{esc(side)}</h3>")
        parts.append(html.table(rows, ["name", "type", "required"], id_=f"signature-{side}"))
    flavors = ", ".join(sorted(meta.flavors))
    return Markup(f"<p>Flavors: {esc(flavors)}</p>" + "".join(parts))


def _facts(version: ModelVersion) -> Markup:
    run = link(f"/runs/{html.quote(version.run_id)}", version.run_id) if version.run_id else "—"
    facts: list[tuple[str, Any]] = [
        ("source", version.source),
        ("run", run),
        ("stage", version.current_stage.value),
        ("aliases", _badges(version.aliases) or "—"),
        ("status", version.status.value),
        ("created", html.fmt_time(version.creation_timestamp)),
        ("created by", version.user_id or ""),
        ("stored at", version.storage_location),
        ("description", version.description or ""),
    ]
    return html.facts_table(facts, "version-facts")


def _lineage(request: Request, version: ModelVersion) -> Markup:
    lineage = request.app.registry.lineage(version.name, version.version)
    rows = [
        {
            "table": link(html.table_url(i.table_name), i.table_name),
            "Delta version": "" if i.version is None else i.version,
        }
        for i in lineage.inputs
    ]
    run = (
        link(f"/runs/{html.quote(lineage.run_id)}", lineage.run_id, id="lineage-run")
        if lineage.run_id
        else "no run (registered from a path)"
    )
    return Markup(
        f"<p>Source run: {esc(run)} · source: {esc(lineage.source)}</p>"
        + html.table(
            rows, ["table", "Delta version"], id_="lineage-inputs", empty="No input tables logged."
        )
    )


@route("GET", r"/models/(?P<name>[^/]+)/versions/(?P<version>[^/]+)")
def version_page(request: Request) -> Response:
    """One model version: facts, tags, signature, lineage, scoring runs."""
    registry = request.app.registry
    version = registry.get_model_version(request.params["name"], request.params["version"])
    runs = [
        r
        for r in scoring_runs(request, model=version.name)
        if str(version.version)
        in {v for k, v in r.data.params.items() if k.startswith("model_version")}
    ]
    body = "".join(
        [
            _facts(version),
            "<h2>Lineage</h2>",
            _lineage(request, version),
            "<h2>Scoring runs</h2>",
            scoring_runs_table(runs, id_="version-scoring-runs"),
            "<h2>Tags</h2>",
            _tags(version.tags, "version-tags"),
            "<h2>Signature</h2>",
            _signature(version),
        ]
    )
    crumbs = [
        ("Models", "/models"),
        (version.name, model_url(version.name)),
        (f"v{version.version}", None),
    ]
    return html.page(f"{version.name} v{version.version}", body, crumbs=crumbs)
