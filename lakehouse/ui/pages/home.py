"""``/``: the start page sends people to the experiments."""

from __future__ import annotations

from lakehouse.ui.server import Request, Response, redirect, route

__all__ = ["home"]


@route("GET", r"/")
def home(request: Request) -> Response:
    """The experiments list is where people start, as in MLflow's UI."""
    return redirect("/experiments", status=302)
