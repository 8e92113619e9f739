"""The experiments list and an experiment's runs page, over real HTTP and in Chromium."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any

from tests.ui.conftest import UiProcess, wait_for_url
from tests.ui.seed import EXPERIMENT, RUNS, Seeded

GROWTH = "tags.team = 'growth'"  # the seed's 24 gbt runs, whatever else lands in the experiment


def _runs_page(ui: UiProcess, seeded: Seeded, **query: str) -> tuple[int, str]:
    encoded = urllib.parse.urlencode(query)
    return ui.get(f"/experiments/{seeded.experiment_id}" + (f"?{encoded}" if encoded else ""))


def _rows(body: str) -> list[tuple[str, list[str]]]:
    """(run id, cell texts) of each row of table#runs."""
    table = body[body.index('id="runs"') :]
    out = []
    for run_id, row in re.findall(r'<tr data-run-id="(\w+)">(.*?)</tr>', table):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        out.append((run_id, cells))
    return out


def _headers(body: str) -> list[str]:
    head = body[body.index('id="runs"') :].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>|[ ▲▼]", "", h) for h in re.findall(r"<th>(.*?)</th>", head)]


def _column(body: str, name: str) -> list[str]:
    index = _headers(body).index(name)
    return [cells[index] for _, cells in _rows(body)]


def test_experiments_page_lists_each_experiment_with_its_run_count(
    ui: UiProcess, seeded: Seeded
) -> None:
    status, body = ui.get("/experiments")
    assert status == 200
    row = re.search(
        rf'<tr><td><a href="/experiments/{seeded.experiment_id}">{re.escape(EXPERIMENT)}</a>'
        r"</td><td>\d+</td><td><span class=\"num\">(\d+)</span></td><td>([^<]*)</td>"
        r"<td>([^<]*)</td></tr>",
        body,
    )
    assert row is not None, body
    count, created, last = int(row.group(1)), row.group(2), row.group(3)
    assert count >= RUNS + 1  # the 24 gbt runs and logreg-final
    _, runs = _runs_page(ui, seeded)
    assert f"of {count}</span>" in runs  # the same count as the runs page's
    assert last >= created  # the newest run moved after the experiment was made


def test_experiments_search_narrows_by_name(ui: UiProcess) -> None:
    _, body = ui.get("/experiments?q=demo.CHURN")
    assert EXPERIMENT in body
    _, body = ui.get("/experiments?q=no-such-experiment")
    assert EXPERIMENT not in body and "No experiment matches." in body


def test_a_valid_filter_keeps_fewer_rows(ui: UiProcess, seeded: Seeded) -> None:
    _, everything = _runs_page(ui, seeded)
    status, body = _runs_page(ui, seeded, filter="params.max_depth = '2'")
    assert status == 200
    names = sorted(cells[1] for _, cells in _rows(body))
    assert names == ["gbt-00", "gbt-06", "gbt-12", "gbt-18"]  # depth 2 + index % 6
    assert "of 4</span>" in body
    assert len(_rows(everything)) > len(names)
    assert 'value="params.max_depth = &#x27;2&#x27;"' in body  # the box keeps the filter


def test_a_malformed_filter_is_shown_inline_with_an_empty_table(
    ui: UiProcess, seeded: Seeded
) -> None:
    status, body = _runs_page(ui, seeded, filter="metrics.accuracy >> 1")
    assert status == 200
    error = re.search(r'<p class="error" id="filter-error">([^<]*)</p>', body)
    assert error is not None
    assert "invalid filter" in error.group(1) and "expected a value" in error.group(1)
    assert _rows(body) == [] and "No run matches." in body
    status, body = _runs_page(ui, seeded, order_by="metrics.accuracy SIDEWAYS")
    assert status == 200 and 'id="filter-error"' in body and "ASC, DESC" in body


def test_sorting_by_accuracy_descending_puts_the_best_run_first(
    ui: UiProcess, seeded: Seeded
) -> None:
    _, body = _runs_page(ui, seeded, filter=GROWTH, order_by="metrics.accuracy DESC")
    accuracies = [float(v) for v in _column(body, "metrics.accuracy")]
    assert accuracies == sorted(accuracies, reverse=True)
    assert _rows(body)[0][1][1] == f"gbt-{RUNS - 1:02d}"  # accuracy 0.6 + index / 100
    # The header now links to the opposite order.
    link = re.search(r'<a href="([^"]+)" id="sort-metrics.accuracy"', body)
    assert link is not None and "metrics.accuracy+ASC" in link.group(1)
    _, body = _runs_page(ui, seeded, filter=GROWTH, order_by="metrics.accuracy ASC")
    assert _rows(body)[0][1][1] == "gbt-00"


def test_the_column_chooser_lists_every_key_and_shows_the_chosen_ones(
    ui: UiProcess, seeded: Seeded
) -> None:
    _, body = _runs_page(ui, seeded, filter=GROWTH)
    defaults = _headers(body)[5:]
    assert {"metrics.accuracy", "metrics.auc", "metrics.loss", "params.max_depth"} <= set(defaults)
    assert not any(h.startswith("tags.") for h in defaults)  # metrics and params by default
    chooser = body[body.index('id="column-chooser"') :]
    offered = set(re.findall(r'name="columns" value="([^"]+)"', chooser))
    assert {"params.learning_rate", "params.n_estimators", "tags.team", "tags.index"} <= offered
    _, body = _runs_page(ui, seeded, filter=GROWTH, columns="tags.index,params.max_depth")
    assert _headers(body)[5:] == ["tags.index", "params.max_depth"]
    for _, cells in _rows(body):
        index = int(cells[5])
        assert cells[6] == str(2 + index % 6)


def test_pages_split_the_runs_and_together_hold_each_once(ui: UiProcess, seeded: Seeded) -> None:
    seen: list[str] = []
    for page in range(3):
        _, body = _runs_page(ui, seeded, filter=GROWTH, page_size="10", page=str(page))
        rows = _rows(body)
        assert len(rows) == (10 if page < 2 else RUNS - 20)
        assert f"Runs {page * 10 + 1}–{page * 10 + len(rows)} of {RUNS}" in body
        assert ('id="page-next"' in body) == (page < 2)
        assert ('id="page-prev"' in body) == (page > 0)
        seen += [run_id for run_id, _ in rows]
    assert sorted(seen) == sorted(seeded.run_ids)
    status, body = _runs_page(ui, seeded, page_size="5000")
    assert status == 400 and "page_size=&#x27;5000&#x27;" in body and "1 to 1000" in body


def test_the_runs_page_in_a_browser_filters_sorts_and_compares(
    ui: UiProcess, seeded: Seeded, browser: Any, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{ui.url}/experiments/{seeded.experiment_id}")
    box = browser.find_element(By.ID, "filter")
    box.send_keys(GROWTH + " AND metrics.auc > 0.75")
    box.submit()
    wait_for_url(browser, "metrics.auc")
    rows = browser.find_elements(By.CSS_SELECTOR, "table#runs tbody tr[data-run-id]")
    assert len(rows) == 9  # index % 5 in (3, 4): auc 0.76, 0.78
    # Two clicks on the accuracy header: the first sorts descending, the second ascending.
    browser.find_element(By.ID, "sort-metrics.accuracy").click()
    assert "metrics.accuracy+DESC" in wait_for_url(browser, "metrics.accuracy+DESC")
    first = browser.find_element(By.CSS_SELECTOR, "table#runs tbody tr a.run").text
    assert first == f"gbt-{RUNS - 1:02d}"
    assert "auc" in browser.find_element(By.ID, "filter").get_attribute("value")
    browser.save_screenshot(str(screenshots / "runs.png"))
    browser.find_element(By.ID, "sort-metrics.accuracy").click()
    assert "metrics.accuracy+ASC" in wait_for_url(browser, "metrics.accuracy+ASC")
    assert browser.find_element(By.CSS_SELECTOR, "table#runs tbody tr a.run").text == "gbt-03"
    # Select all, then none, then three runs, and compare them.
    boxes = browser.find_elements(By.CSS_SELECTOR, 'form#runs-form input[name="runs"]')
    browser.find_element(By.ID, "select-all").click()
    assert all(b.is_selected() for b in boxes)
    browser.find_element(By.ID, "select-all").click()
    assert not any(b.is_selected() for b in boxes)
    picked = [b.get_attribute("value") for b in boxes[:3]]
    for b in boxes[:3]:
        b.click()
    browser.find_element(By.ID, "compare").click()
    url = urllib.parse.urlsplit(wait_for_url(browser, "/compare"))
    assert url.path == "/compare"
    assert urllib.parse.parse_qs(url.query)["runs"] == picked
