"""The server itself over real HTTP: routing, error pages, static assets, the CLI line."""

from __future__ import annotations

from tests.ui.conftest import UiProcess


def test_start_page_redirects_to_the_experiments(ui: UiProcess) -> None:
    status, body = ui.get("/")
    assert status == 200
    assert '<table class="grid" id="experiments">' in body
    assert "main.demo.churn" in body


def test_an_unknown_page_is_a_404_page_that_says_so(ui: UiProcess) -> None:
    status, body = ui.get("/no/such/page")
    assert status == 404
    assert "no page at /no/such/page" in body
    assert "Traceback" not in body


def test_static_assets_ship_in_the_package(ui: UiProcess) -> None:
    status, css = ui.get("/static/style.css")
    assert status == 200 and "table.grid" in css
    status, body = ui.get("/static/../pyproject.toml")
    assert status == 404


def test_experiments_search_by_name(ui: UiProcess) -> None:
    _, body = ui.get("/experiments?q=CHURN")
    assert "main.demo.churn" in body
    _, body = ui.get("/experiments?q=nothing-like-this")
    assert "main.demo.churn" not in body


def test_a_real_browser_renders_the_start_page(ui: UiProcess, browser, screenshots) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(ui.url + "/")
    assert browser.current_url.endswith("/experiments")
    assert browser.title == "Experiments · lakehouse"
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table#experiments td a")]
    assert "main.demo.churn" in names
    assert browser.save_screenshot(str(screenshots / "experiments.png"))
