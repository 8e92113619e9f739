"""``/runs/<run_id>``: one run, and ``/runs/<run_id>/artifacts`` / ``artifact``: its files.

The run page shows what MLflow's does: info, params, latest metrics, metric
history charts (``x=step|time``; ``chart=m1,m2`` draws several metrics on one
chart), tags, inputs (namespace tables at their Delta versions, and datasets),
the models logged in the run and the registered versions made from it.

The artifact browser lists a folder with breadcrumbs and previews a file: text
as ``<pre>``, JSON pretty-printed, images inline, CSV/TSV/Parquet as a table of
the first rows, an ``MLmodel`` file (or a model folder) as its flavors and
signature. At most :data:`PREVIEW_BYTES` of a file are read for a preview;
``/artifact`` serves the whole file with its content type.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from lakehouse import paths
from lakehouse.errors import InvalidArgumentError, LakehouseError, NotFoundError
from lakehouse.store import files
from lakehouse.tracking import artifacts
from lakehouse.tracking.artifacts import check_artifact_path
from lakehouse.tracking.entities import Metric, Run, ViewType
from lakehouse.ui import charts, html
from lakehouse.ui.html import Markup, esc, link
from lakehouse.ui.pages.experiments import fmt_duration
from lakehouse.ui.server import Request, Response, route

__all__ = ["PREVIEW_BYTES", "PREVIEW_ROWS", "artifact_file", "artifacts_page", "run_page"]

PREVIEW_BYTES = 1 << 20
"""A preview reads at most this much of a file (Parquet: :data:`PARQUET_BYTES`)."""
PARQUET_BYTES = 64 << 20
PREVIEW_ROWS = 100
_TEXT = {
    ".txt", ".log", ".yaml", ".yml", ".py", ".md", ".cfg", ".ini", ".toml", ".sh", ".sql",
    ".r", ".scala", ".java", ".ipynb", ".xml", ".html", ".rst",
}  # fmt: skip
_IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp"}
_TEXT_NAMES = {"MLmodel", "requirements.txt", "LICENSE", "Dockerfile"}
_RUN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def _run(request: Request) -> Run:
    """The run of the URL, read through the search cache (``get_run`` reads Delta
    tables each time: several times slower once a root holds 100k runs)."""
    run_id = request.params["run_id"]
    client = request.app.tracking
    if not _RUN_ID.fullmatch(run_id):
        return client.get_run(run_id)  # an id no filter should quote: NotFoundError -> 404
    found = client.search_runs(
        None, f"attributes.run_id = '{run_id}'", run_view_type=ViewType.ALL, max_results=1
    )
    if not found:
        raise NotFoundError(
            f"run {run_id!r} does not exist under {request.app.cfg.home_uri}; check the run "
            "id (an experiment's page lists its runs)"
        )
    return found[0]


def _run_url(run_id: str, page: str = "") -> str:
    return f"/runs/{html.quote(run_id)}{page}"


def _artifacts_url(run_id: str, path: str, page: str = "/artifacts") -> str:
    """``/runs/<id>/artifacts?path=...`` (``href`` takes its own first argument as path)."""
    query = "?" + urllib.parse.urlencode({"path": path}) if path else ""
    return _run_url(run_id, page) + query


def _side_by_side(*parts: str) -> str:
    cells = "".join(f'<section style="flex: 1; min-width: 320px">{p}</section>' for p in parts)
    return f'<div style="display: flex; gap: 24px; flex-wrap: wrap">{cells}</div>'


# -- the run page ------------------------------------------------------------------
def _info(request: Request, run: Run) -> Markup:
    info, tags = run.info, run.data.tags
    exp = request.app.tracking.get_experiment(info.experiment_id)
    source = tags.get("mlflow.source.name", "")
    if tags.get("mlflow.source.type"):
        source = f"{source} ({tags['mlflow.source.type']})"
    rows = [
        ("Run id", info.run_id),
        ("Run name", tags.get("mlflow.runName") or info.run_name),
        ("Experiment", link(f"/experiments/{html.quote(exp.experiment_id)}", exp.name)),
        ("Status", info.status),
        ("Start time", html.fmt_time(info.start_time)),
        ("End time", html.fmt_time(info.end_time)),
        ("Duration", fmt_duration(info.start_time, info.end_time)),
        ("User", info.user_id),
        ("Source", source),
        (
            "Artifacts",
            link(_artifacts_url(info.run_id, ""), info.artifact_uri, id="artifacts-link"),
        ),
    ]
    if info.lifecycle_stage != "active":
        rows.append(("Lifecycle", info.lifecycle_stage))
    return html.facts_table(rows, "run-info")


def _points(history: Sequence[Metric], x: str, start: int) -> list[tuple[float, float]]:
    if x == "time":
        points = [((m.timestamp - start) / 1000, m.value) for m in history]
    else:
        points = [(float(m.step), m.value) for m in history]
    return sorted(points)


def _chart_form(request: Request, histories: Mapping[str, list[Metric]], chosen: list[str]) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" name="chart" value="{esc(k)}"'
        f"{' checked' if k in chosen else ''}> {esc(k)}</label> "
        for k in histories
    )
    x = request.arg("x", "step")
    options = "".join(
        f'<option value="{v}"{" selected" if v == x else ""}>{label}</option>'
        for v, label in (("step", "step"), ("time", "seconds since the run started"))
    )
    return (
        f'<form class="bar" method="get" action="{esc(request.path)}" id="chart-form">'
        f'X axis <select name="x" id="chart-x">{options}</select> {boxes}'
        '<button type="submit">Draw on one chart</button></form>'
    )


def _charts(request: Request, run: Run) -> str:
    """One chart per metric with more than one point, or the ``chart=`` metrics on one."""
    x = request.arg("x", "step")
    if x not in ("step", "time"):
        raise InvalidArgumentError(f"x={x!r} is not an axis; use x=step or x=time")
    client = request.app.tracking
    keys = sorted(run.data.metrics)
    with ThreadPoolExecutor(max_workers=4) as pool:  # Delta reads release the GIL
        found = pool.map(lambda k: client.get_metric_history(run.info.run_id, k), keys)
        histories = dict(zip(keys, found, strict=True))
    chosen = list(dict.fromkeys(request.args("chart")))
    unknown = [k for k in chosen if k not in histories]
    if unknown:
        raise NotFoundError(
            f"run {run.info.run_id} has no metric {', '.join(map(repr, unknown))}; its metrics "
            f"are {', '.join(histories) or 'none'}"
        )
    label = "seconds since the run started" if x == "time" else "step"
    start = run.info.start_time
    if chosen:
        series = [charts.Series(k, _points(histories[k], x, start)) for k in chosen]
        drawn = [
            charts.line_chart(series, title=", ".join(chosen), x_label=label, chart_id="chart")
        ]
    else:
        drawn = [
            charts.line_chart(
                [charts.Series(k, _points(h, x, start))],
                title=k,
                x_label=label,
                chart_id=f"chart-{k}",
            )
            for k, h in histories.items()
            if len(h) > 1
        ]
    if not histories:
        return ""
    note = "" if drawn else '<p class="muted">Every metric has one point: see the table.</p>'
    return (
        "<h2>Metric history</h2>"
        + _chart_form(request, histories, chosen)
        + note
        + f'<div class="charts">{"".join(drawn)}</div>'
    )


def _inputs(request: Request, run: Run) -> str:
    tables = request.app.tracking.get_run_inputs(run.info.run_id)
    rows = [
        {"table": link(html.table_url(t.table_name), t.table_name), "Delta version": t.version}
        for t in tables
    ]
    out = "<h2>Inputs</h2>" + html.table(
        rows, ["table", "Delta version"], id_="inputs", empty="No table recorded."
    )
    datasets = [
        {
            "name": d.dataset.name,
            "digest": d.dataset.digest,
            "source": f"{d.dataset.source_type}: {d.dataset.source}",
            "context": ", ".join(t.value for t in d.tags if t.key == "mlflow.data.context"),
        }
        for d in run.inputs.dataset_inputs
    ]
    if datasets:
        out += html.table(datasets, ["name", "digest", "source", "context"], id_="datasets")
    return out


def _models(request: Request, run: Run) -> str:
    info = run.info
    logged = request.app.tracking.search_logged_models(
        experiment_ids=[info.experiment_id], filter_string=f"source_run_id = '{info.run_id}'"
    )
    rows = []
    for m in logged:
        root = info.artifact_uri.rstrip("/") + "/"
        inside = m.artifact_location.startswith(root)
        where = m.artifact_location.removeprefix(root) if inside else m.artifact_location
        rows.append(
            {
                "name": m.name,
                "model id": m.model_id,
                "artifacts": link(_artifacts_url(info.run_id, where), where) if inside else where,
                "created": html.fmt_time(m.creation_timestamp),
            }
        )
    try:
        versions = request.app.registry.search_model_versions(f"run_id = '{info.run_id}'")
    except LakehouseError:
        versions = []  # a root without a registry yet: nothing registered
    registered = [
        {
            "model": link(f"/models/{html.quote(v.name)}", v.name),
            "version": link(f"/models/{html.quote(v.name)}/versions/{v.version}", v.version),
            "aliases": ", ".join(v.aliases),
            "stage": str(getattr(v.current_stage, "value", v.current_stage)),
        }
        for v in versions
    ]
    if not rows and not registered:
        return ""
    out = "<h2>Models</h2>" + html.table(
        rows, ["name", "model id", "artifacts", "created"], id_="logged-models"
    )
    if registered:
        out += html.table(
            registered, ["model", "version", "aliases", "stage"], id_="model-versions"
        )
    return out


@route("GET", r"/runs/(?P<run_id>[^/]+)")
def run_page(request: Request) -> Response:
    """A run: info, params, metrics and their charts, tags, inputs, models, artifacts."""
    run = _run(request)
    data = run.data
    params = [{"key": k, "value": data.params[k]} for k in sorted(data.params)]
    metrics = [{"key": k, "value": html.fmt_value(data.metrics[k])} for k in sorted(data.metrics)]
    tags = [{"key": k, "value": data.tags[k]} for k in sorted(data.tags)]
    body = (
        _info(request, run)
        + _side_by_side(
            f"<h2>Parameters ({len(params)})</h2>"
            + html.table(params, ["key", "value"], id_="params", empty="No parameter logged."),
            f"<h2>Metrics ({len(metrics)})</h2>"
            + html.table(metrics, ["key", "value"], id_="metrics", empty="No metric logged."),
        )
        + _charts(request, run)
        + _inputs(request, run)
        + _models(request, run)
        + f"<h2>Tags ({len(tags)})</h2>"
        + html.table(tags, ["key", "value"], id_="tags", empty="No tag set.")
    )
    exp = request.app.tracking.get_experiment(run.info.experiment_id)
    name = data.tags.get("mlflow.runName") or run.info.run_name or run.info.run_id
    crumbs = [
        ("Experiments", "/experiments"),
        (exp.name, f"/experiments/{html.quote(exp.experiment_id)}"),
        (name, None),
    ]
    return html.page(f"Run {name}", body, crumbs=crumbs)


# -- artifacts ----------------------------------------------------------------------
def _location(run: Run, rel: str) -> str:
    return paths.join(run.info.artifact_uri, rel) if rel else run.info.artifact_uri


def _missing(run: Run, rel: str) -> NotFoundError:
    return NotFoundError(
        f"run {run.info.run_id} has no artifact {rel!r}; open "
        f"/runs/{run.info.run_id}/artifacts to list the ones it has"
    )


def _crumbs(run_id: str, rel: str) -> str:
    parts = rel.split("/") if rel else []
    trail = [str(link(_artifacts_url(run_id, ""), "artifacts"))]
    for i, part in enumerate(parts):
        prefix = "/".join(parts[: i + 1])
        trail.append(
            str(esc(part))
            if i == len(parts) - 1
            else str(link(_artifacts_url(run_id, prefix), part))
        )
    return f'<p class="crumbs" id="artifact-crumbs">{" / ".join(trail)}</p>'


def _size(value: int | None) -> str:
    if value is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024  # type: ignore[assignment]
    return ""


def _folder(request: Request, run: Run, rel: str) -> str:
    entries = artifacts.list_dir(run.info.artifact_uri, rel or None)
    rows = [
        {
            "name": link(
                _artifacts_url(run.info.run_id, e.path),
                e.path.rsplit("/", 1)[-1] + ("/" if e.is_dir else ""),
            ),
            "size": _size(e.file_size),
        }
        for e in entries
    ]
    out = "<h2>Files</h2>" + html.table(
        rows, ["name", "size"], id_="artifacts", empty="No artifact here."
    )
    if any(e.path.rsplit("/", 1)[-1] == "MLmodel" and not e.is_dir for e in entries):
        mlmodel = paths.join(_location(run, rel), "MLmodel")
        out = _model_summary(files.read_bytes(mlmodel, PREVIEW_BYTES)) + out
    return out


def _signature_table(text: Any, id_: str) -> Markup:
    try:
        specs = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError:
        return Markup(f"<pre>{esc(text)}</pre>")
    rows = []
    for spec in specs if isinstance(specs, list) else []:
        kind = spec.get("type", "")
        if kind == "tensor":
            kind = f"tensor {spec.get('tensor-spec', {}).get('dtype', '')}"
            shape = spec.get("tensor-spec", {}).get("shape")
        else:
            shape = spec.get("shape")
        rows.append(
            {
                "name": spec.get("name", ""),
                "type": kind,
                "required": "no" if spec.get("required") is False else "yes",
                "shape": "" if shape is None else str(shape),
                "default": spec.get("default", ""),
            }
        )
    columns = ["name", "type", "required", "shape"]
    if any(r["default"] != "" for r in rows):
        columns.append("default")
    return html.table(rows, columns, id_=id_, empty="Not recorded.")


def _model_summary(data: bytes) -> str:
    """An MLmodel file as its flavors and its signature's inputs and outputs."""
    try:
        meta = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        return f'<p class="error">This MLmodel file is not valid YAML: {esc(exc)}</p>'
    if not isinstance(meta, dict):
        return '<p class="error">This MLmodel file holds no mapping of flavors.</p>'
    flavors: dict[str, Any] = meta["flavors"] if isinstance(meta.get("flavors"), dict) else {}
    rows = [
        {
            "flavor": name,
            "details": ", ".join(
                f"{k}: {v}"
                for k, v in (conf if isinstance(conf, dict) else {}).items()
                if v is not None and not isinstance(v, dict | list)
            ),
        }
        for name, conf in flavors.items()
    ]
    out = '<h2>Model</h2><div id="model-summary">'
    out += html.table(rows, ["flavor", "details"], id_="flavors", empty="No flavor listed.")
    signature = meta.get("signature") or {}
    if signature:
        out += "<h2>Signature: inputs</h2>" + _signature_table(
            signature.get("inputs"), "signature-inputs"
        )
        out += "<h2>Signature: outputs</h2>" + _signature_table(
            signature.get("outputs"), "signature-outputs"
        )
        if signature.get("params"):
            out += "<h2>Signature: params</h2>" + _signature_table(
                signature.get("params"), "signature-params"
            )
    else:
        out += '<p class="muted">No signature recorded.</p>'
    return out + "</div>"


def _rows_table(header: list[str], rows: list[list[Any]]) -> Markup:
    columns = [str(h) for h in header]
    dicts = [dict(zip(columns, r, strict=False)) for r in rows]
    return html.table(dicts, columns, id_="preview", classes="grid preview")


def _delimited(data: bytes, truncated: bool, delimiter: str) -> Markup:
    text = data.decode("utf-8", errors="replace")
    if truncated:
        text = text[: text.rfind("\n") + 1]  # the last line may be cut
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for row in reader:
        rows.append(row)
        if len(rows) > PREVIEW_ROWS:
            break
    if not rows:
        return Markup('<p class="muted">Empty file.</p>')
    return _rows_table(rows[0], rows[1:])


def _parquet(data: bytes) -> Markup:
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        if parquet.num_row_groups == 0:
            return Markup('<p class="muted">No rows.</p>')
        head = parquet.read_row_group(0).slice(0, PREVIEW_ROWS)
    except (pa.ArrowException, OSError) as exc:
        return Markup(f'<p class="error">This file cannot be read as Parquet: {esc(exc)}</p>')
    values = [[html.fmt_value(v) for v in row.values()] for row in head.to_pylist()]
    return _rows_table(head.column_names, values)


def _text(data: bytes, truncated: bool, textual: bool) -> str | None:
    """``data`` as text, or None for a binary file (a cut last character is fine)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut = truncated and exc.start >= len(data) - 3
        if not (cut or textual):
            return None
        text = data.decode("utf-8", errors="replace")
    return None if "\x00" in text and not textual else text


def _extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def _preview(run: Run, rel: str, size: int | None) -> str:
    name = rel.rsplit("/", 1)[-1]
    ext = _extension(name)
    location = _location(run, rel)
    raw = _artifacts_url(run.info.run_id, rel, "/artifact")
    header = (
        f'<p class="muted">{esc(_size(size))} · {link(raw, "download / raw", id="raw-link")}</p>'
    )
    if ext in _IMAGES:
        return header + f'<img class="preview" id="preview" src="{esc(raw)}" alt="{esc(name)}">'
    if ext == ".parquet":
        if size is not None and size > PARQUET_BYTES:
            return header + '<p class="muted">Too large to preview: download it.</p>'
        return header + _parquet(files.read_bytes(location))
    data = files.read_bytes(location, PREVIEW_BYTES + 1)
    truncated = len(data) > PREVIEW_BYTES
    data = data[:PREVIEW_BYTES]
    if truncated:
        header += f'<p class="notice">Showing the first {_size(PREVIEW_BYTES)} only.</p>'
    if ext in (".csv", ".tsv"):
        return header + _delimited(data, truncated, "\t" if ext == ".tsv" else ",")
    if name == "MLmodel":
        text = data.decode("utf-8", errors="replace")
        return (
            header + _model_summary(data) + f'<h2>MLmodel</h2><pre id="preview">{esc(text)}</pre>'
        )
    if ext == ".json" and not truncated:
        try:
            pretty = json.dumps(json.loads(data), indent=2, ensure_ascii=False)
            return header + f'<pre id="preview" class="json">{esc(pretty)}</pre>'
        except (json.JSONDecodeError, UnicodeDecodeError):
            pass  # shown as text below
    shown = _text(data, truncated, ext in _TEXT or name in _TEXT_NAMES)
    if shown is None:
        return header + '<p class="muted">A binary file: download it to open it.</p>'
    return header + f'<pre id="preview">{esc(shown)}</pre>'


def _file_size(request: Request, run: Run, rel: str) -> int | None:
    parent = rel.rsplit("/", 1)[0] if "/" in rel else None
    for entry in artifacts.list_dir(run.info.artifact_uri, parent):
        if entry.path == rel:
            return entry.file_size
    return None


@route("GET", r"/runs/(?P<run_id>[^/]+)/artifacts")
def artifacts_page(request: Request) -> Response:
    """The artifact browser: a folder's listing, or a file's preview (``?path=``)."""
    run = _run(request)
    rel = check_artifact_path(request.arg("path"))  # '..' -> InvalidArgumentError -> 400
    location = _location(run, rel)
    if not rel or files.is_dir(location):
        content = _folder(request, run, rel)
    elif files.is_file(location):
        content = _preview(run, rel, _file_size(request, run, rel))
    else:
        raise _missing(run, rel)
    name = run.data.tags.get("mlflow.runName") or run.info.run_name or run.info.run_id
    exp = request.app.tracking.get_experiment(run.info.experiment_id)
    crumbs = [
        ("Experiments", "/experiments"),
        (exp.name, f"/experiments/{html.quote(exp.experiment_id)}"),
        (name, _run_url(run.info.run_id)),
        ("artifacts", None),
    ]
    body = _crumbs(run.info.run_id, rel) + content
    return html.page(f"Artifacts of {name}", body, crumbs=crumbs)


@route("GET", r"/runs/(?P<run_id>[^/]+)/artifact")
def artifact_file(request: Request) -> Response:
    """One artifact's bytes, with its content type (sandboxed: never run as a page)."""
    run = _run(request)
    rel = check_artifact_path(request.arg("path"))
    location = _location(run, rel)
    if not rel or not files.is_file(location):
        raise _missing(run, rel)
    name = rel.rsplit("/", 1)[-1]
    kind = mimetypes.guess_type(name)[0]
    if kind is None:
        textual = name in _TEXT_NAMES or _extension(name) in _TEXT
        kind = "text/plain" if textual else "application/octet-stream"
    if kind.startswith("text/"):
        kind += "; charset=utf-8"
    return Response(
        files.read_bytes(location),
        content_type=kind,
        headers={
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f"inline; filename*=UTF-8''{html.quote(name)}",
        },
    )
