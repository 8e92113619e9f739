"""``/catalog``: catalogs → schemas → tables, with feature tables and scoring runs.

- ``/catalog``: every catalog (table#catalogs);
- ``/catalog/<c>``: its schemas (table#schemas);
- ``/catalog/<c>/<s>``: its tables (table#tables: version, partitioning, last update,
  comment, kind) and the registered models of the schema (table#schema-models);
- ``/catalog/<c>/<s>/<t>``: columns (table#columns), comment, owner, location,
  partitioning, properties and Delta history (table#history); a feature table adds its
  keys, timeseries column, freshness and last refresh (table#feature); a table the
  batch-scoring job wrote adds its scoring runs (table#scoring-runs).

Everything is read from Delta logs and system tables through delta-rs (the store
layer): rendering a page starts no JVM.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from lakehouse.catalog import namespace
from lakehouse.catalog.entities import TableDescription
from lakehouse.catalog.names import parse_name
from lakehouse.features import refresh as _refresh  # noqa: F401  (reports the last refresh)
from lakehouse.features import tables as feature_tables
from lakehouse.store.history import column_max, table_history
from lakehouse.ui import html
from lakehouse.ui.html import Markup, esc, link
from lakehouse.ui.server import Request, Response, route

__all__ = [
    "catalog_page",
    "catalogs",
    "schema_page",
    "scoring_runs",
    "scoring_runs_table",
    "table_page",
]

SCORING_JOB_TAG = "lakehouse.job"
SCORING_JOB = "batch_score"
HISTORY_LIMIT = 100


def scoring_runs(
    request: Request, *, output_table: str | None = None, model: str | None = None
) -> list[Any]:
    """Runs of the batch-scoring job (all experiments), of one output table or model."""
    clauses = [f"tags.`{SCORING_JOB_TAG}` = '{SCORING_JOB}'"]
    if output_table is not None:
        clauses.append(f"params.output_table = {html.filter_literal(output_table)}")
    if model is not None:
        clauses.append(f"params.model_name = {html.filter_literal(model)}")
    return list(
        request.app.tracking.search_runs(
            None, " AND ".join(clauses), max_results=10_000, order_by=["start_time DESC"]
        )
    )


def _scored_versions(run: Any) -> list[tuple[str, str]]:
    """(label, version) per model version a scoring run used (one per alias when several)."""
    params = run.data.params
    out = []
    for key, value in sorted(params.items()):
        if key.startswith("model_version") and value:
            alias = key.removeprefix("model_version").lstrip("_")
            out.append((alias, value))
    return out


def scoring_runs_table(runs: Iterable[Any], *, id_: str = "scoring-runs") -> Markup:
    """date → model name and version that scored it, linked to the run and the version."""
    rows = []
    for run in runs:
        params = run.data.params
        name = params.get("model_name", "")
        versions = []
        for alias, version in _scored_versions(run):
            text = f"{name} v{version}" + (f" (@{alias})" if alias else "")
            target = f"/models/{html.quote(name)}/versions/{html.quote(version)}"
            versions.append(link(target, text) if name else esc(text))
        rows.append(
            {
                "date": params.get("partition", ""),
                "model": Markup(", ".join(versions)),
                "output table": link(html.table_url(params["output_table"]), params["output_table"])
                if params.get("output_table")
                else "",
                "output version": params.get("output_version", ""),
                "input": f"{params.get('input_table', '')} v{params.get('input_version', '')}",
                "run": link(f"/runs/{html.quote(run.info.run_id)}", run.info.run_id),
                "started": html.fmt_time(run.info.start_time),
                "status": str(run.info.status),
            }
        )
    rows.sort(key=lambda r: str(r["date"]), reverse=True)
    columns = [
        "date",
        "model",
        "output table",
        "output version",
        "input",
        "run",
        "started",
        "status",
    ]
    return html.table(rows, columns, id_=id_, empty="No scoring runs recorded.")


@route("GET", r"/catalog")
def catalogs(request: Request) -> Response:
    """Every catalog of the root, ``system`` included."""
    rows = [
        {
            "name": link(f"/catalog/{html.quote(c.name)}", c.name),
            "comment": c.comment or "",
            "owner": c.owner or "",
            "created": html.fmt_time(c.created_at),
        }
        for c in namespace.list_catalogs()
    ]
    body = html.table(rows, ["name", "comment", "owner", "created"], id_="catalogs")
    return html.page("Catalog", body, crumbs=[("Catalog", None)])


@route("GET", r"/catalog/(?P<catalog>[^/]+)")
def catalog_page(request: Request) -> Response:
    """The schemas of one catalog."""
    catalog = request.params["catalog"]
    found = namespace.list_schemas(catalog)
    rows = [
        {
            "name": link(f"/catalog/{html.quote(s.catalog_name)}/{html.quote(s.name)}", s.name),
            "comment": s.comment or "",
            "owner": s.owner or "",
            "created": html.fmt_time(s.created_at),
        }
        for s in found
    ]
    body = html.table(rows, ["name", "comment", "owner", "created"], id_="schemas")
    return html.page(catalog, body, crumbs=[("Catalog", "/catalog"), (catalog, None)])


def _kind(desc: TableDescription, scored: set[str]) -> str:
    if feature_tables.KEYS_PROPERTY in desc.properties:
        return "feature table"
    if desc.full_name in scored:
        return "scoring output"
    return "table"


def _schema_models(request: Request, schema: str) -> Markup:
    prefix = schema + "."
    found = request.app.registry.search_registered_models(
        f"name LIKE {html.filter_literal(prefix + '%')}", max_results=100_000
    )
    rows = [
        {
            "name": link(f"/models/{html.quote(m.name)}", m.name),
            "aliases": ", ".join(f"@{a} → v{v}" for a, v in sorted(m.aliases.items())),
            "last update": html.fmt_time(m.last_updated_timestamp),
            "description": m.description or "",
        }
        for m in found
        if m.name.startswith(prefix)
    ]
    columns = ["name", "aliases", "last update", "description"]
    return html.table(rows, columns, id_="schema-models", empty="No registered models here.")


@route("GET", r"/catalog/(?P<catalog>[^/]+)/(?P<schema>[^/]+)")
def schema_page(request: Request) -> Response:
    """The tables of a schema (feature tables and scoring outputs marked) and its models."""
    catalog, schema = request.params["catalog"], request.params["schema"]
    full_schema = f"{catalog}.{schema}"
    names = namespace.list_tables(full_schema)
    scored = {r.data.params.get("output_table") for r in scoring_runs(request)} if names else set()
    rows = []
    for full in names:
        desc = namespace.describe_table(full)
        rows.append(
            {
                "name": link(html.table_url(full), full.rsplit(".", 1)[-1]),
                "kind": _kind(desc, scored),
                "version": desc.version,
                "partitioned by": ", ".join(desc.partition_columns),
                "updated": html.fmt_time(desc.updated_at),
                "comment": desc.comment or "",
            }
        )
    columns = ["name", "kind", "version", "partitioned by", "updated", "comment"]
    body = (
        html.table(rows, columns, id_="tables", empty="No tables in this schema.")
        + "<h2>Registered models</h2>"
        + _schema_models(request, full_schema)
    )
    crumbs = [
        ("Catalog", "/catalog"),
        (catalog, f"/catalog/{html.quote(catalog)}"),
        (schema, None),
    ]
    return html.page(full_schema, body, crumbs=crumbs)


def _columns(desc: TableDescription) -> Markup:
    rows = [
        {"name": c.name, "type": c.type, "nullable": c.nullable, "comment": c.comment or ""}
        for c in desc.columns
    ]
    return html.table(rows, ["name", "type", "nullable", "comment"], id_="columns")


def _history(desc: TableDescription) -> Markup:
    rows = [
        {
            "version": c.version,
            "timestamp": html.fmt_time(c.timestamp_ms),
            "operation": c.operation,
            "parameters": ", ".join(f"{k}={v}" for k, v in sorted(c.parameters.items())),
            "user metadata": c.user_metadata or "",
        }
        for c in table_history(desc.location, limit=HISTORY_LIMIT)
    ]
    columns = ["version", "timestamp", "operation", "parameters", "user metadata"]
    return html.table(rows, columns, id_="history")


def _feature_facts(desc: TableDescription) -> Markup:
    feature = feature_tables.get_table(name=desc.full_name)
    newest = (
        column_max(desc.location, feature.timeseries_column) if feature.timeseries_column else None
    )
    refresh: Mapping[str, Any] = feature.last_refresh or {}
    sources = ", ".join(f"{s['name']} v{s['version']}" for s in refresh.get("sources") or [])
    last = "never refreshed by a refresh job"
    if refresh:
        before = refresh.get("version_before")
        moved = (
            f"created version {refresh.get('version_after')}"
            if before is None
            else f"version {before} → {refresh.get('version_after')}"
        )
        last = (
            f"{html.fmt_time(refresh.get('end_time'))} by {refresh.get('job') or 'a refresh'} "
            f"({moved}, {refresh.get('rows_inserted')} inserted, "
            f"{refresh.get('rows_updated')} updated{'; from ' + sources if sources else ''})"
        )
    items = [
        ("primary keys", ", ".join(feature.primary_keys)),
        ("timeseries column", feature.timeseries_column or "—"),
        ("newest timeseries value", "" if newest is None else html.fmt_time(newest)),
        ("last write", html.fmt_time(feature.updated_at)),
        ("last refresh", last),
        ("tags", json.dumps(dict(feature.tags)) if feature.tags else "—"),
    ]
    return Markup("<h2>Feature table</h2>" + html.facts_table(items, "feature"))


@route("GET", r"/catalog/(?P<catalog>[^/]+)/(?P<schema>[^/]+)/(?P<table>[^/]+)")
def table_page(request: Request) -> Response:
    """A table: columns, facts, properties, Delta history; feature and scoring details."""
    catalog, schema, name = (request.params[k] for k in ("catalog", "schema", "table"))
    full = str(parse_name(f"{catalog}.{schema}.{name}"))
    desc = namespace.describe_table(full)
    owner = next((s.owner for s in namespace.list_schemas(catalog) if s.name == schema), None)
    facts = html.facts_table(
        [
            ("comment", desc.comment or "—"),
            ("owner", f"{owner} (the schema's owner)" if owner else "—"),
            ("location", desc.location),
            ("partitioned by", ", ".join(desc.partition_columns) or "—"),
            ("version", desc.version),
            ("created", html.fmt_time(desc.created_at)),
            ("updated", html.fmt_time(desc.updated_at)),
            ("format", desc.format),
        ],
        "table-facts",
    )
    properties = html.table(
        [{"key": k, "value": v} for k, v in sorted(desc.properties.items())],
        ["key", "value"],
        id_="properties",
        empty="No properties.",
    )
    parts: list[str] = [facts]
    if feature_tables.KEYS_PROPERTY in desc.properties:
        parts.append(_feature_facts(desc))
    runs = scoring_runs(request, output_table=desc.full_name)
    if runs:
        parts += ["<h2>Scoring runs</h2>", scoring_runs_table(runs)]
    parts += [
        "<h2>Columns</h2>",
        _columns(desc),
        "<h2>Properties</h2>",
        properties,
        "<h2>History</h2>",
        _history(desc),
    ]
    crumbs = [
        ("Catalog", "/catalog"),
        (catalog, f"/catalog/{html.quote(catalog)}"),
        (schema, f"/catalog/{html.quote(catalog)}/{html.quote(schema)}"),
        (name, None),
    ]
    return html.page(desc.full_name, "".join(parts), crumbs=crumbs)
