"""Alias moves: conditional commits on ``system.registry.alias_history``.

A move is a MERGE-insert of the row ``(name, alias, sequence = last + 1)``
carrying ``from_version = last.to_version``. Two processes that read the same
last move both try the same sequence; exactly one insert lands, the other sees
0 rows inserted, reads again and retries on top of the winner. So the history
is a single chain (each move's ``from_version`` is the previous move's
``to_version``), no move is lost, and the current target is the last link.
"""

from __future__ import annotations

import dataclasses
import random
import re
import time
from collections.abc import Callable

from lakehouse.config import username
from lakehouse.errors import CommitConflictError, InvalidArgumentError
from lakehouse.registry.entities import AliasMove
from lakehouse.registry.store import RegistryStore, now, to_millis
from lakehouse.store.delta import is_conflict

__all__ = ["check_alias", "move_alias"]

_ALIAS = re.compile(r"^[\w\-]+$")
_VERSION_ALIAS = re.compile(r"^[vV]\d+$")
MAX_ALIAS_LENGTH = 255
_ATTEMPTS = 400


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
    delay = 0.005
    for _ in range(_ATTEMPTS):
        last = last_move(store, name, alias)
        to_version = target(last)
        sequence = (last.sequence if last else 0) + 1
        move = AliasMove(
            name=name,
            alias=alias,
            sequence=sequence,
            from_version=last.to_version if last else None,
            to_version=to_version,
            action=action,
            user_id=username(),
            timestamp=0,
        )
        stamp = now()
        row = {
            "name": name,
            "alias": alias,
            "sequence": sequence,
            "from_version": move.from_version,
            "to_version": to_version,
            "action": action,
            "user_id": move.user_id,
            "timestamp": stamp,
        }
        if store.aliases.insert_if_absent([row], retry=False) == 1:
            _maybe_compact(store, sequence)
            return dataclasses.replace(move, timestamp=to_millis(stamp))
        time.sleep(delay * random.random())  # another move won this sequence
        delay = min(delay * 2, 0.2)
    raise CommitConflictError(
        f"moving alias {alias!r} of {name}: {_ATTEMPTS} attempts lost to concurrent moves; "
        "try again"
    )


def _maybe_compact(store: RegistryStore, sequence: int) -> None:
    """Every 10th move compacts the history table so reads stay fast (one attempt)."""
    if sequence % 10 == 0:
        try:
            store.aliases.table().optimize.compact()
        except Exception as exc:
            if not is_conflict(exc):
                raise
