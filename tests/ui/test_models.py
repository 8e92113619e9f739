"""The registry pages over real HTTP and in a real browser: models, versions, aliases,
alias history, lineage, and the rollback action (confirmed, dismissed, read-only).

The rollback tests move only ROLLBACK_MODEL's aliases, never MODEL's (other tests
read MODEL's champion), and read the state they start from off the page.
"""

from __future__ import annotations

import html as _html
import re

from tests.ui.conftest import UiProcess, wait_for_url
from tests.ui.seed import MODEL, ROLLBACK_MODEL, TABLE, Seeded


def rows(body: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of table#table_id."""
    found = re.search(rf'<table[^>]*id="{re.escape(table_id)}".*?</table>', body, re.S)
    assert found, f"no table#{table_id} in the page"
    tbody = found.group(0).split("<tbody>", 1)[1]
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out.append([_html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return out


def test_models_list_shows_latest_version_and_aliases(ui: UiProcess) -> None:
    status, body = ui.get("/models")
    assert status == 200
    by_name = {r[0]: r for r in rows(body, "models")}
    assert {MODEL, ROLLBACK_MODEL} <= set(by_name)
    name, latest, aliases, updated, _ = by_name[MODEL]
    assert latest == "v3"
    assert "@champion → v2" in aliases and "@challenger → v3" in aliases
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", updated)
    assert f'href="/models/{MODEL}"' in body
    _, body = ui.get("/models?q=ROLLBACK")
    assert [r[0] for r in rows(body, "models")] == [ROLLBACK_MODEL]


def test_model_page_shows_versions_champion_and_its_history(ui: UiProcess, seeded: Seeded) -> None:
    status, body = ui.get(f"/models/{MODEL}")
    assert status == 200
    versions = rows(body, "versions")
    assert [r[0] for r in versions] == ["v3", "v2", "v1"]
    v2 = versions[1]
    assert v2[1] == "Production" and "@champion" in v2[2] and v2[3] == seeded.model_run_id
    assert f'href="/runs/{seeded.model_run_id}"' in body
    assert f'href="/models/{MODEL}/versions/2"' in body
    aliases = {r[0]: r for r in rows(body, "aliases")}
    assert aliases["@champion"][1] == "v2" and aliases["@challenger"][1] == "v3"
    assert re.fullmatch(r"\d{4}-.*", aliases["@champion"][2])  # since when
    champion = [r for r in rows(body, "alias-history") if r[2] == "champion"]
    # Newest first: v1 -> v2, then the first set (from no version) to v1.
    assert [(r[4], r[5]) for r in champion] == [("v1", "v2"), ("—", "v1")]
    assert all(r[1] for r in champion)  # who
    assert 'data-confirm="Roll champion back from v2 to v1?"' in body
    assert 'class="danger" id="rollback-champion"' in body


def test_version_page_shows_lineage_and_the_source_run(ui: UiProcess, seeded: Seeded) -> None:
    status, body = ui.get(f"/models/{MODEL}/versions/2")
    assert status == 200
    lineage = rows(body, "lineage-inputs")
    assert [r[0] for r in lineage] == [TABLE]
    assert lineage[0][1].isdigit()
    assert 'href="/catalog/main/demo/customers"' in body
    assert f'<a href="/runs/{seeded.model_run_id}" id="lineage-run">' in body
    assert "Production" in body and "@champion" in body
    assert [r[0] for r in rows(body, "signature-inputs")] == ["orders_30d", "amount_30d"]


def test_unknown_model_and_version_are_404_pages_naming_them(ui: UiProcess) -> None:
    status, body = ui.get("/models/main.demo.no_such_model")
    assert status == 404 and "main.demo.no_such_model" in body and 'id="error"' in body
    status, body = ui.get(f"/models/{MODEL}/versions/99")
    assert status == 404 and "99" in body and MODEL in body


def test_rollback_without_an_earlier_version_is_an_error_page(ui: UiProcess) -> None:
    status, body = ui.post(f"/models/{ROLLBACK_MODEL}/aliases/challenger/rollback", {})
    assert status == 400
    assert "cannot roll back alias 'challenger'" in _html.unescape(body)
    assert "pointed to no version before its last move" in body
    _, page = ui.get(f"/models/{ROLLBACK_MODEL}")
    assert {r[0]: r[1] for r in rows(page, "aliases")}["@challenger"] == "v2"


def test_read_only_refuses_the_rollback_and_changes_nothing(
    ui: UiProcess, read_only_ui: UiProcess
) -> None:
    _, before = ui.get(f"/models/{ROLLBACK_MODEL}")
    status, body = read_only_ui.post(f"/models/{ROLLBACK_MODEL}/aliases/champion/rollback", {})
    assert status == 403
    assert "this UI was started with --read-only" in body
    assert "rolling back alias" in _html.unescape(body)
    _, after = ui.get(f"/models/{ROLLBACK_MODEL}")
    assert rows(after, "aliases") == rows(before, "aliases")
    assert rows(after, "alias-history") == rows(before, "alias-history")
    _, shown = read_only_ui.get(f"/models/{ROLLBACK_MODEL}")
    assert re.search(r'id="rollback-champion" disabled', shown)
    assert "read-only" in shown


def test_a_form_posted_from_another_site_is_refused(ui: UiProcess) -> None:
    _, before = ui.get(f"/models/{ROLLBACK_MODEL}")
    path = f"/models/{ROLLBACK_MODEL}/aliases/champion/rollback"
    status, body = ui.post(path, {}, headers={"Origin": "http://elsewhere.example"})
    assert status == 403
    assert "a form from http://elsewhere.example may not change this lakehouse" in body
    _, after = ui.get(f"/models/{ROLLBACK_MODEL}")
    assert rows(after, "alias-history") == rows(before, "alias-history")


def test_rollback_in_the_browser_asks_first_and_moves_the_alias(  # type: ignore[no-untyped-def]
    ui: UiProcess, browser, screenshots
) -> None:
    from selenium.webdriver.common.by import By

    url = f"{ui.url}/models/{ROLLBACK_MODEL}"
    browser.get(url)
    _, body = ui.get(f"/models/{ROLLBACK_MODEL}")
    history = rows(body, "alias-history")
    current = {r[0]: r[1] for r in rows(body, "aliases")}["@champion"]
    question = re.search(r'data-confirm="(Roll champion back from (v\d+) to (v\d+)\?)"', body)
    assert question and question.group(2) == current
    target = question.group(3)

    browser.find_element(By.CSS_SELECTOR, "button#rollback-champion").click()
    alert = browser.switch_to.alert
    assert alert.text == _html.unescape(question.group(1))
    alert.dismiss()
    assert browser.current_url == url
    _, unchanged = ui.get(f"/models/{ROLLBACK_MODEL}")
    assert rows(unchanged, "alias-history") == history

    browser.find_element(By.CSS_SELECTOR, "button#rollback-champion").click()
    browser.switch_to.alert.accept()
    wait_for_url(browser, "?rolled=champion")
    notice = browser.find_element(By.ID, "notice")
    assert notice.text == f"Rolled champion back from {current} to {target}."
    assert browser.current_url == f"{url}?rolled=champion"
    cells = browser.find_elements(By.CSS_SELECTOR, "table#aliases tbody tr")
    champion = [c.text for c in cells if c.text.startswith("@champion")]
    assert champion and f" {target} " in f" {champion[0]} "
    moved = browser.find_elements(By.CSS_SELECTOR, "table#alias-history tbody tr")
    assert len(moved) == len(history) + 1
    newest = [td.text for td in moved[0].find_elements(By.TAG_NAME, "td")]
    assert newest[2:] == ["champion", "rollback", current, target]
    assert browser.save_screenshot(str(screenshots / "model.png"))
