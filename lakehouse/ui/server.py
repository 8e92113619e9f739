"""A small threaded HTTP server that routes requests to page handlers.

A page module registers its handlers with :func:`route`; a handler takes a
:class:`Request` and returns a :class:`Response` (usually ``html.page(...)``).
A :class:`~lakehouse.errors.LakehouseError` raised by a handler becomes an error
page that says what was wrong (404 for a missing thing, 400 for bad input,
403 for a write in read-only mode), never a traceback; anything else is a 500
page naming the error, with the traceback on the server's stderr.
"""

from __future__ import annotations

import mimetypes
import re
import sys
import threading
import traceback
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from lakehouse.config import Config, get_config
from lakehouse.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    LakehouseError,
    NotFoundError,
)

__all__ = [
    "ReadOnlyError",
    "Request",
    "Response",
    "UiServer",
    "make_server",
    "redirect",
    "route",
]


class ReadOnlyError(LakehouseError, PermissionError):
    """A write (e.g. an alias rollback) asked of a server started with --read-only."""


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request: the path's named groups, the query and the form (POST)."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    app: UiApp

    def arg(self, name: str, default: str = "") -> str:
        """The first value of a query (or form) argument, or ``default``."""
        values = self.query.get(name) or self.form.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """Every value of a repeated query (or form) argument, comma lists split."""
        values = self.query.get(name, []) + self.form.get(name, [])
        return [part for v in values for part in v.split(",") if part]


@dataclass(slots=True)
class Response:
    """What a handler returns: a status, a body and its content type."""

    body: bytes | str
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def redirect(location: str, status: int = HTTPStatus.SEE_OTHER) -> Response:
    """A redirect (303 after a POST, so a reload does not repeat the write)."""
    return Response(b"", status=status, headers={"Location": location})


Handler = Callable[[Request], Response]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``method`` and a path regex with named groups.

    Example::

        @route("GET", r"/runs/(?P<run_id>[^/]+)")
        def run_page(request: Request) -> Response: ...
    """

    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, re.compile(pattern + r"\Z"), handler))
        return handler

    return register


@dataclass(slots=True)
class UiApp:
    """What handlers share: the configuration, read-only mode, lazily made clients."""

    cfg: Config
    read_only: bool = False
    _clients: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def require_writable(self, what: str) -> None:
        """Refuse a write when the server was started with --read-only."""
        if self.read_only:
            raise ReadOnlyError(
                f"{what} refused: this UI was started with --read-only; "
                "start `lakehouse ui` without --read-only to change the registry"
            )

    @property
    def tracking(self) -> Any:
        """The tracking client (one per server; its reads are thread-safe)."""
        return self._client("tracking")

    @property
    def registry(self) -> Any:
        """The registry client (one per server)."""
        return self._client("registry")

    def _client(self, kind: str) -> Any:
        with self._lock:
            if kind not in self._clients:
                if kind == "tracking":
                    from lakehouse.tracking.client import TrackingClient

                    self._clients[kind] = TrackingClient()
                else:
                    from lakehouse.registry.client import RegistryClient

                    self._clients[kind] = RegistryClient()
            return self._clients[kind]


_STATUS_OF: list[tuple[type[BaseException], int]] = [
    (ReadOnlyError, HTTPStatus.FORBIDDEN),
    (NotFoundError, HTTPStatus.NOT_FOUND),
    (AlreadyExistsError, HTTPStatus.CONFLICT),
    (InvalidArgumentError, HTTPStatus.BAD_REQUEST),
    (LakehouseError, HTTPStatus.BAD_REQUEST),
]


def _error_response(exc: BaseException) -> Response:
    from lakehouse.ui import html

    for kind, status in _STATUS_OF:
        if isinstance(exc, kind):
            title = HTTPStatus(status).phrase
            return html.error_page(title, str(exc), status=status)
    traceback.print_exc(file=sys.stderr)
    return html.error_page(
        "Internal error",
        f"{type(exc).__name__}: {exc} (the traceback is on the server's stderr)",
        status=HTTPStatus.INTERNAL_SERVER_ERROR,
    )


def _static(name: str) -> Response:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name.startswith("."):
        raise NotFoundError(f"static file {name!r} not found")
    resource = resources.files("lakehouse.ui").joinpath("static", name)
    if not resource.is_file():
        raise NotFoundError(f"static file {name!r} not found")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(
        resource.read_bytes(),
        content_type=content_type,
        headers={"Cache-Control": "max-age=3600"},
    )


def dispatch(app: UiApp, method: str, target: str, body: bytes = b"") -> Response:
    """Route one request to its handler; errors become error pages."""
    import lakehouse.ui.pages  # noqa: F401  (registers the routes)

    parts = urllib.parse.urlsplit(target)
    path = urllib.parse.unquote(parts.path) or "/"
    try:
        if path.startswith("/static/"):
            return _static(path.removeprefix("/static/"))
        allowed = False
        for verb, pattern, handler in _ROUTES:
            match = pattern.match(path)
            if match is None:
                continue
            allowed = True
            if verb != method:
                continue
            form = urllib.parse.parse_qs(body.decode("utf-8")) if body else {}
            request = Request(
                method=method,
                path=path,
                params=match.groupdict(),
                query=urllib.parse.parse_qs(parts.query),
                form=form,
                app=app,
            )
            return handler(request)
        if allowed:
            from lakehouse.ui import html

            return html.error_page(
                "Method not allowed",
                f"{method} is not allowed on {path}",
                status=HTTPStatus.METHOD_NOT_ALLOWED,
            )
        raise NotFoundError(f"no page at {path}; start from / (the experiments)")
    except Exception as exc:  # noqa: BLE001 — every error is a page, never a dropped socket
        return _error_response(exc)


class _Handler(BaseHTTPRequestHandler):
    server: UiServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._send(dispatch(self.server.app, "GET", self.path))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        foreign = _foreign_origin(self.headers.get("Origin"), self.headers.get("Host"))
        if foreign:
            from lakehouse.ui import html

            self._send(
                html.error_page(
                    "Forbidden",
                    f"a form from {foreign} may not change this lakehouse; "
                    "use the pages this server serves",
                    status=HTTPStatus.FORBIDDEN,
                )
            )
            return
        self._send(dispatch(self.server.app, "POST", self.path, body))

    def _send(self, response: Response) -> None:
        body = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


def _foreign_origin(origin: str | None, host: str | None) -> str | None:
    """The Origin of a POST sent by another site's page (a browser names it), else None.

    Browsers send ``Origin`` with every form POST; a page elsewhere must not be able
    to roll an alias back through a user's open UI.
    """
    if not origin:
        return None  # not a browser form (curl, scripts): nothing to forge
    return origin if urllib.parse.urlsplit(origin).netloc != (host or "") else None


class UiServer(ThreadingHTTPServer):
    """The UI's HTTP server; ``serve_forever()`` runs it."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: UiApp, quiet: bool = False) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.quiet = quiet

    @property
    def url(self) -> str:
        """The base URL people open (``http://host:port``)."""
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"


def make_server(
    host: str = "127.0.0.1",
    port: int = 5000,
    *,
    read_only: bool = False,
    cfg: Config | None = None,
    quiet: bool = False,
) -> UiServer:
    """A UI server bound to ``host:port`` over the configured root (port 0: any free one)."""
    return UiServer((host, port), UiApp(cfg=cfg or get_config(), read_only=read_only), quiet)
