"""``/experiments``: experiments by name, with run counts and last activity."""

from __future__ import annotations

from lakehouse.ui import html
from lakehouse.ui.html import esc, link
from lakehouse.ui.server import Request, Response, route

__all__ = ["experiments"]


@route("GET", r"/experiments")
def experiments(request: Request) -> Response:
    """Every active experiment whose name holds the search text."""
    text = request.arg("q").strip().lower()
    found = request.app.tracking.search_experiments()
    rows = [
        {
            "name": link(f"/experiments/{html.quote(e.experiment_id)}", e.name),
            "id": e.experiment_id,
            "created": html.fmt_time(e.creation_time),
            "last activity": html.fmt_time(e.last_update_time),
        }
        for e in found
        if text in e.name.lower()
    ]
    search = (
        '<form class="bar" method="get" action="/experiments">'
        f'<input type="search" name="q" value="{esc(request.arg("q"))}" '
        'placeholder="Search experiments by name">'
        '<button type="submit">Search</button></form>'
    )
    body = search + html.table(rows, ["name", "id", "created", "last activity"], id_="experiments")
    return html.page("Experiments", body)
