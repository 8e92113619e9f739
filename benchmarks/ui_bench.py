"""Web UI benchmark: the runs page over N runs, lakehouse ui vs MLflow's UI, in one run.

Both stores get the same runs (one experiment; 3 params, 3 metrics, 2 tags each, same
values and names). On each side the first ``--api-runs`` runs are logged through its
client (``create_run``, ``log_batch``, ``set_terminated``) and that rate is printed;
the rest go in bulk: for lakehouse the same rows through its tracking writer (the
client's path without ``create_run``'s per-call experiment read), then a compaction;
for MLflow ``INSERT``s of the rows its client writes into the SQLite tables MLflow
created (its client would take hours for 100k runs). Seeding is set-up: its times are
printed, not compared.

Then both UIs run as real processes (``lakehouse ui``, ``mlflow ui``), and headless
Chromium (Debian's chromium + chromedriver, as tests/ui does) measures, side by side:

- first paint: navigation start -> the runs table shows its rows (ours:
  ``table#runs tbody tr``; MLflow's React page: its links to runs);
- a filter round trip (``metrics.m0 > 0.5``) in the browser: the filter is typed and
  submitted, timed until every row shown is a run that matches;
- the same filter over raw HTTP: our ``GET /experiments/<id>?filter=...`` (the whole
  page) and MLflow's ``POST /ajax-api/2.0/mlflow/runs/search`` (the JSON its page asks
  for), with the same max_results as our page size.

    .venv/bin/python benchmarks/ui_bench.py --runs 100000 --repeat 3

``--keep DIR`` seeds into DIR and reuses what is there on the next run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILTER = "metrics.m0 > 0.5"
PARAMS, METRICS, TAGS = 3, 3, 2
EXPERIMENT = "main.bench.ui_runs"
MLFLOW_EXPERIMENT = "ui_runs"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
BIN = Path(sys.executable).parent


# -- the runs -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RunSet:
    """N runs: names, start times (epoch ms), and their params, metrics and tags."""

    names: list[str]
    start: list[int]
    params: list[dict[str, str]]
    metrics: list[dict[str, float]]
    tags: list[dict[str, str]]

    def __len__(self) -> int:
        return len(self.names)


def make_runs(n: int, seed: int = 0) -> RunSet:
    """The same N runs for both stores (seeded)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    now = int(time.time() * 1000)
    depth = rng.integers(2, 12, n)
    rate = rng.choice([0.01, 0.03, 0.1, 0.3], n)
    model = rng.choice(["gbt", "rf", "logreg"], n)
    values = rng.random((n, METRICS))
    team = rng.choice(["growth", "risk", "search"], n)
    return RunSet(
        names=[f"run-{i:06d}" for i in range(n)],
        start=[now - (n - i) * 1000 for i in range(n)],
        params=[
            {"p0": str(int(depth[i])), "p1": str(float(rate[i])), "p2": str(model[i])}
            for i in range(n)
        ],
        metrics=[{f"m{j}": float(values[i, j]) for j in range(METRICS)} for i in range(n)],
        tags=[{"team": str(team[i]), "batch": str(i // 1000)} for i in range(n)],
    )


# -- lakehouse ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Seeded:
    """One store's experiment, its run ids by name, and how seeding went."""

    experiment_id: str
    ids: dict[str, str]
    api_runs: int
    api_seconds: float
    bulk_seconds: float

    def note(self, system: str) -> str:
        """A line saying how the runs got there."""
        n = len(self.ids)
        rate = self.api_runs / self.api_seconds if self.api_seconds else float("nan")
        return (
            f"{system}: {self.api_runs:,} runs through its client in {self.api_seconds:.1f} s "
            f"({rate:,.0f} runs/s; all {n:,} would take {n / rate:,.0f} s), "
            f"{n - self.api_runs:,} in bulk in {self.bulk_seconds:.1f} s"
        )


def _lh_api_run(client: Any, exp_id: str, runs: RunSet, i: int) -> str:
    """One run as a user logs it: create_run, log_batch, set_terminated."""
    from lakehouse.tracking.entities import Metric, Param, RunTag

    start = runs.start[i]
    run_id: str = client.create_run(exp_id, start_time=start, run_name=runs.names[i]).info.run_id
    client.log_batch(
        run_id,
        metrics=[Metric(key=k, value=v, timestamp=start) for k, v in runs.metrics[i].items()],
        params=[Param(key=k, value=v) for k, v in runs.params[i].items()],
        tags=[RunTag(key=k, value=v) for k, v in runs.tags[i].items()],
    )
    client.set_terminated(run_id, end_time=start + 500)
    return run_id


def _lh_bulk_run(writer: Any, exp: Any, runs: RunSet, i: int) -> str:
    """The rows the client writes for one finished run, through the same tracking writer
    (without create_run's per-call experiment lookup, a Delta read of ~7 ms)."""
    from lakehouse import paths
    from lakehouse.tracking.entities import Metric, RunInfo, RunStatus
    from lakehouse.tracking.tables import metric_row, param_row, run_row, tag_row

    run_id, start = uuid.uuid4().hex, runs.start[i]
    info = RunInfo(
        run_id=run_id,
        experiment_id=exp.experiment_id,
        run_name=runs.names[i],
        status=RunStatus.FINISHED,
        start_time=start,
        end_time=start + 500,
        user_id="bench",
        artifact_uri=paths.join(exp.artifact_location, run_id, "artifacts"),
    )
    writer.add("runs", [run_row(info)])
    writer.add("params", [param_row(run_id, k, v) for k, v in runs.params[i].items()])
    metrics = [Metric(key=k, value=v, timestamp=start) for k, v in runs.metrics[i].items()]
    writer.add("metrics", [metric_row(run_id, m) for m in metrics])
    tags = {"mlflow.runName": runs.names[i], **runs.tags[i]}
    writer.add("tags", [tag_row(run_id, k, v) for k, v in tags.items()])
    return run_id


def seed_lakehouse(root: str, runs: RunSet, api_runs: int) -> Seeded:
    """The first ``api_runs`` runs through the public tracking client, the rest as the
    same rows through its writer; then the final commit and a compaction (as
    ``make demo`` ends), counted in the bulk time."""
    from lakehouse.config import config_overrides
    from lakehouse.tracking.client import TrackingClient
    from lakehouse.tracking.maintenance import compact
    from lakehouse.tracking.writer import writer_for

    with config_overrides(home=root, tracking_flush_size=50_000) as cfg:
        client = TrackingClient()
        exp_id = client.create_experiment(EXPERIMENT)
        ids: dict[str, str] = {}
        api = min(api_runs, len(runs))
        t = time.perf_counter()
        for i in range(api):
            ids[runs.names[i]] = _lh_api_run(client, exp_id, runs, i)
        client.flush()
        api_s = time.perf_counter() - t
        t = time.perf_counter()
        exp, writer = client.get_experiment(exp_id), writer_for(cfg)
        for i in range(api, len(runs)):
            ids[runs.names[i]] = _lh_bulk_run(writer, exp, runs, i)
        client.flush()
        list(compact(cfg))
        return Seeded(exp_id, ids, api, api_s, time.perf_counter() - t)


# -- mlflow -------------------------------------------------------------------------------
def _ml_api_run(client: Any, exp_id: str, runs: RunSet, i: int) -> str:
    from mlflow.entities import Metric, Param, RunTag

    start = runs.start[i]
    run_id: str = client.create_run(exp_id, start_time=start, run_name=runs.names[i]).info.run_id
    client.log_batch(
        run_id,
        metrics=[Metric(k, v, start, 0) for k, v in runs.metrics[i].items()],
        params=[Param(k, v) for k, v in runs.params[i].items()],
        tags=[RunTag(k, v) for k, v in runs.tags[i].items()],
    )
    client.set_terminated(run_id, end_time=start + 500)
    return run_id


def _ml_bulk(db: str, exp_id: str, artifacts: str, runs: RunSet, lo: int) -> dict[str, str]:
    """Runs lo.. as the rows MlflowClient writes for them, inserted into its SQLite tables."""
    ids = {runs.names[i]: uuid.uuid4().hex for i in range(lo, len(runs))}
    rows = [(i, ids[runs.names[i]]) for i in range(lo, len(runs))]
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id,"
        " status, start_time, end_time, source_version, lifecycle_stage, artifact_uri,"
        " experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', 'bench', 'FINISHED', ?, ?, '',"
        " 'active', ?, ?)",
        [
            (
                r,
                runs.names[i],
                runs.start[i],
                runs.start[i] + 500,
                f"{artifacts}/{r}/artifacts",
                int(exp_id),
            )  # fmt: skip
            for i, r in rows
        ],
    )
    con.executemany(
        "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
        [(k, v, r) for i, r in rows for k, v in runs.params[i].items()],
    )
    points = [(k, v, runs.start[i], r, 0, 0) for i, r in rows for k, v in runs.metrics[i].items()]
    con.executemany(
        "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?,?,?,?,?,?)",
        points,
    )
    con.executemany(
        "INSERT INTO latest_metrics (key, value, timestamp, run_uuid, step, is_nan)"
        " VALUES (?,?,?,?,?,?)",
        points,
    )
    con.executemany(
        "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
        [
            (k, v, r)
            for i, r in rows
            for k, v in {"mlflow.runName": runs.names[i], **runs.tags[i]}.items()
        ],
    )
    con.commit()
    con.close()
    return ids


def seed_mlflow(folder: str, runs: RunSet, api_runs: int) -> Seeded:
    """MLflow creates its SQLite store and logs the first ``api_runs`` runs through
    ``MlflowClient``; the rest are inserted in bulk with its schema."""
    import mlflow

    db = f"{folder}/mlflow.db"
    client = mlflow.MlflowClient(f"sqlite:///{db}")
    artifacts = f"{folder}/artifacts"
    exp_id = client.create_experiment(MLFLOW_EXPERIMENT, artifact_location=artifacts)
    # MLflow 3's UI opens an experiment without this tag on its GenAI overview; the tag
    # (what its UI sets when one picks "Model training") opens the runs table.
    client.set_experiment_tag(exp_id, "mlflow.experimentKind", "custom_model_development")
    api = min(api_runs, len(runs))
    t = time.perf_counter()
    ids = {runs.names[i]: _ml_api_run(client, exp_id, runs, i) for i in range(api)}
    api_s = time.perf_counter() - t
    t = time.perf_counter()
    ids.update(_ml_bulk(db, exp_id, artifacts, runs, api))
    return Seeded(exp_id, ids, api, api_s, time.perf_counter() - t)


# -- servers ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Server:
    """A UI process and its base URL."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """Terminate the process (and, for uvicorn, its workers: one process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def launch(command: list[str], url: str, log: Path) -> Server:
    """Start ``command`` in its own process group (output to ``log``); do not wait."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    env["COLUMNS"] = "400"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    return Server(url, process, log)


def wait_ready(server: Server, probe: str, timeout: float) -> None:
    """Wait until ``url + probe`` answers 200 (the server is stopped if it never does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            with urllib.request.urlopen(server.url + probe, timeout=30) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    server.stop()
    tail = server.log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"no answer at {server.url + probe}:\n{tail}")


def start_lakehouse(root: str, port: int, log: Path) -> Server:
    """``lakehouse --home ROOT ui --port PORT`` (a real process), once it answers."""
    command = [str(BIN / "lakehouse"), "--home", root, "ui", "--port", str(port)]
    server = launch(command, f"http://127.0.0.1:{port}", log)
    wait_ready(server, "/experiments", timeout=120)
    return server


def launch_mlflow(db: str, port: int, log: Path) -> Server:
    """``mlflow ui --backend-store-uri sqlite:///DB --port PORT`` (its defaults otherwise:
    uvicorn with 4 workers); wait with ``wait_ready(server, "/health", ...)``."""
    command = [
        str(BIN / "mlflow"), "ui", "--backend-store-uri", f"sqlite:///{db}",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    return launch(command, f"http://127.0.0.1:{port}", log)


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# -- the browser --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Ui:
    """One UI under test: its runs page, how its rows name their runs, its filter box."""

    name: str
    server: Server
    runs_url: str
    row_ids_js: str  # a JS expression: the run ids of the rows shown
    filter_box: str  # CSS selector of the filter input (Enter submits it)
    experiment_id: str | None = None  # MLflow's (for its ajax-api)


# Our runs page: one checkbox per row whose value is the run id.
LH_ROW_IDS = (
    "Array.from(document.querySelectorAll('table#runs tbody input[name=\"runs\"]'))"
    ".map(e => e.value)"
)
LH_FILTER_BOX = 'input[name="filter"]'
# MLflow's React runs table: each row links to #/experiments/<id>/runs/<run id>.
ML_ROW_IDS = (
    "Array.from(document.querySelectorAll('a[href*=\"/runs/\"]'))"
    ".map(a => (a.getAttribute('href').match(/\\/experiments\\/[^/]+\\/runs\\/([0-9a-f]{32})$/)"
    " || [])[1]).filter(Boolean)"
)
ML_FILTER_BOX = 'input[data-testid="search-box"]'
ML_PAGE_SIZE = 100  # what MLflow's runs page asks runs/search for

# Runs in a document: records (as window[KEY], epoch ms) the first moment the page shows
# its rows, every row shown is one of WANT (any rows when WANT is empty) and the HTML is
# parsed (so a server-rendered table counts once all its rows are in, not its first
# ones). A mutation observer checks at each DOM change: the time is the DOM's, not a poll's.
WATCH_JS = """
(() => {
  const key = KEY, want = new Set(WANT);
  const check = () => {
    if (window[key] || document.readyState === "loading") return;
    let shown;
    try { shown = ROW_IDS; } catch (e) { return; }
    if (shown.length && shown.every(i => want.size === 0 || want.has(i))) {
      window[key] = performance.timeOrigin + performance.now();
      window[key + "_rows"] = shown.length;
    }
  };
  new MutationObserver(check).observe(document, {childList: true, subtree: true});
  document.addEventListener("readystatechange", check);
  check();
})();
"""


def watch_js(ui: Ui, key: str, want: list[str]) -> str:
    """The watcher for ``ui``'s rows, storing its time under ``window[key]``."""
    return (
        WATCH_JS.replace("KEY", json.dumps(key))
        .replace("WANT", json.dumps(want))
        .replace("ROW_IDS", ui.row_ids_js)
    )


def make_driver() -> Any:
    """Headless Chromium through chromedriver (Debian's), as tests/ui/conftest.py does."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def _wait_for(driver: Any, key: str, timeout: float) -> tuple[float, int]:
    """Poll until the watcher stored its time (epoch ms) and the rows it saw."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            got = driver.execute_script(f"return [window[{key!r}], window[{key!r} + '_rows']]")
        except Exception:  # noqa: BLE001 — the document is being replaced
            got = None
        if got and got[0]:
            return float(got[0]), int(got[1])
        time.sleep(0.02)
    raise TimeoutError(f"no rows matching after {timeout:.0f} s ({driver.current_url})")


def first_paint(driver: Any, ui: Ui, timeout: float) -> tuple[float, int]:
    """Open the runs page from a blank tab: ms from navigation start to rows in the DOM."""
    key = f"__rows_{uuid.uuid4().hex}"
    driver.get("about:blank")
    # MLflow's page keeps its last filter in local storage: each visit starts clean.
    origin = urllib.parse.urlsplit(ui.runs_url)
    driver.execute_cdp_cmd(
        "Storage.clearDataForOrigin",
        {
            "origin": f"{origin.scheme}://{origin.netloc}",
            "storageTypes": "local_storage,session_storage",
        },
    )
    script = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": watch_js(ui, key, [])}
    )["identifier"]
    try:
        driver.get(ui.runs_url)
        at, rows = _wait_for(driver, key, timeout)
        origin = float(driver.execute_script("return performance.timeOrigin"))
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script})
    return at - origin, rows


def filter_round_trip(driver: Any, ui: Ui, want: list[str], timeout: float) -> float:
    """On the open runs page: type the filter, press Enter, ms until the rows shown are
    the filtered page's (a new document for ours, the same one for MLflow's SPA)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    key = f"__rows_{uuid.uuid4().hex}"
    source = watch_js(ui, key, want)
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
    try:
        box = driver.find_element(By.CSS_SELECTOR, ui.filter_box)
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.DELETE)
        box.send_keys(FILTER)
        driver.execute_script(source)  # the same document (a single-page app re-renders)
        start = float(driver.execute_script("return performance.timeOrigin + performance.now()"))
        box.send_keys(Keys.ENTER)
        at, _ = _wait_for(driver, key, timeout)
    finally:
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )
    return at - start


# -- raw HTTP -----------------------------------------------------------------------------
RUN_BOX = re.compile(r"<input\b[^>]*\bname=\"runs\"[^>]*>")
VALUE = re.compile(r"\bvalue=\"([0-9a-f]{32})\"")


def lh_page(ui: Ui, filter_: str = "") -> tuple[float, list[str]]:
    """GET our runs page (the whole HTML): (ms, the run ids of its rows)."""
    url = ui.runs_url + ("?" + urllib.parse.urlencode({"filter": filter_}) if filter_ else "")
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        body = response.read().decode("utf-8")
    ms = (time.perf_counter() - t) * 1000
    ids = [m.group(1) for box in RUN_BOX.findall(body) if (m := VALUE.search(box))]
    return ms, ids


def ml_search(
    ui: Ui, experiment_id: str, max_results: int, filter_: str = ""
) -> tuple[float, list[str]]:
    """POST MLflow's ajax-api runs/search as its runs page does: (ms, run ids)."""
    body = {
        "experiment_ids": [experiment_id],
        "run_view_type": "ACTIVE_ONLY",
        "max_results": max_results,
        "order_by": ["attributes.start_time DESC"],
        "filter": filter_,
    }
    request = urllib.request.Request(
        ui.server.url + "/ajax-api/2.0/mlflow/runs/search",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    t = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        found = json.loads(response.read())
    ms = (time.perf_counter() - t) * 1000
    return ms, [r["info"]["run_id"] for r in found.get("runs", [])]


# -- the run ------------------------------------------------------------------------------
Results = dict[str, dict[str, list[float]]]  # measure -> system -> values (ms)


def _add(results: Results, measure: str, system: str, value: float) -> None:
    results.setdefault(measure, {}).setdefault(system, []).append(value)
    print(f"  {system}: {measure}: {value:,.0f}", flush=True)  # progress, for long runs


def measure_browser(lh: Ui, ml: Ui, wants: dict[str, list[str]], args: Any) -> Results:
    """First visits (cold servers and browser cache), then ``repeat`` rounds of a visit
    and a filter round trip, the two UIs taking turns."""
    results: Results = {}
    driver = make_driver()
    try:
        for ui in (lh, ml):
            paint = _or_none(first_paint, driver, ui, args.timeout)
            _add(results, "first paint, first visit (cold)", ui.name, paint[0] if paint else INF)
            _add(results, "rows on the runs page", ui.name, paint[1] if paint else 0)
        wants.update(_wanted(lh, ml))
        for _ in range(args.repeat):
            for ui in (lh, ml):
                paint = _or_none(first_paint, driver, ui, args.timeout)
                _add(results, "first paint", ui.name, paint[0] if paint else INF)
                ms = _or_none(filter_round_trip, driver, ui, wants[ui.name], args.timeout)
                _add(results, f"filter round trip ({FILTER}), browser", ui.name, ms or INF)
    finally:
        driver.quit()
    return results


INF = float("inf")  # rows that never came: reported as "> timeout"


def _or_none(measure: Callable[..., Any], *args: Any) -> Any:
    """``measure(*args)``, or None when its rows never came."""
    try:
        return measure(*args)
    except TimeoutError as exc:
        print(f"  timed out: {exc}", flush=True)
        return None


def _wanted(lh: Ui, ml: Ui) -> dict[str, list[str]]:
    """The rows each page shows for the filter (asked over HTTP as each page asks)."""
    assert ml.experiment_id is not None
    return {
        lh.name: lh_page(lh, FILTER)[1],
        ml.name: ml_search(ml, ml.experiment_id, ML_PAGE_SIZE, FILTER)[1],
    }


def measure_http(lh: Ui, ml: Ui, page_size: int, repeat: int) -> Results:
    """Raw HTTP: our runs page (HTML) vs MLflow's runs/search (JSON), unfiltered and
    filtered, with MLflow's max_results = our page size."""
    results: Results = {}
    assert ml.experiment_id is not None
    for _ in range(repeat):
        for filter_, label in (("", "runs page"), (FILTER, f"filter ({FILTER})")):
            _add(results, f"{label}, raw HTTP", lh.name, lh_page(lh, filter_)[0])
            ms = ml_search(ml, ml.experiment_id, page_size, filter_)[0]
            _add(results, f"{label}, raw HTTP", ml.name, ms)
    return results


def report(results: Results, notes: list[str], timeout: float) -> str:
    """The table (medians; first visits once) in Markdown."""
    lines = [
        "| measure | lakehouse ui | mlflow ui 3.17.2 (SQLite) | ratio |",
        "|---|---|---|---|",
    ]
    for measure, by in results.items():
        ours, theirs = by.get("lakehouse", []), by.get("mlflow", [])
        if not ours or not theirs:
            continue
        a, b = statistics.median(ours), statistics.median(theirs)
        if measure.startswith("rows"):
            lines.append(f"| {measure} | {a:.0f} | {b:.0f} | |")
            continue
        n = f" (median of {len(ours)})" if len(ours) > 1 else ""
        shown = [f"> {timeout * 1000:,.0f}" if math.isinf(v) else f"{v:,.0f}" for v in (a, b)]
        if math.isinf(b) and not math.isinf(a):
            ratio = f"> {timeout * 1000 / a:,.1f}x faster"
        elif math.isinf(a):
            ratio = "-"
        else:
            ratio = f"{b / a:,.1f}x faster" if a <= b else f"{a / b:,.1f}x slower"
        lines.append(f"| {measure}{n}, ms | {shown[0]} | {shown[1]} | {ratio} |")
    return "\n".join([*lines, "", *notes])


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


_SEEDED_FIELDS = ("experiment_id", "ids", "api_runs", "api_seconds", "bulk_seconds")


def seed(system: str, folder: Path, runs: RunSet, api_runs: int) -> Seeded:
    """Seed one store under ``folder`` (``lh`` or ``ml``), or reuse it when
    ``seeded-<system>.json`` says it holds these many runs."""
    marker = folder / f"seeded-{system}.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved.pop("runs") == len(runs):
            print(f"reusing {system}'s store seeded in {folder}", flush=True)
            return Seeded(**saved)
    if system == "lakehouse":
        made = seed_lakehouse(str(folder / "lh"), runs, api_runs)
    else:
        (folder / "ml").mkdir(parents=True, exist_ok=True)
        made = seed_mlflow(str(folder / "ml"), runs, api_runs)
    print(made.note(system), flush=True)
    saved = {"runs": len(runs)} | {f: getattr(made, f) for f in _SEEDED_FIELDS}
    marker.write_text(json.dumps(saved))
    return made


def measure(lh: Ui, ml: Ui, args: Any) -> Results:
    """The browser measures, then raw HTTP (with MLflow's max_results = our page size)."""
    results = measure_browser(lh, ml, {}, args)
    page_size = len(lh_page(lh)[1])
    return results | measure_http(lh, ml, page_size, args.repeat)


def run(folder: Path, logs: Path, args: Any, notes: list[str]) -> Results:
    """Seed MLflow and start its UI (slow to boot), seed lakehouse meanwhile, start ours,
    measure both, stop both."""
    runs = make_runs(args.runs)
    servers: list[Server] = []
    try:
        ml_seed = seed("mlflow", folder, runs, args.api_runs)
        started = time.perf_counter()
        ml_server = launch_mlflow(str(folder / "ml/mlflow.db"), free_port(), logs / "ml.log")
        servers.append(ml_server)
        lh_seed = seed("lakehouse", folder, runs, args.api_runs)
        notes += [lh_seed.note("lakehouse"), ml_seed.note("mlflow")]
        del runs
        t = time.perf_counter()
        servers.append(start_lakehouse(str(folder / "lh"), free_port(), logs / "lh.log"))
        notes.append(f"lakehouse ui answered {time.perf_counter() - t:.1f} s after its start")
        wait_ready(ml_server, "/health", timeout=900)
        notes.append(
            f"mlflow ui answered {time.perf_counter() - started:.1f} s after its start "
            "(lakehouse's seeding and start ran meanwhile)"
        )
        lh_url = f"{servers[1].url}/experiments/{lh_seed.experiment_id}"
        ml_url = f"{ml_server.url}/#/experiments/{ml_seed.experiment_id}/runs"
        lh = Ui("lakehouse", servers[1], lh_url, LH_ROW_IDS, LH_FILTER_BOX)
        ml = Ui("mlflow", ml_server, ml_url, ML_ROW_IDS, ML_FILTER_BOX, ml_seed.experiment_id)
        return measure(lh, ml, args)
    finally:
        for server in servers:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=100_000, help="runs in the experiment")
    ap.add_argument("--repeat", type=int, default=3, help="visits and filters per UI")
    ap.add_argument("--api-runs", type=int, default=200, help="runs logged through each client")
    ap.add_argument("--timeout", type=float, default=600, help="seconds to wait for rows")
    ap.add_argument("--keep", help="seed into this folder and keep it (reused when seeded)")
    args = ap.parse_args(argv)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    notes = [f"load before: {_uptime()}"]
    with tempfile.TemporaryDirectory(prefix="ui-bench-") as tmp:
        results = run(Path(args.keep or tmp), Path(tmp), args, notes)
    notes.append(f"load after: {_uptime()}")
    print(f"\n{args.runs:,} runs ({PARAMS} params, {METRICS} metrics, {TAGS} tags each)\n")
    print(report(results, notes, args.timeout))


if __name__ == "__main__":
    main()
