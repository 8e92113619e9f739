"""HTML building blocks: escaping, the page layout, tables, links, error pages.

Everything a page prints goes through :func:`esc` unless it is :class:`Markup`
(HTML this module or a chart built). Pages are plain strings: no template
engine, nothing to compile.
"""

from __future__ import annotations

import datetime as dt
import html as _html
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lakehouse.ui.server import Response

__all__ = [
    "Markup",
    "error_page",
    "esc",
    "facts_table",
    "filter_literal",
    "fmt_time",
    "fmt_value",
    "href",
    "link",
    "page",
    "table",
    "table_url",
]

NAV = [
    ("Experiments", "/experiments"),
    ("Models", "/models"),
    ("Catalog", "/catalog"),
]


class Markup(str):
    """A string that is already HTML: :func:`esc` leaves it as it is."""

    __slots__ = ()


def esc(value: Any) -> Markup:
    """``value`` as HTML text (Markup passes through; None is empty)."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    return Markup(_html.escape(str(value), quote=True))


def href(path: str, **query: Any) -> str:
    """A URL: path segments as given, query values encoded (None dropped)."""
    kept = {k: str(v) for k, v in query.items() if v is not None and v != ""}
    return path + ("?" + urllib.parse.urlencode(kept) if kept else "")


def quote(part: str) -> str:
    """One path segment, percent-encoded (names may hold any character but '/')."""
    return urllib.parse.quote(part, safe="")


def link(url: str, text: Any, **attrs: str) -> Markup:
    """An ``<a>`` element."""
    extra = "".join(f' {k.rstrip("_")}="{esc(v)}"' for k, v in attrs.items())
    return Markup(f'<a href="{esc(url)}"{extra}>{esc(text)}</a>')


def fmt_time(value: Any) -> str:
    """A timestamp (epoch ms or datetime) as ``YYYY-MM-DD HH:MM:SS`` UTC."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float):
        value = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def fmt_value(value: Any) -> str:
    """A metric or param value for a cell: floats to 6 significant digits."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def facts_table(items: Sequence[tuple[str, Any]], id_: str) -> Markup:
    """A label -> value table (``table.kv``): one row per fact."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in items)
    return Markup(f'<table class="grid kv" id="{esc(id_)}"><tbody>{body}</tbody></table>')


def table_url(full_name: str) -> str:
    """The catalog page of ``catalog.schema.table``."""
    return "/catalog/" + "/".join(quote(p) for p in full_name.split(".", 2))


def filter_literal(value: str) -> str:
    """``value`` as a string literal of the search filter grammar."""
    return f'"{value}"' if "'" in value else f"'{value}'"


def table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    headers: Mapping[str, Any] | None = None,
    id_: str | None = None,
    classes: str = "grid",
    empty: str = "Nothing here yet.",
) -> Markup:
    """A table: one ``<th>`` per column (header from ``headers`` if given), one row each.

    Cell values are escaped unless they are :class:`Markup`.
    """
    head = "".join(f"<th>{esc((headers or {}).get(c, c))}</th>" for c in columns)
    body = []
    for row in rows:
        cells = "".join(f"<td>{esc(row.get(c))}</td>" for c in columns)
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(columns)}" class="empty">{esc(empty)}</td></tr>')
    ident = f' id="{esc(id_)}"' if id_ else ""
    return Markup(
        f'<table class="{esc(classes)}"{ident}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def page(
    title: str,
    body: str,
    *,
    crumbs: Sequence[tuple[str, str | None]] = (),
    status: int = 200,
) -> Response:
    """A whole page: the navigation bar, breadcrumbs, the title and ``body`` (HTML)."""
    nav = "".join(f'<a href="{url}">{name}</a>' for name, url in NAV)
    trail = " / ".join(link(url, text) if url else esc(text) for text, url in crumbs)
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · lakehouse</title>
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head><body>
<header><a class="brand" href="/">lakehouse</a><nav>{nav}</nav></header>
<main>
<div class="crumbs">{trail}</div>
<h1>{esc(title)}</h1>
{body}
</main></body></html>"""
    return Response(document, status=status)


def error_page(title: str, message: str, *, status: int) -> Response:
    """An error as a page: what was wrong, in words, with the status code."""
    body = f'<p class="error" id="error">{esc(message)}</p><p>{link("/", "Back to the start")}</p>'
    return page(title, body, status=status)
