"""The UI's pages; importing this package registers their routes.

One module per area, each a set of ``@route`` handlers: ``home`` (/),
``experiments`` (/experiments...), ``runs`` (/runs/...), ``compare`` (/compare),
``models`` (/models...), ``catalog`` (/catalog...).
"""

from __future__ import annotations

from lakehouse.ui.pages import catalog, compare, experiments, home, models, runs

__all__ = ["catalog", "compare", "experiments", "home", "models", "runs"]
