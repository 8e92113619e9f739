"""The web UI: ``lakehouse ui`` serves server-rendered pages over the same root.

Pages read the Delta system tables through the same clients, store layer and
search cache the Python API uses; the server keeps no copy of state, so another
process's new runs appear on reload. Charts are SVG drawn on the server
(:mod:`~lakehouse.ui.charts`); the few interactive bits (select-all, the
rollback confirmation) are a small script shipped in ``static/``. No CDN.

Example::

    lakehouse ui --port 5000            # then open http://127.0.0.1:5000/
    lakehouse ui --read-only            # refuses rollbacks and other writes
"""

from __future__ import annotations

from lakehouse.ui.server import UiServer, make_server

__all__ = ["UiServer", "make_server"]
