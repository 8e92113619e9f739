"""A run's page and its artifact browser, over real HTTP and in Chromium."""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.ui.conftest import UiProcess, wait_for_url
from tests.ui.seed import METRIC_STEPS, MODEL, TABLE, Seeded


def _table(body: str, id_: str) -> list[list[str]]:
    """The cell texts of each body row of table#id_."""
    start = body.index(f'id="{id_}"')
    part = body[start : body.index("</table>", start)].split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", part)
    ]


def _svg(body: str, id_: str) -> str:
    start = body.index(f'<svg class="chart" id="{id_}"')
    return body[start : body.index("</svg>", start)]


def _raw(ui: UiProcess, path: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(ui.url + path, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_run_page_shows_params_metrics_and_one_chart_per_curve(
    ui: UiProcess, seeded: Seeded
) -> None:
    run_id = seeded.run_ids[5]
    status, body = ui.get(f"/runs/{run_id}")
    assert status == 200
    info = dict(_table(body, "run-info"))
    assert info["Run name"] == "gbt-05" and info["Status"] == "FINISHED"
    assert info["Experiment"] == "main.demo.churn"
    assert dict(_table(body, "params")) == {
        "learning_rate": "0.05",
        "max_depth": "7",
        "n_estimators": "100",
    }
    metrics = dict(_table(body, "metrics"))
    assert metrics["accuracy"] == "0.65" and metrics["auc"] == "0.7"
    assert abs(float(metrics["loss"]) - 1.0 / (METRIC_STEPS + 0.5)) < 1e-6  # the last step's
    # loss has a history, accuracy and auc one point each: one chart, one series.
    assert re.findall(r'<svg class="chart" id="([^"]+)"', body) == ["chart-loss"]
    chart = _svg(body, "chart-loss")
    assert re.findall(r'<path class="series" data-series="([^"]+)"', chart) == ["loss"]
    assert dict(_table(body, "tags"))["team"] == "growth"
    assert _table(body, "inputs") == [[TABLE, "0"]]
    assert '<a href="/catalog/main/demo/customers">' in body


def test_several_metrics_on_one_chart_and_the_time_axis(ui: UiProcess, seeded: Seeded) -> None:
    run_id = seeded.run_ids[0]
    _, body = ui.get(f"/runs/{run_id}?chart=loss,accuracy&x=time")
    chart = _svg(body, "chart")
    assert re.findall(r'class="series" data-series="([^"]+)"', chart) == ["loss", "accuracy"]
    assert "seconds since the run started" in chart
    _, body = ui.get(f"/runs/{run_id}?chart=loss&chart=auc")
    assert re.findall(r'class="series" data-series="([^"]+)"', _svg(body, "chart")) == [
        "loss",
        "auc",
    ]
    status, body = ui.get(f"/runs/{run_id}?x=sideways")
    assert status == 400 and "use x=step or x=time" in body
    status, body = ui.get(f"/runs/{run_id}?chart=nothing")
    assert status == 404 and "has no metric &#x27;nothing&#x27;" in body


def test_run_page_links_its_model_versions_and_artifacts(ui: UiProcess, seeded: Seeded) -> None:
    run_id = seeded.model_run_id
    _, body = ui.get(f"/runs/{run_id}")
    for version in seeded.versions:
        assert f'<a href="/models/{MODEL}/versions/{version}">{version}</a>' in body
    logged = _table(body, "logged-models")
    assert logged[0][0] == "model" and logged[0][1].startswith("m-")
    assert f'href="/runs/{run_id}/artifacts?path=model"' in body
    assert f'<a href="/runs/{run_id}/artifacts" id="artifacts-link">' in body


def test_unknown_run_is_a_404_page_that_names_it(ui: UiProcess) -> None:
    for path in ("/runs/no-such-run", "/runs/no-such-run/artifacts"):
        status, body = ui.get(path)
        assert status == 404
        assert "run &#x27;no-such-run&#x27; does not exist" in body
        assert "Traceback" not in body


def test_artifact_folder_listing_with_breadcrumbs(ui: UiProcess, seeded: Seeded) -> None:
    run_id = seeded.model_run_id
    status, body = ui.get(f"/runs/{run_id}/artifacts")
    assert status == 200
    names = [row[0] for row in _table(body, "artifacts")]
    assert names == sorted(names)
    assert {"config/", "data/", "model/", "notes/", "plots/"} <= set(names)
    _, body = ui.get(f"/runs/{run_id}/artifacts?path=notes")
    assert [row[0] for row in _table(body, "artifacts")] == ["readme.txt"]
    crumbs = body[body.index('id="artifact-crumbs"') :].split("</p>", 1)[0]
    assert f'href="/runs/{run_id}/artifacts"' in crumbs and crumbs.endswith("notes")


def test_artifact_previews_text_json_csv_and_image(ui: UiProcess, seeded: Seeded) -> None:
    run_id = seeded.model_run_id
    _, body = ui.get(f"/runs/{run_id}/artifacts?path=notes/readme.txt")
    assert '<pre id="preview">customers scored nightly\n</pre>' in body
    _, body = ui.get(f"/runs/{run_id}/artifacts?path=config/features.json")
    pretty = json.dumps({"features": ["orders_30d", "amount_30d"], "target": "churned"}, indent=2)
    assert pretty.replace('"', "&quot;") in body
    _, body = ui.get(f"/runs/{run_id}/artifacts?path=data/sample.csv")
    rows = _table(body, "preview")
    assert len(rows) == 20 and rows[0][0] == "0"
    assert "<th>customer_id</th><th>orders_30d</th>" in body
    _, body = ui.get(f"/runs/{run_id}/artifacts?path=plots/identity.png")
    src = f"/runs/{run_id}/artifact?path=plots%2Fidentity.png"
    assert f'<img class="preview" id="preview" src="{src}"' in body
    status, kind, data = _raw(ui, src)
    assert status == 200 and kind == "image/png" and data.startswith(b"\x89PNG\r\n\x1a\n")
    status, kind, data = _raw(ui, f"/runs/{run_id}/artifact?path=notes/readme.txt")
    assert kind == "text/plain; charset=utf-8" and data == b"customers scored nightly\n"


def test_mlmodel_and_model_folder_show_flavors_and_signature(ui: UiProcess, seeded: Seeded) -> None:
    run_id = seeded.model_run_id
    for path in ("model/MLmodel", "model"):
        status, body = ui.get(f"/runs/{run_id}/artifacts?path={path}")
        assert status == 200
        flavors = [row[0] for row in _table(body, "flavors")]
        assert flavors == ["python_function", "sklearn"]
        inputs = _table(body, "signature-inputs")
        assert [(r[0], r[1]) for r in inputs] == [
            ("orders_30d", "double"),
            ("amount_30d", "double"),
        ]
        assert _table(body, "signature-outputs")[0][1].startswith("tensor")


def _log_artifacts(seeded: Seeded, contents: dict[str, bytes]) -> None:
    """Write more files into the model run's artifacts (another process than the UI)."""
    from lakehouse import config
    from lakehouse.tracking.client import TrackingClient

    with config.config_overrides(home=seeded.home):
        client = TrackingClient()
        for path, data in contents.items():
            client.log_bytes(seeded.model_run_id, data, path)


def test_a_large_artifact_previews_its_first_megabyte(ui: UiProcess, seeded: Seeded) -> None:
    line = "x" * 99 + "\n"
    _log_artifacts(seeded, {"logs/big.log": (line * 15_000).encode()})
    _, body = ui.get(f"/runs/{seeded.model_run_id}/artifacts?path=logs/big.log")
    assert "Showing the first 1.0 MB only." in body
    text = body.split('<pre id="preview">', 1)[1].split("</pre>", 1)[0]
    assert len(text) == 1 << 20
    _, _, data = _raw(ui, f"/runs/{seeded.model_run_id}/artifact?path=logs/big.log")
    assert len(data) == 1_500_000  # the raw file is whole


def test_parquet_and_tsv_preview_as_tables(ui: UiProcess, seeded: Seeded) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": list(range(250)), "b": [f"v{i}" for i in range(250)]}), buffer)
    _log_artifacts(
        seeded,
        {
            "tables/t.parquet": buffer.getvalue(),
            "tables/t.tsv": b"k\tv\n1\t2\n",
            "tables/bad.parquet": b"not parquet",
        },
    )
    base = f"/runs/{seeded.model_run_id}/artifacts?path=tables/"
    _, body = ui.get(base + "t.parquet")
    rows = _table(body, "preview")
    assert len(rows) == 100 and rows[0] == ["0", "v0"] and rows[-1] == ["99", "v99"]
    assert "<th>a</th><th>b</th>" in body
    _, body = ui.get(base + "t.tsv")
    assert _table(body, "preview") == [["1", "2"]] and "<th>k</th><th>v</th>" in body
    status, body = ui.get(base + "bad.parquet")
    assert status == 200 and "This file cannot be read as Parquet" in body


def test_missing_and_escaping_artifact_paths_are_refused(ui: UiProcess, seeded: Seeded) -> None:
    run_id = seeded.model_run_id
    status, body = ui.get(f"/runs/{run_id}/artifacts?path=notes/missing.txt")
    assert status == 404 and "has no artifact &#x27;notes/missing.txt&#x27;" in body
    for page in ("artifacts", "artifact"):
        status, body = ui.get(f"/runs/{run_id}/{page}?path=../../secrets.txt")
        assert status == 400 and "escapes the run&#x27;s artifact folder" in body
    status, body = ui.get(f"/runs/{run_id}/artifact?path=notes")
    assert status == 404  # a folder has no raw bytes


def test_the_run_page_in_a_browser_draws_its_curves(
    ui: UiProcess, seeded: Seeded, browser: Any, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{ui.url}/runs/{seeded.run_ids[3]}")
    series = browser.find_elements(By.CSS_SELECTOR, "svg#chart-loss path.series")
    assert [s.get_attribute("data-series") for s in series] == ["loss"]
    assert series[0].size["width"] > 100  # drawn across the chart
    # Tick two metrics and switch to the time axis with the chart form.
    for key in ("loss", "auc"):
        browser.find_element(By.CSS_SELECTOR, f'#chart-form input[value="{key}"]').click()
    browser.find_element(By.CSS_SELECTOR, '#chart-x option[value="time"]').click()
    browser.find_element(By.CSS_SELECTOR, "#chart-form button").click()
    assert "x=time" in wait_for_url(browser, "x=time")
    drawn = browser.find_elements(By.CSS_SELECTOR, "svg#chart .series")
    assert [d.get_attribute("data-series") for d in drawn] == ["auc", "loss"]  # form order
    browser.save_screenshot(str(screenshots / "run.png"))
    browser.get(f"{ui.url}/runs/{seeded.model_run_id}/artifacts?path=model")
    assert browser.find_element(By.ID, "signature-inputs").is_displayed()
    browser.save_screenshot(str(screenshots / "run-artifacts-model.png"))
