"""``lakehouse ui``: the web UI over the configured root."""

from __future__ import annotations

import click

from lakehouse.cli.output import console
from lakehouse.config import get_config

__all__ = ["ui"]


@click.command()
@click.option("--port", default=5000, show_default=True, help="Port to listen on (0: any free).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--read-only", is_flag=True, help="Refuse writes (alias rollbacks).")
def ui(port: int, host: str, read_only: bool) -> None:
    """Serve the web UI: experiments, runs, comparisons, the registry and the catalog.

    Example: lakehouse --home ./lakehouse-data ui --port 5000
    """
    from lakehouse.ui import make_server

    cfg = get_config()
    server = make_server(host, port, read_only=read_only, cfg=cfg)
    mode = " (read-only)" if read_only else ""
    # The first line names the URL: scripts and tests wait for it.
    console.print(f"lakehouse ui serving {cfg.home_uri}{mode} at {server.url}/", soft_wrap=True)
    console.print("Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()
