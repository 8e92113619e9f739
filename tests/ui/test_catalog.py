"""The catalog pages over real HTTP: catalogs → schemas → tables, columns and Delta
history, a feature table's keys and freshness, a scoring output's runs; the UI
process renders them without a JVM.
"""

from __future__ import annotations

import html as _html
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse import config
from tests.conftest import SESSION_SETTINGS
from tests.ui.conftest import UiProcess
from tests.ui.seed import (
    FEATURE_TABLE,
    MODEL,
    SCORED_DATE,
    SCORES_TABLE,
    TABLE,
    Seeded,
    seed_data_plane,
)
from tests.ui.test_models import rows


@pytest.fixture(scope="session")
def data_plane(seeded: Seeded) -> Iterator[None]:
    """The feature table and the scoring run, added to the seeded root (the running UI
    shows them on the next request: it keeps no copy of the state).

    Session-scoped like the root it adds to: the tests of this module may run apart
    (xdist's slowest-first order), and a second seeding would be a second refresh."""
    from lakehouse.spark import sync_active_session

    with config.config_overrides(home=seeded.home, **SESSION_SETTINGS):
        sync_active_session()
        seed_data_plane()
    sync_active_session()
    yield


def _path(full_name: str) -> str:
    return "/catalog/" + full_name.replace(".", "/")


def test_catalogs_and_schemas_open(ui: UiProcess) -> None:
    status, body = ui.get("/catalog")
    assert status == 200
    assert {"main", "system"} <= {r[0] for r in rows(body, "catalogs")}
    assert 'href="/catalog/main"' in body
    status, body = ui.get("/catalog/main")
    assert status == 200
    schemas = {r[0]: r for r in rows(body, "schemas")}
    assert schemas["demo"][1] == "the demo's tables and models"
    assert 'href="/catalog/main/demo"' in body


@pytest.mark.slow  # the data plane's seeding: Spark jobs and a scoring run
@pytest.mark.usefixtures("data_plane")
def test_schema_page_lists_tables_by_kind_and_its_models(ui: UiProcess) -> None:
    status, body = ui.get("/catalog/main/demo")
    assert status == 200
    tables = {r[0]: r for r in rows(body, "tables")}
    assert tables["customers"][1] == "table"
    assert tables["customers"][3] == "as_of_date"
    assert tables["customers"][5] == "customers, one row per day"
    assert tables["customer_features"][1] == "feature table"
    assert tables["churn_scores"][1] == "scoring output"
    assert f'href="{_path(TABLE)}"' in body
    assert MODEL in [r[0] for r in rows(body, "schema-models")]


def test_table_page_shows_columns_facts_and_delta_history(ui: UiProcess) -> None:
    status, body = ui.get(_path(TABLE))
    assert status == 200
    columns = {r[0]: r for r in rows(body, "columns")}
    assert list(columns) == ["customer_id", "orders_30d", "amount_30d", "churned", "as_of_date"]
    assert columns["customer_id"][1] == "long" and columns["amount_30d"][1] == "double"
    assert "customers, one row per day" in body
    facts = _facts(body, "table-facts")
    assert facts["partitioned by"] == "as_of_date"
    assert facts["comment"] == "customers, one row per day"
    assert facts["owner"].endswith("(the schema's owner)")
    history = rows(body, "history")
    assert history[-1][0] == "0"  # the create, oldest last
    assert history[-1][2]  # an operation name
    assert "/warehouse/main/demo/customers" in body


@pytest.mark.slow
@pytest.mark.usefixtures("data_plane")
def test_feature_table_page_shows_keys_freshness_and_last_refresh(ui: UiProcess) -> None:
    status, body = ui.get(_path(FEATURE_TABLE))
    assert status == 200
    facts = _facts(body, "feature")
    assert facts["primary keys"] == "customer_id, feature_date"
    assert facts["timeseries column"] == "feature_date"
    assert facts["newest timeseries value"] == SCORED_DATE
    assert "jobs/refresh_features.py" in facts["last refresh"]
    assert "created version 0, 200 inserted" in facts["last refresh"]
    assert facts["last write"]
    assert "order activity per customer and day" in body


@pytest.mark.slow
@pytest.mark.usefixtures("data_plane")
def test_scoring_output_page_shows_which_version_scored_each_date(ui: UiProcess) -> None:
    status, body = ui.get(_path(SCORES_TABLE))
    assert status == 200
    scored = rows(body, "scoring-runs")
    assert len(scored) == 1
    date, model, *_ = scored[0]
    assert date == f"as_of_date={SCORED_DATE}"
    assert model == f"{MODEL} v2"  # champion when the seed scored
    assert f'href="/models/{MODEL}/versions/2"' in body
    assert 'href="/runs/' in body
    _, body = ui.get(f"/models/{MODEL}/versions/2")
    assert [r[:2] for r in rows(body, "version-scoring-runs")] == [[date, model]]
    _, body = ui.get(f"/models/{MODEL}/versions/1")
    assert rows(body, "version-scoring-runs") == [["No scoring runs recorded."]]


def test_unknown_catalog_schema_and_table_are_404_pages_naming_them(ui: UiProcess) -> None:
    status, body = ui.get("/catalog/nocat")
    assert status == 404 and "catalog &#x27;nocat&#x27; does not exist" in body
    status, body = ui.get("/catalog/main/noschema")
    assert status == 404 and "main.noschema" in body
    status, body = ui.get("/catalog/main/demo/no_table")
    assert status == 404 and "main.demo.no_table does not exist" in body


def _facts(body: str, table_id: str) -> dict[str, str]:
    """label -> value of a facts table (table.kv: a th and a td per row)."""
    found = re.search(rf'<table[^>]*id="{table_id}">(.*?)</table>', body, re.S)
    assert found, f"no table#{table_id}"
    pairs = re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", found.group(1), re.S)
    return {k: _html.unescape(re.sub(r"<[^>]+>", "", v)).strip() for k, v in pairs}


@pytest.mark.slow
@pytest.mark.usefixtures("data_plane")
def test_pages_render_without_pyspark_or_a_jvm(ui: UiProcess, seeded: Seeded) -> None:
    pages = [
        "/catalog",
        "/catalog/main/demo",
        _path(TABLE),
        _path(FEATURE_TABLE),
        _path(SCORES_TABLE),
        "/models",
        f"/models/{MODEL}",
        f"/models/{MODEL}/versions/1",
    ]
    for page in pages:
        assert ui.get(page)[0] == 200, page
    children = [
        p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == ui.process.pid
    ]
    assert children == [], "the ui process started a child (a JVM?)"
    script = (
        "import sys\n"
        "from lakehouse import config\n"
        "from lakehouse.ui.server import UiApp, dispatch\n"
        f"app = UiApp(cfg=config.set_config(home={seeded.home!r}) or config.get_config())\n"
        f"for page in {pages!r}:\n"
        "    response = dispatch(app, 'GET', page)\n"
        "    assert response.status == 200, (page, response.body[-2000:])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j'))\n"
        "assert not loaded, loaded\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    env["LAKEHOUSE_CONF"] = os.environ.get("LAKEHOUSE_CONF", "")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


@pytest.mark.slow
@pytest.mark.usefixtures("data_plane")
def test_table_page_in_the_browser(ui: UiProcess, browser, screenshots) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(ui.url + _path(FEATURE_TABLE))
    assert browser.title == f"{FEATURE_TABLE} · lakehouse"
    names = [
        td.text for td in browser.find_elements(By.CSS_SELECTOR, "table#columns td:first-child")
    ]
    assert names[:2] == ["customer_id", "feature_date"]
    assert browser.find_element(By.ID, "feature").is_displayed()
    assert browser.save_screenshot(str(screenshots / "table.png"))
