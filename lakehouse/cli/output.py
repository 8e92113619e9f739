"""Output for people (rich tables) and for scripts (``--json``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

__all__ = ["console", "emit_json", "json_option", "print_table", "to_jsonable"]

console = Console()

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, datetimes and mappings as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if hasattr(value, "value") and type(value).__module__ != "builtins":
        return to_jsonable(value.value)
    return value


def emit_json(value: Any) -> None:
    """Print ``value`` as indented JSON (what ``--json`` gives scripts)."""
    click.echo(json.dumps(to_jsonable(value), indent=2, default=str))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def print_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, title: str | None = None
) -> None:
    """A table a person reads at a glance."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for i, column in enumerate(columns):
        # The first column names the thing: never cut it, let the others wrap.
        table.add_column(column, no_wrap=i == 0)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)
    if not rows:
        console.print("[dim](none)[/dim]")
