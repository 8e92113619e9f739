"""Comparing runs (/compare) over real HTTP and in a real browser, and the SVG plots."""

from __future__ import annotations

import math
import re
import urllib.parse

import pytest

from lakehouse.ui.plots import Axis, Point, parallel_coordinates, scatter
from tests.ui.conftest import UiProcess, wait_for_url
from tests.ui.seed import Seeded


def element(body: str, tag: str, ident: str) -> str:
    """The HTML of the (non-nesting) ``<tag id="ident">`` element; fails when absent."""
    found = re.search(rf'<{tag}\b[^>]*\bid="{re.escape(ident)}"[^>]*>.*?</{tag}>', body, re.S)
    assert found, f"no <{tag} id={ident!r}> in the page"
    return found.group(0)


def series(svg: str, tag: str = "path") -> list[str]:
    """The ``data-series`` names of the ``<tag class="series">`` elements of an SVG."""
    return re.findall(rf'<{tag} class="series" data-series="([^"]*)"', svg)


def axes(svg: str) -> list[str]:
    """The axis names of a parallel-coordinates SVG, left to right."""
    return re.findall(r'<g class="axis" data-axis="([^"]*)"', svg)


def row_class(table: str, key: str) -> str | None:
    """The class of the row for ``key`` (None when the row has none; fails when absent)."""
    found = re.search(rf'<tr( class="([^"]*)")? data-key="{re.escape(key)}"', table)
    assert found, f"no row for {key!r}"
    return found.group(2)


def compare_url(run_ids: list[str], **query: str) -> str:
    return "/compare?" + urllib.parse.urlencode({"runs": ",".join(run_ids), **query})


THREE = ["gbt-00", "gbt-01", "gbt-02"]


@pytest.fixture(scope="module")
def three(seeded: Seeded) -> list[str]:
    """The first three seeded runs: max_depth 2/3/4, learning_rate .01/.05/.1, same n_estimators."""
    return seeded.run_ids[:3]


def test_params_side_by_side_with_the_differences_marked(ui: UiProcess, three: list[str]) -> None:
    status, body = ui.get(compare_url(three))
    assert status == 200, body
    params = element(body, "table", "compare-params")
    for run_id, name in zip(three, THREE, strict=True):
        assert f'<a href="/runs/{run_id}">{name}</a>' in params
    assert row_class(params, "max_depth") == "diff"
    assert row_class(params, "learning_rate") == "diff"
    assert row_class(params, "n_estimators") is None
    assert re.search(r'data-key="max_depth"><th class="diff">max_depth</th>'
                     r'<td class="diff">2</td><td class="diff">3</td><td class="diff">4</td>',
                     params)  # fmt: skip

    _, only = ui.get(compare_url(three, diff="1"))
    only_params = element(only, "table", "compare-params")
    assert 'data-key="max_depth"' in only_params
    assert 'data-key="n_estimators"' not in only_params
    assert 'id="diff-toggle">Show all params</a>' in only


def test_latest_metrics_mark_the_best_value_per_row(ui: UiProcess, three: list[str]) -> None:
    _, body = ui.get(compare_url(three))
    metrics = element(body, "table", "compare-metrics")
    # accuracy 0.60/0.61/0.62 (higher is better); loss ends at 1/(10 + index/10) (lower is).
    accuracy = re.search(r'data-key="accuracy">.*?</tr>', metrics, re.S)
    loss = re.search(r'data-key="loss">.*?</tr>', metrics, re.S)
    assert accuracy and loss
    assert re.findall(r'<td class="num best"><strong>([^<]*)<', accuracy.group(0)) == ["0.62"]
    assert re.findall(r'<td class="num best"><strong>([^<]*)<', loss.group(0)) == ["0.0980392"]


def test_overlaid_curves_one_series_per_run(ui: UiProcess, three: list[str]) -> None:
    _, body = ui.get(compare_url(three))
    assert series(element(body, "svg", "curves-loss")) == THREE
    # One legend for every curve chart, in the charts' colors and order.
    assert (
        re.findall(
            r'class="legend-item" data-series="([^"]*)"', element(body, "div", "curves-legend")
        )
        == THREE
    )
    # accuracy and auc have one point per run: no curve to draw.
    assert 'id="curves-accuracy"' not in body and 'id="curves-auc"' not in body


def test_parallel_coordinates_default_and_chosen_axes(ui: UiProcess, three: list[str]) -> None:
    _, body = ui.get(compare_url(three))
    parallel = element(body, "svg", "parallel")
    assert series(parallel) == THREE
    # Default: the params that differ, then every metric (the last one colors the lines).
    assert axes(parallel) == ["learning_rate", "max_depth", "accuracy", "auc", "loss"]
    assert "color: loss" in parallel

    _, chosen = ui.get(compare_url(three, params="n_estimators,max_depth", metrics="auc"))
    chosen_parallel = element(chosen, "svg", "parallel")
    assert axes(chosen_parallel) == ["n_estimators", "max_depth", "auc"]
    assert series(chosen_parallel) == THREE
    form = element(chosen, "form", "axes-form")
    assert 'name="params" value="n_estimators" checked' in form
    assert 'name="params" value="learning_rate">' in form
    assert f'name="runs" value="{",".join(three)}"' in form


def test_axes_form_repeats_arguments_and_unknown_keys_are_named(
    ui: UiProcess, three: list[str]
) -> None:
    # The checkbox forms send repeated arguments; Request.args splits both forms alike.
    query = [("runs", run_id) for run_id in three]
    query += [("params", "max_depth"), ("metrics", "loss"), ("metrics", "no_such_metric")]
    status, body = ui.get("/compare?" + urllib.parse.urlencode(query))
    assert status == 200
    assert axes(element(body, "svg", "parallel")) == ["max_depth", "loss"]
    assert "no compared run has the metric &#x27;no_such_metric&#x27;; axis left out" in body
    toggle = re.search(r'<a href="([^"]*)" id="diff-toggle">', body)
    assert toggle and urllib.parse.parse_qs(urllib.parse.urlsplit(toggle.group(1)).query)[
        "runs"
    ] == [",".join(three)]


def test_scatter_of_two_metrics(ui: UiProcess, three: list[str]) -> None:
    _, body = ui.get(compare_url(three))
    svg = element(body, "svg", "scatter")
    assert series(svg, "circle") == THREE
    assert "<title>gbt-02: accuracy=0.62, auc=0.74</title>" in svg

    _, chosen = ui.get(compare_url(three, x="loss", y="accuracy"))
    svg = element(chosen, "svg", "scatter")
    assert series(svg, "circle") == THREE
    assert "<title>gbt-00: loss=0.1, accuracy=0.6</title>" in svg
    assert '<option value="loss" selected>' in element(chosen, "select", "scatter-x")


def test_too_few_or_too_many_runs_are_refused(ui: UiProcess, seeded: Seeded) -> None:
    status, body = ui.get(compare_url(seeded.run_ids[:1]))
    assert status == 400
    assert "cannot compare 1 run: a comparison takes 2 to 20 runs" in body
    many = [*seeded.run_ids[:20], seeded.model_run_id]
    status, body = ui.get(compare_url(many))
    assert status == 400
    assert "cannot compare 21 runs: a comparison takes 2 to 20 runs" in body
    status, body = ui.get("/compare")
    assert status == 400 and "cannot compare 0 runs" in body
    status, body = ui.get(compare_url(seeded.run_ids[:20]))
    assert status == 200
    assert len(series(element(body, "svg", "parallel"))) == 20


def test_an_unknown_run_is_a_404_naming_it(ui: UiProcess, seeded: Seeded) -> None:
    status, body = ui.get(compare_url([seeded.run_ids[0], "no-such-run-id"]))
    assert status == 404
    assert "run &#x27;no-such-run-id&#x27; does not exist" in body
    assert "Traceback" not in body


def test_parallel_coordinates_categorical_and_missing_values() -> None:
    svg = parallel_coordinates(
        ["a", "b", "c"],
        [Axis("solver", ["lbfgs", "saga", None]), Axis("auc", [0.7, None, 0.9])],
    )
    # a: both axes; b: only solver (a move, no line); c: only auc.
    paths = dict(re.findall(r'data-series="(\w)" d="([^"]*)"', svg))
    assert paths["a"].count("M") == 1 and paths["a"].count("L") == 1
    assert paths["b"].count("M") == 1 and "L" not in paths["b"]
    assert paths["c"].count("M") == 1 and "L" not in paths["c"]
    assert ">lbfgs</text>" in svg and ">saga</text>" in svg
    assert "<title>b: solver=saga, auc=—</title>" in svg
    # A NaN metric has no place on its axis (the axis stays numeric, the line skips it).
    svg = parallel_coordinates(
        ["a", "b"], [Axis("depth", ["2", "4"]), Axis("auc", [0.7, math.nan])]
    )
    paths = dict(re.findall(r'data-series="(\w)" d="([^"]*)"', svg))
    assert "L" in paths["a"] and "L" not in paths["b"]
    assert ">nan</text>" not in svg and "color: auc" in svg


def test_scatter_skips_points_without_both_values() -> None:
    svg = scatter([Point("a", 1.0, 2.0), Point("b", float("nan"), 1.0)], x_label="x", y_label="y")
    assert series(svg, "circle") == ["a"]


def test_select_three_runs_and_compare_in_a_browser(  # type: ignore[no-untyped-def]
    ui: UiProcess, seeded: Seeded, browser, screenshots
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{ui.url}/experiments/{seeded.experiment_id}")
    boxes = [  # the seeded gbt runs (each with a loss curve), however the page sorts them
        box
        for box in browser.find_elements(By.CSS_SELECTOR, "form#runs-form input[name=runs]")
        if box.get_attribute("value") in seeded.run_ids
    ]
    assert len(boxes) >= 3
    chosen = []
    for box in boxes[:3]:
        box.click()
        chosen.append(box.get_attribute("value"))
    browser.find_element(By.CSS_SELECTOR, "button#compare").click()
    assert urllib.parse.urlsplit(wait_for_url(browser, "/compare")).path == "/compare"
    assert browser.title == "Compare 3 runs · lakehouse"
    heads = browser.find_elements(By.CSS_SELECTOR, "table#compare-params thead th[data-run]")
    assert sorted(h.get_attribute("data-run") for h in heads) == sorted(chosen)
    for selector in (
        "svg#curves-loss path.series",
        "svg#parallel path.series",
        "svg#scatter circle.series",
    ):
        drawn = browser.find_elements(By.CSS_SELECTOR, selector)
        assert len(drawn) == 3, selector
        assert all(d.is_displayed() for d in drawn), selector
    # The whole page (tables and every chart) in one picture, then the shared window back.
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, max(int(height) + 200, 1000))  # + the window's own bars
    try:
        assert browser.save_screenshot(str(screenshots / "compare.png"))
    finally:
        browser.set_window_size(1400, 1000)
