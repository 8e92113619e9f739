"""``/experiments`` and ``/experiments/<id>``: the experiments, and one experiment's runs.

The runs table is a ``search_runs`` page: the filter box takes the same grammar
(a malformed filter is shown inline, not as an error page), column headers sort,
a column chooser picks the param/metric/tag columns, and checked runs go to
``/compare``. Only the page's rows are fetched: the search filters and sorts the
cached run states, slices, and then reads the params, metrics and tags of the
runs kept, so a page costs the same at 100 runs or 100,000.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lakehouse.errors import InvalidArgumentError
from lakehouse.tracking import search
from lakehouse.tracking.entities import Run
from lakehouse.ui import html
from lakehouse.ui.html import Markup, esc, link
from lakehouse.ui.server import Request, Response, route

__all__ = ["DEFAULT_COLUMNS", "PAGE_SIZE", "experiment_runs", "experiments", "fmt_duration"]

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
DEFAULT_COLUMNS = 12
"""How many metric and param columns a runs table shows before the chooser is used."""

_FIXED = [
    ("attributes.run_name", "Run name"),
    ("attributes.status", "Status"),
    ("attributes.start_time", "Start time"),
    ("duration", "Duration"),
]
_DESCENDING_FIRST = ("metrics.", "attributes.start_time", "attributes.end_time")
_BARE_KEY = re.compile(r"[A-Za-z0-9_.\-:/]+")


@route("GET", r"/experiments")
def experiments(request: Request) -> Response:
    """Every active experiment whose name holds the search text, with run counts."""
    request.app.tracking.flush()  # replays dead writers' journals, as a search does
    text = request.arg("q").strip().lower()
    found = [e for e in request.app.tracking.search_experiments() if text in e.name.lower()]
    summary = search.runs_by_experiment(request.app.cfg)
    rows = []
    for e in found:
        runs = summary.get(e.experiment_id)
        times = [t for t in (e.last_update_time, runs and runs.last_time) if t]
        rows.append(
            {
                "name": link(f"/experiments/{html.quote(e.experiment_id)}", e.name),
                "id": e.experiment_id,
                "runs": Markup(f'<span class="num">{runs.count if runs else 0}</span>'),
                "created": html.fmt_time(e.creation_time),
                "last activity": html.fmt_time(max(times) if times else None),
                "_last": max(times) if times else 0,
            }
        )
    rows.sort(key=lambda r: r["_last"], reverse=True)
    search_form = (
        '<form class="bar" method="get" action="/experiments">'
        f'<input type="search" name="q" id="experiment-search" value="{esc(request.arg("q"))}" '
        'placeholder="Search experiments by name">'
        '<button type="submit">Search</button></form>'
    )
    columns = ["name", "id", "runs", "created", "last activity"]
    body = search_form + html.table(
        rows, columns, id_="experiments", empty="No experiment matches."
    )
    return html.page("Experiments", body)


@dataclass(frozen=True, slots=True)
class _State:
    """What a runs page shows: the query arguments, checked and normalized."""

    filter: str
    order_by: str
    columns: tuple[str, ...]
    chosen: bool
    """True when the URL named the columns (the default set is left out of links)."""
    page: int
    page_size: int

    def query(self, **changes: Any) -> dict[str, str]:
        state = replace(self, **changes)
        return {
            "filter": state.filter,
            "order_by": state.order_by,
            "columns": ",".join(state.columns) if state.chosen else "",
            "page": str(state.page) if state.page else "",
            "page_size": str(state.page_size) if state.page_size != PAGE_SIZE else "",
        }


def _int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.arg(name).strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidArgumentError(
            f"query argument {name}={text!r} is not a whole number from {low} to {high}; "
            f"e.g. {name}={default}"
        )
    return int(text)


def _default_columns(keys: Mapping[str, list[str]]) -> tuple[str, ...]:
    picked = [f"metrics.{k}" for k in keys["metrics"]] + [f"params.{k}" for k in keys["params"]]
    return tuple(picked[:DEFAULT_COLUMNS])


def order_clause(column: str, ascending: bool) -> str:
    """``metrics.auc DESC``: a column key as an ``order_by`` clause (odd keys backquoted)."""
    kind, _, key = column.partition(".")
    name = column if _BARE_KEY.fullmatch(key) else f"{kind}.`{key}`"
    return f"{name} {'ASC' if ascending else 'DESC'}"


def _sort_link(state: _State, path: str, column: str, label: str) -> Markup:
    """A header that sorts by ``column``; a second click reverses the order."""
    asc, desc = order_clause(column, True), order_clause(column, False)
    if state.order_by == desc:
        target, arrow = asc, " ▼"
    elif state.order_by == asc:
        target, arrow = desc, " ▲"
    else:
        target, arrow = (desc if column.startswith(_DESCENDING_FIRST) else asc), ""
    url = html.href(path, **state.query(order_by=target, page=0))
    return link(url, f"{label}{arrow}", id=f"sort-{column}", title=f"order by {target}")


def fmt_duration(start: int | None, end: int | None) -> str:
    """``1m 05s``: the time between two epoch-millisecond times ('' when unfinished)."""
    if not start or not end or end < start:
        return ""
    seconds = (end - start) / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _cell(run: Run, column: str) -> Any:
    kind, _, key = column.partition(".")
    source: Mapping[str, Any] = {
        "metrics": run.data.metrics,
        "params": run.data.params,
        "tags": run.data.tags,
    }.get(kind, {})
    return html.fmt_value(source.get(key))


def _runs_table(runs: Sequence[Run], state: _State, path: str) -> Markup:
    head = ['<th><input type="checkbox" id="select-all" data-select-all="runs" title="all"></th>']
    for key, label in _FIXED:
        head.append(
            f"<th>{esc(label)}</th>"
            if key == "duration"
            else f"<th>{_sort_link(state, path, key, label)}</th>"
        )
    head += [f"<th>{_sort_link(state, path, c, c)}</th>" for c in state.columns]
    body = []
    for run in runs:
        info = run.info
        name = run.data.tags.get("mlflow.runName") or info.run_name or info.run_id
        cells = [
            f'<td><input type="checkbox" name="runs" value="{esc(info.run_id)}"></td>',
            f"<td>{link(f'/runs/{html.quote(info.run_id)}', name, class_='run')}</td>",
            f"<td>{esc(info.status)}</td>",
            f"<td>{esc(html.fmt_time(info.start_time)).replace(' ', '&nbsp;')}</td>",
            f"<td>{esc(fmt_duration(info.start_time, info.end_time))}</td>",
        ]
        cells += [f'<td class="num">{esc(_cell(run, c))}</td>' for c in state.columns]
        body.append(f'<tr data-run-id="{esc(info.run_id)}">{"".join(cells)}</tr>')
    if not body:
        span = len(_FIXED) + 1 + len(state.columns)
        body.append(f'<tr><td colspan="{span}" class="empty">No run matches.</td></tr>')
    return Markup(
        '<table class="grid" id="runs"><thead><tr>'
        + "".join(head)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def _filter_form(state: _State, path: str, error: str | None) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{esc(v)}">'
        for k, v in state.query(filter="", page=0).items()
        if v
    )
    form = (
        f'<form class="bar" method="get" action="{esc(path)}" id="filter-form">'
        f'<input type="text" class="filter" name="filter" id="filter" value="{esc(state.filter)}" '
        "placeholder=\"metrics.accuracy > 0.9 AND params.max_depth = '5'\">"
        f'{hidden}<button type="submit" class="primary">Search</button>'
        f"{link(html.href(path), 'Clear')}</form>"
    )
    if error:
        form += f'<p class="error" id="filter-error">{esc(error)}</p>'
    return form


def _column_chooser(keys: Mapping[str, list[str]], state: _State, path: str) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{esc(v)}">'
        for k, v in state.query(chosen=False, page=0).items()
        if v
    )
    boxes = []
    for kind in ("metrics", "params", "tags"):
        for key in keys[kind]:
            column = f"{kind}.{key}"
            checked = " checked" if column in state.columns else ""
            boxes.append(
                f'<label><input type="checkbox" name="columns" value="{esc(column)}"{checked}> '
                f"{esc(column)}</label>"
            )
    return (
        '<details id="column-chooser"><summary>Columns</summary>'
        f'<form method="get" action="{esc(path)}" id="columns-form">{hidden}'
        f'<div class="columns">{"".join(boxes)}</div>'
        '<button type="submit" id="apply-columns">Show these columns</button></form></details>'
    )


def _pager(state: _State, path: str, shown: int, total: int) -> str:
    first = state.page * state.page_size
    parts = [
        f'<span id="run-count">Runs {first + 1 if shown else 0}–{first + shown} of {total}</span>'
    ]
    if state.page > 0:
        url = html.href(path, **state.query(page=state.page - 1))
        parts.append(str(link(url, "← Previous", id="page-prev")))
    if first + shown < total:
        url = html.href(path, **state.query(page=state.page + 1))
        parts.append(str(link(url, "Next →", id="page-next")))
    return f'<div class="pager">{"".join(parts)}</div>'


@route("GET", r"/experiments/(?P<experiment_id>[^/]+)")
def experiment_runs(request: Request) -> Response:
    """One experiment's runs: filter, sort, choose columns, page, select to compare."""
    client = request.app.tracking
    exp = client.get_experiment(request.params["experiment_id"])
    keys = search.run_keys(request.app.cfg, [exp.experiment_id])
    chosen = tuple(dict.fromkeys(request.args("columns")))
    state = _State(
        filter=request.arg("filter").strip(),
        order_by=request.arg("order_by").strip(),
        columns=chosen or _default_columns(keys),
        chosen=bool(chosen),
        page=_int_arg(request, "page", 0, 0, 10**9),
        page_size=_int_arg(request, "page_size", PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )
    error = None
    runs: list[Run] = []
    total = 0
    try:
        runs = client.search_runs(
            [exp.experiment_id],
            state.filter,
            max_results=state.page_size,
            order_by=[state.order_by] if state.order_by else None,
            page_token=str(state.page * state.page_size),
        )
        total = search.count_runs(request.app.cfg, [exp.experiment_id], state.filter)
    except InvalidArgumentError as exc:
        error = str(exc)
    path = request.path
    table = _runs_table(runs, state, path)
    body = (
        f'<p class="muted">Experiment id {esc(exp.experiment_id)} · artifacts at '
        f"{esc(exp.artifact_location)}</p>"
        + _filter_form(state, path, error)
        + _column_chooser(keys, state, path)
        + _pager(state, path, len(runs), total)
        + '<form id="runs-form" method="get" action="/compare">'
        '<div class="bar"><button id="compare" type="submit" class="primary">'
        "Compare selected runs</button></div>" + table + "</form>"
    )
    crumbs = [("Experiments", "/experiments"), (exp.name, None)]
    return html.page(exp.name, body, crumbs=crumbs)
