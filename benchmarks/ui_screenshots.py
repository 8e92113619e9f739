"""The README's screenshots of the web UI, taken from the demo root (``make demo``).

Starts ``lakehouse --home ROOT ui`` as a real process, opens the demo experiment's runs
table, a comparison of its best three runs and the registered model's page in headless
Chromium (Debian's chromium + chromedriver, as tests/ui does) at 1400 px wide, and saves
``runs.png``, ``compare.png`` and ``model.png`` (palette-reduced when a PNG would pass
``--max-kb``).

    .venv/bin/python benchmarks/ui_screenshots.py --home ./lakehouse-data --out docs/ui
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from ui_bench import free_port, make_driver, start_lakehouse  # noqa: E402

WIDTH, MAX_HEIGHT = 1400, 2000
# The bottom of the page's content (the document is at least the viewport's height).
_CONTENT_HEIGHT = (
    "return Math.ceil(Math.max(0, ...Array.from(document.body.children)"
    ".map(e => e.getBoundingClientRect().bottom + window.scrollY))) + 24"
)
_HEADING_TOP = (
    "const h = Array.from(document.querySelectorAll('h2')).find(e => e.textContent.trim()"
    " === arguments[0]); if (!h) throw new Error('no heading ' + arguments[0]);"
    " return Math.floor(h.getBoundingClientRect().top + window.scrollY);"
)
# The comparison's axes: the demo's three models differ in few params (autolog logs all).
COMPARE = (
    "params=model,max_depth,n_estimators&metrics=training_log_loss,accuracy,auc&x=accuracy&y=auc"
)
# The runs table's columns in the screenshot (the demo's autologged keys are many).
COLUMNS = (
    "params.model,params.max_depth,params.n_estimators,metrics.auc,metrics.accuracy,"
    "metrics.training_accuracy_score"
)


def demo_pages(
    home: str, experiment: str, model: str, *, order_by: str, columns: str, compare: str
) -> dict[str, str]:
    """The paths to shoot: the experiment's runs, its best three runs compared, the model."""
    from lakehouse.config import config_overrides
    from lakehouse.tracking.client import TrackingClient

    with config_overrides(home=home):
        client = TrackingClient()
        exp = client.get_experiment_by_name(experiment)
        if exp is None:
            raise SystemExit(f"no experiment {experiment!r} under {home}: run `make demo` first")
        best = client.search_runs([exp.experiment_id], order_by=[order_by], max_results=3)
    if len(best) < 2:
        raise SystemExit(f"experiment {experiment!r} has {len(best)} run(s); compare needs 2")
    ids = ",".join(run.info.run_id for run in best)
    quote = lambda part: urllib.parse.quote(part, safe="")  # noqa: E731
    return {
        "runs": f"/experiments/{quote(exp.experiment_id)}?order_by={quote(order_by)}"
        f"&columns={quote(columns)}",
        "compare": f"/compare?runs={ids}&{compare}",
        "model": f"/models/{quote(model)}",
    }


def shoot(driver: Any, url: str, out: Path, *, start: str | None = None, max_kb: int) -> int:
    """Open ``url`` at WIDTH px and save a PNG of the page (at most MAX_HEIGHT px), from
    the top or from the heading whose text is ``start``."""
    from PIL import Image

    metrics = {"width": WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.get(url)
    time.sleep(0.5)  # fonts and SVG layout
    height = int(driver.execute_script(_CONTENT_HEIGHT))
    metrics["height"] = max(height, 600)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    time.sleep(0.3)
    top = 0
    if start:
        top = int(driver.execute_script(_HEADING_TOP, start)) - 12
    clip = {"x": 0, "y": top, "width": WIDTH, "height": min(metrics["height"] - top, MAX_HEIGHT)}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "clip": clip | {"scale": 1}, "captureBeyondViewport": True},
    )
    png = base64.b64decode(shot["data"])
    if len(png) > max_kb * 1024:
        image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=128)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        png = buffer.getvalue()
    out.write_bytes(png)
    return len(png)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", default="./lakehouse-data", help="the demo root")
    ap.add_argument("--out", default="docs/ui", help="folder for the PNGs")
    ap.add_argument("--experiment", default="main.demo.churn")
    ap.add_argument("--model", default="main.demo.churn_model")
    ap.add_argument("--order-by", default="metrics.auc DESC", help="runs table order, best 3")
    ap.add_argument("--columns", default=COLUMNS, help="runs table columns")
    ap.add_argument("--compare-query", default=COMPARE, help="compare: axes in its query")
    ap.add_argument("--compare-from", default="Metrics", help="compare: shoot from this h2")
    ap.add_argument("--max-kb", type=int, default=300, help="reduce colours above this size")
    args = ap.parse_args(argv)
    home = str(Path(args.home).resolve())
    pages = demo_pages(
        home,
        args.experiment,
        args.model,
        order_by=args.order_by,
        columns=args.columns,
        compare=args.compare_query,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ui-shots-") as tmp:
        server = start_lakehouse(home, free_port(), Path(tmp) / "ui.log")
        driver = make_driver()
        try:
            for name, path in pages.items():
                start = args.compare_from if name == "compare" else None
                size = shoot(
                    driver, server.url + path, out / f"{name}.png", start=start, max_kb=args.max_kb
                )
                print(f"{out / f'{name}.png'}: {size / 1024:.0f} KB ({path})")
        finally:
            driver.quit()
            server.stop()


if __name__ == "__main__":
    main()
