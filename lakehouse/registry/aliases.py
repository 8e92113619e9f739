"""Alias moves: conditional commits on ``system.registry.alias_history``.

A move is a MERGE-insert of the row ``(name, alias, sequence = last + 1)``
carrying ``from_version = last.to_version``. Two processes that read the same
last move both try the same sequence; exactly one insert lands, the other sees
0 rows inserted, reads again and retries on top of the winner. So the history
is a single chain (each move's ``from_version`` is the previous move's
``to_version``), no move is lost, and the current target is the last link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lakehouse.config import username
from lakehouse.errors import InvalidArgumentError
from lakehouse.registry.entities import AliasMove
from lakehouse.registry.store import RegistryStore, now, to_millis

__all__ = ["check_alias", "move_alias"]

_ALIAS = re.compile(r"^[\w\-]+$")
_VERSION_ALIAS = re.compile(r"^[vV]\d+$")
MAX_ALIAS_LENGTH = 255
_COMPACT_EVERY = 10


def check_alias(alias: str) -> str:
    """Check an alias name by MLflow's rules (``latest`` and ``v<N>`` are reserved)."""
    if not isinstance(alias, str) or alias == "":
        raise InvalidArgumentError("Registered model alias name cannot be empty.")
    if not _ALIAS.match(alias):
        raise InvalidArgumentError(
            f"Invalid alias name: '{alias}'. Names may only contain alphanumerics, "
            "underscores (_), and dashes (-)."
        )
    if len(alias) > MAX_ALIAS_LENGTH:
        raise InvalidArgumentError(
            f"Registered model alias name '{alias[:40]}...' is {len(alias)} characters long; "
            f"at most {MAX_ALIAS_LENGTH} are allowed."
        )
    if alias.lower() == "latest":
        raise InvalidArgumentError(
            "'latest' alias name (case insensitive) is reserved: models:/<name>/latest always "
            "means the highest version. Choose another alias, e.g. 'champion'."
        )
    if _VERSION_ALIAS.match(alias):
        raise InvalidArgumentError(
            f"Version alias name '{alias}' is reserved: v<N> means version N. "
            "Choose another alias, e.g. 'champion'."
        )
    return alias


def last_move(store: RegistryStore, name: str, alias: str) -> AliasMove | None:
    """The newest move of one alias, or None if it was never set."""
    moves = store.alias_moves(name, alias)
    return moves[-1] if moves else None


def move_alias(
    store: RegistryStore,
    name: str,
    alias: str,
    *,
    action: str,
    target: Callable[[AliasMove | None], int | None],
) -> AliasMove:
    """Commit one move; ``target(last_move)`` gives the new version (None deletes).

    ``target`` runs again on every retry, against the newest state, and may
    raise to refuse the move (nothing is then written).
    """

    def next_row() -> dict[str, Any]:
        last = last_move(store, name, alias)
        return {
            "name": name,
            "alias": alias,
            "sequence": (last.sequence if last else 0) + 1,
            "from_version": last.to_version if last else None,
            "to_version": target(last),
            "action": action,
            "user_id": username(),
            "timestamp": now(),
        }

    row = store.aliases.insert_new(next_row, what=f"moving alias {alias!r} of {name}")
    if row["sequence"] % _COMPACT_EVERY == 0:  # keeps reads of the history fast
        store.aliases.compact_once()
    return AliasMove(**{**row, "timestamp": to_millis(row["timestamp"])})
