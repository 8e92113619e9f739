"""``lakehouse tracking``: maintenance of the ``system.tracking.*`` tables."""

from __future__ import annotations

import time

import click

from lakehouse.cli.output import console, emit_json, json_option, print_table
from lakehouse.config import get_config
from lakehouse.store import layout

__all__ = ["tracking"]


@click.group()
def tracking() -> None:
    """Experiment tracking tables (system.tracking.*)."""


@tracking.command()
@click.option(
    "--full",
    is_flag=True,
    help="Rewrite runs, params, latest metrics and tags whole, even when little changed.",
)
@json_option
def compact(full: bool, as_json: bool) -> None:
    """Drop superseded rows, merge small files, checkpoint and vacuum the tracking tables.

    Safe while other processes log: their appends are kept. Vacuum deletes files
    the tables stopped using more than a week ago (Delta's retention period).
    """
    from lakehouse.tracking.maintenance import compact as compact_all

    cfg = get_config()
    started = time.perf_counter()
    results = []
    for result in compact_all(cfg, full=full, progress=None if as_json else _progress):
        results.append(result)
    if as_json:
        emit_json(results)
        return
    print_table(
        [
            {
                "table": r.table,
                "done": r.mode,
                "rows": f"{r.rows_after:,}",
                "dropped": f"{r.rows_before - r.rows_after:,}",
                "files": f"{r.files_before} -> {r.files_after}",
                "vacuumed": f"{r.vacuumed:,}",
                "seconds": f"{r.seconds:.1f}",
            }
            for r in results
        ],
        ["table", "done", "rows", "dropped", "files", "vacuumed", "seconds"],
        title="system.tracking.* compacted",
    )
    where = layout.system_table_uri("tracking", "", cfg=cfg).rstrip("/")
    console.print(f"Compacted in {time.perf_counter() - started:.1f} s; tables under {where}")


def _progress(name: str) -> None:
    console.print(f"[dim]compacting system.tracking.{name} ...[/dim]")
