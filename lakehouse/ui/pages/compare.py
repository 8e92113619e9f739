"""``/compare?runs=<id>,<id>,...``: 2 to 20 runs side by side.

Params (rows that differ marked, ``diff=1`` shows only those), latest metrics
(the best value per row marked), overlaid metric curves, parallel coordinates
over chosen params and metrics (``params``, ``metrics``) and a scatter of two
metrics (``x``, ``y``). Everything the page shows is chosen in its query
string, so the URL can be pasted into a chat. ``runs`` (and ``params`` /
``metrics``) may be comma lists or repeated, as the runs page's checkbox form
sends them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from lakehouse.errors import InvalidArgumentError, NotFoundError
from lakehouse.tracking.entities import Run
from lakehouse.ui import html
from lakehouse.ui.charts import PALETTE, Series, legend, line_chart
from lakehouse.ui.html import Markup, esc, link
from lakehouse.ui.plots import Axis, Point, parallel_coordinates, scatter
from lakehouse.ui.server import Request, Response, route

__all__ = ["MAX_AXES", "MAX_RUNS", "MIN_RUNS", "compare", "lower_is_better"]

MIN_RUNS, MAX_RUNS = 2, 20
MAX_AXES = 8
_HISTORY_READERS = 4  # metric histories read at once (each is one small Delta read)
_LOWER_IS_BETTER = ("loss", "error", "rmse", "mse", "mae")


def lower_is_better(metric: str) -> bool:
    """Whether a smaller value of ``metric`` is better (its key names a loss or an error)."""
    key = metric.lower()
    return any(word in key for word in _LOWER_IS_BETTER)


@dataclass(frozen=True, slots=True)
class _Compared:
    """The runs being compared, with a unique label per run (its name, or name + id)."""

    runs: list[Run]
    labels: list[str]
    param_keys: list[str]
    metric_keys: list[str]

    def params(self, key: str) -> list[str | None]:
        return [run.data.params.get(key) for run in self.runs]

    def metrics(self, key: str) -> list[float | None]:
        return [run.data.metrics.get(key) for run in self.runs]

    def differing_params(self) -> list[str]:
        return [k for k in self.param_keys if len(set(self.params(k))) > 1]


def _natural(key: str) -> list[tuple[int, int | str]]:
    """Sort key that puts ``p2`` before ``p10`` (digit runs compare as numbers)."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", key)]


def _load(request: Request) -> _Compared:
    """The runs named by ``runs`` (2..20, each existing), in the order given."""
    run_ids = list(dict.fromkeys(request.args("runs")))
    if not MIN_RUNS <= len(run_ids) <= MAX_RUNS:
        raise InvalidArgumentError(
            f"cannot compare {len(run_ids)} run{'s' if len(run_ids) != 1 else ''}: "
            f"a comparison takes {MIN_RUNS} to {MAX_RUNS} runs; tick between {MIN_RUNS} and "
            f"{MAX_RUNS} runs on an experiment's runs page, or list their ids in "
            "/compare?runs=<id>,<id>"
        )
    runs = _fetch(request, run_ids)
    names = [run.info.run_name or run.info.run_id for run in runs]
    labels = [
        name if names.count(name) == 1 else f"{name} ({run.info.run_id[:8]})"
        for name, run in zip(names, runs, strict=True)
    ]
    return _Compared(
        runs=runs,
        labels=labels,
        param_keys=sorted({k for run in runs for k in run.data.params}, key=_natural),
        metric_keys=sorted({k for run in runs for k in run.data.metrics}, key=_natural),
    )


def _fetch(request: Request, run_ids: list[str]) -> list[Run]:
    """The runs, in the order given, in one search (deleted runs too); unknown ids: 404."""
    known = [r for r in run_ids if "'" not in r and "\\" not in r]  # others cannot be ids
    found: dict[str, Run] = {}
    if known:
        listed = ", ".join(f"'{run_id}'" for run_id in known)
        found = {
            run.info.run_id: run
            for run in request.app.tracking.search_runs(
                None, f"attributes.run_id IN ({listed})", "ALL", max_results=len(known)
            )
        }
    missing = [run_id for run_id in run_ids if run_id not in found]
    if missing:
        what = ", ".join(repr(m) for m in missing)
        verb = "run {} does not" if len(missing) == 1 else "runs {} do not"
        raise NotFoundError(
            f"{verb.format(what)} exist under {request.app.cfg.home_uri}; check the ids in "
            "runs= (an experiment's runs page lists its runs)"
        )
    return [found[run_id] for run_id in run_ids]


def _head(compared: _Compared, first: str) -> str:
    cells = "".join(
        f'<th data-run="{esc(run.info.run_id)}">'
        f"{link('/runs/' + html.quote(run.info.run_id), label)}</th>"
        for run, label in zip(compared.runs, compared.labels, strict=True)
    )
    return f"<thead><tr><th>{esc(first)}</th>{cells}</tr></thead>"


def _params_table(compared: _Compared, only_diff: bool) -> Markup:
    rows = []
    for key in compared.param_keys:
        values = compared.params(key)
        differs = len(set(values)) > 1
        if only_diff and not differs:
            continue
        mark = ' class="diff"' if differs else ""
        cells = "".join(f"<td{mark}>{esc(v)}</td>" for v in values)
        rows.append(f'<tr{mark} data-key="{esc(key)}"><th{mark}>{esc(key)}</th>{cells}</tr>')
    if not rows:
        empty = "No params differ." if only_diff else "These runs logged no params."
        rows.append(f'<tr><td colspan="{len(compared.runs) + 1}" class="empty">{empty}</td></tr>')
    return Markup(
        f'<div style="overflow-x:auto"><table class="grid" id="compare-params">'
        f"{_head(compared, 'param')}<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _best(key: str, values: Sequence[float | None]) -> set[int]:
    """Indexes of the best value(s) of a row; none when fewer than two runs differ."""
    present = {i: v for i, v in enumerate(values) if v is not None and math.isfinite(v)}
    if len(set(present.values())) < 2:
        return set()
    target = (min if lower_is_better(key) else max)(present.values())
    return {i for i, v in present.items() if v == target}


def _metrics_table(compared: _Compared) -> Markup:
    rows = []
    for key in compared.metric_keys:
        values = compared.metrics(key)
        best = _best(key, values)
        cells = "".join(
            f'<td class="num best"><strong>{esc(html.fmt_value(v))}</strong></td>'
            if i in best
            else f'<td class="num">{esc(html.fmt_value(v))}</td>'
            for i, v in enumerate(values)
        )
        rows.append(f'<tr data-key="{esc(key)}"><th>{esc(key)}</th>{cells}</tr>')
    if not rows:
        rows.append(
            f'<tr><td colspan="{len(compared.runs) + 1}" class="empty">'
            "These runs logged no metrics.</td></tr>"
        )
    return Markup(
        f'<div style="overflow-x:auto"><table class="grid" id="compare-metrics">'
        f"{_head(compared, 'metric')}<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _histories(request: Request, compared: _Compared) -> dict[tuple[int, str], list[Any]]:
    """Every (run index, metric) history, read a few at a time (one read per pair)."""
    tracking = request.app.tracking
    pairs = [
        (index, key)
        for key in compared.metric_keys
        for index, run in enumerate(compared.runs)
        if key in run.data.metrics
    ]
    with ThreadPoolExecutor(max_workers=_HISTORY_READERS) as pool:
        histories = pool.map(
            lambda pair: tracking.get_metric_history(compared.runs[pair[0]].info.run_id, pair[1]),
            pairs,
        )
        return dict(zip(pairs, histories, strict=True))


def _curves(request: Request, compared: _Compared) -> Markup:
    """One chart per metric with more than one point in some run; one series per run."""
    histories = _histories(request, compared)
    charts = []
    for key in compared.metric_keys:
        series = [
            Series(label, [(float(m.step), float(m.value)) for m in histories.get((i, key), [])])
            for i, label in enumerate(compared.labels)
        ]
        if any(len(s.points) > 1 for s in series):
            charts.append(
                line_chart(series, title=key, chart_id=f"curves-{key}", show_legend=False)
            )
    if not charts:
        return Markup('<p class="muted">No metric has more than one step in these runs.</p>')
    key = legend(compared.labels, legend_id="curves-legend")
    return Markup(f'{key}<div class="charts">{"".join(charts)}</div>')


def _axes(
    request: Request, compared: _Compared
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """The chosen (params, metrics) axes and notes, as (CSS class, text), on what was left out.

    Neither ``params`` nor ``metrics`` in the query: the params that differ and every
    metric. Either given: both as given (an absent one chooses none). At most
    :data:`MAX_AXES`; metrics go last, so the lines are colored by a metric.
    """
    notes: list[tuple[str, str]] = []
    if "params" in request.query or "metrics" in request.query:
        params, metrics = request.args("params"), request.args("metrics")
        for kind, chosen, known in (
            ("param", params, compared.param_keys),
            ("metric", metrics, compared.metric_keys),
        ):
            for key in chosen:
                if key not in known:
                    notes.append(
                        ("error", f"no compared run has the {kind} {key!r}; axis left out")
                    )
        params = [k for k in dict.fromkeys(params) if k in compared.param_keys]
        metrics = [k for k in dict.fromkeys(metrics) if k in compared.metric_keys]
    else:
        params, metrics = compared.differing_params(), list(compared.metric_keys)
    if len(params) + len(metrics) > MAX_AXES:
        keep_metrics = min(len(metrics), max(MAX_AXES - len(params), MAX_AXES // 2))
        keep_params = MAX_AXES - keep_metrics
        notes.append(
            (
                "muted",
                f"at most {MAX_AXES} axes: showing the first {keep_params} params and "
                f"{keep_metrics} metrics of the {len(params) + len(metrics)} chosen",
            )
        )
        params, metrics = params[:keep_params], metrics[:keep_metrics]
    return params, metrics, notes


_STATE = ("runs", "diff", "params", "metrics", "x", "y")


def _url(request: Request, **changes: str | None) -> str:
    """This comparison's URL, lists joined by commas (the checkbox form repeats ``runs``)."""
    state: dict[str, str | None] = {
        name: ",".join(request.args(name)) for name in _STATE if name in request.query
    }
    state.update(changes)
    return html.href("/compare", **state)


def _hidden(request: Request, *skip: str) -> str:
    """Hidden inputs carrying the page's other query arguments into a form."""
    fields = []
    for name in _STATE:
        if name in skip or name not in request.query:
            continue
        fields.append(
            f'<input type="hidden" name="{name}" value="{esc(",".join(request.args(name)))}">'
        )
    return "".join(fields)


def _parallel(request: Request, compared: _Compared) -> Markup:
    params, metrics, notes = _axes(request, compared)
    axes = [Axis(k, compared.params(k)) for k in params]
    axes += [Axis(k, compared.metrics(k)) for k in metrics]
    boxes = []
    for kind, keys, chosen in (
        ("params", compared.param_keys, params),
        ("metrics", compared.metric_keys, metrics),
    ):
        for key in keys:
            checked = " checked" if key in chosen else ""
            boxes.append(
                f'<label><input type="checkbox" name="{kind}" value="{esc(key)}"{checked}> '
                f"{kind[:-1]}: {esc(key)}</label>"
            )
    form = (
        '<form id="axes-form" method="get" action="/compare">'
        f"{_hidden(request, 'params', 'metrics')}"
        f'<div class="columns">{"".join(boxes)}</div>'
        f'<button type="submit" id="choose-axes">Show these axes</button> '
        f'<span class="muted">at most {MAX_AXES}; lines are colored by the last axis</span>'
        "</form>"
    )
    warnings = "".join(f'<p class="{kind} axes-note">{esc(text)}</p>' for kind, text in notes)
    return Markup(warnings + parallel_coordinates(compared.labels, axes) + form)


def _scatter(request: Request, compared: _Compared) -> Markup:
    keys = compared.metric_keys
    if not keys:
        return Markup('<p class="muted">These runs logged no metrics.</p>')
    x = request.arg("x") or keys[0]
    y = request.arg("y") or (keys[1] if len(keys) > 1 else keys[0])
    notes = [
        f"no compared run has the metric {key!r}; choose one of {', '.join(keys)}"
        for key in dict.fromkeys((x, y))
        if key not in keys
    ]
    both = [
        (i, label, xv, yv)
        for i, (label, xv, yv) in enumerate(
            zip(compared.labels, compared.metrics(x), compared.metrics(y), strict=True)
        )
        if xv is not None and yv is not None
    ]
    points = [Point(label, float(xv), float(yv)) for _, label, xv, yv in both]
    colors = [PALETTE[i % len(PALETTE)] for i, *_ in both]
    selects = "".join(
        f'<label>{axis} <select name="{axis}" id="scatter-{axis}">'
        + "".join(
            f'<option value="{esc(k)}"{" selected" if k == chosen else ""}>{esc(k)}</option>'
            for k in keys
        )
        + "</select></label>"
        for axis, chosen in (("x", x), ("y", y))
    )
    form = (
        f'<form id="scatter-form" class="bar" method="get" action="/compare">'
        f'{_hidden(request, "x", "y")}{selects}<button type="submit">Plot</button></form>'
    )
    errors = "".join(f'<p class="error scatter-note">{esc(n)}</p>' for n in notes)
    chart = scatter(points, x_label=x, y_label=y, colors=colors)
    return Markup(errors + form + legend(compared.labels, legend_id="scatter-legend") + chart)


@route("GET", r"/compare")
def compare(request: Request) -> Response:
    """Compare 2 to 20 runs: params, metrics, curves, parallel coordinates, a scatter."""
    compared = _load(request)
    only_diff = request.arg("diff") == "1"
    toggle = (
        link(_url(request, diff=None), "Show all params", id="diff-toggle")
        if only_diff
        else link(_url(request, diff="1"), "Show only differences", id="diff-toggle")
    )
    body = (
        f"<h2>Params</h2><p>{toggle}</p>{_params_table(compared, only_diff)}"
        f"<h2>Metrics</h2>{_metrics_table(compared)}"
        f"<h2>Metric curves</h2>{_curves(request, compared)}"
        f"<h2>Parallel coordinates</h2>{_parallel(request, compared)}"
        f"<h2>Scatter</h2>{_scatter(request, compared)}"
    )
    return html.page(f"Compare {len(compared.runs)} runs", body, crumbs=_crumbs(request, compared))


def _crumbs(request: Request, compared: _Compared) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [("Experiments", "/experiments")]
    experiment_ids = {run.info.experiment_id for run in compared.runs}
    if len(experiment_ids) == 1:
        (experiment_id,) = experiment_ids
        name = request.app.tracking.get_experiment(experiment_id).name
        crumbs.append((name, f"/experiments/{html.quote(experiment_id)}"))
    crumbs.append(("Compare", None))
    return crumbs
