"""The UI under test: a real ``lakehouse ui`` process over a seeded root, and a real
headless Chromium (Debian's ``chromium`` and ``chromedriver``, which ``make test``
installs) driven by Selenium.

Screenshots go to a temp folder (``UI_SCREENSHOTS`` to choose it); the
path is printed at the end of the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lakehouse import config
from tests.conftest import SESSION_SETTINGS
from tests.ui.seed import Seeded, seed

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@dataclass(frozen=True)
class UiProcess:
    """A running ``lakehouse ui``: its base URL and the process."""

    url: str
    process: subprocess.Popen[str]

    def get(self, path: str) -> tuple[int, str]:
        """GET a page over real HTTP: (status, body)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def post(
        self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """POST a form over real HTTP (redirects followed): (status, body)."""
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.url + path, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")


def wait_for_url(browser: Any, fragment: str, timeout: float = 60) -> str:
    """Wait until a click's navigation has landed: the URL holds ``fragment``, the page loaded.

    A click that submits a form or follows a link returns before the next page is
    there; reading the URL or the elements at once can see the old page.
    """
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout).until(
        lambda d: (
            fragment in d.current_url
            and d.execute_script("return document.readyState") == "complete"
        ),
        message=f"the browser did not reach a URL with {fragment!r} (at {browser.current_url})",
    )
    return str(browser.current_url)


def start_ui(home: str, *extra: str) -> UiProcess:
    """Start ``lakehouse --home HOME ui --port 0`` and wait for the URL it prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    env["LAKEHOUSE_CONF"] = os.environ.get("LAKEHOUSE_CONF", "")
    env["COLUMNS"] = "400"  # one line for the URL, whatever the terminal
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("lakehouse")),
            "--home",
            home,
            "ui",
            "--port",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if " at http://" in line:
            url = line.rsplit(" at ", 1)[1].strip().rstrip("/")
            return UiProcess(url=url, process=process)
    process.kill()
    raise AssertionError("lakehouse ui did not print its URL:\n" + "".join(seen))


def stop_ui(ui: UiProcess) -> None:
    ui.process.terminate()
    try:
        ui.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        ui.process.kill()


@pytest.fixture(scope="session")
def seeded(spark, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:  # type: ignore[no-untyped-def]
    """The seeded root (once per session), with the session's configuration restored after."""
    from lakehouse.spark import sync_active_session

    root = tmp_path_factory.mktemp("ui") / "lakehouse-root"
    with config.config_overrides(home=str(root), **SESSION_SETTINGS) as cfg:
        sync_active_session()
        made = seed(spark, cfg.home_uri)
    sync_active_session()
    yield made


@pytest.fixture(scope="session")
def ui(seeded: Seeded) -> Iterator[UiProcess]:
    """A ``lakehouse ui`` process over the seeded root (writes allowed)."""
    server = start_ui(seeded.home)
    yield server
    stop_ui(server)


@pytest.fixture(scope="session")
def read_only_ui(seeded: Seeded) -> Iterator[UiProcess]:
    """The same root served with ``--read-only``."""
    server = start_ui(seeded.home, "--read-only")
    yield server
    stop_ui(server)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the run's screenshots go (a temp folder unless UI_SCREENSHOTS says)."""
    folder = os.environ.get("UI_SCREENSHOTS") or tempfile.mkdtemp(prefix="lakehouse-ui-shots-")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium through chromedriver (both Debian's; `make test` installs them)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for binary in (CHROMIUM, CHROMEDRIVER):
        if not (Path(binary).exists() or shutil.which(Path(binary).name)):
            pytest.fail(
                f"{binary} is missing: `make test` installs Debian's chromium and "
                "chromium-driver (apt-get install chromium chromium-driver)"
            )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
