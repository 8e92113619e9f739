"""The UI's pages; importing this package registers their routes.

One module per area, each a set of ``@route`` handlers:
``home`` (/), ``experiments`` (/experiments...), ``runs`` (/runs/...),
``compare`` (/compare), ``models`` (/models...), ``catalog`` (/catalog...).
"""

from __future__ import annotations

import importlib

__all__: list[str] = []

# Modules listed here are imported if present, so each area can land on its own.
_AREAS = ["home", "experiments", "runs", "compare", "models", "catalog"]

for _area in _AREAS:
    try:
        importlib.import_module(f"lakehouse.ui.pages.{_area}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"lakehouse.ui.pages.{_area}":
            raise
