"""Safe patching: replace a method, remember exactly what was there, put it back.

Each patch records the owner's own attribute (``owner.__dict__[name]``) or its
absence, so :func:`revert` restores the very object that was there (an identity
check passes) or removes the attribute again when it was inherited. scikit-learn's
``available_if`` descriptors (``Pipeline.fit_transform``...) are patched through
their ``fn`` so that ``hasattr`` on an instance keeps its meaning. Example::

    patch("sklearn", LogisticRegression, "fit", lambda original: wrapped(original))
    revert("sklearn")   # LogisticRegression.__dict__ is as before
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["ORIGINAL_ATTR", "is_patched", "original_of", "patch", "patches_of", "revert"]

ORIGINAL_ATTR = "__lakehouse_original__"
_ABSENT = object()


@dataclass(slots=True)
class _Patch:
    owner: Any
    name: str
    saved: Any  # the owner's own attribute before patching, or _ABSENT


_lock = threading.RLock()
_patches: dict[str, list[_Patch]] = {}


def original_of(func: Any) -> Any:
    """The function a patch wrapper stands for (the function itself when not a wrapper)."""
    while hasattr(func, ORIGINAL_ATTR):
        func = getattr(func, ORIGINAL_ATTR)
    return func


def _target(owner: Any, name: str) -> tuple[Any, str] | None:
    """Where to patch ``owner.name``: the attribute itself, or a descriptor's ``fn``."""
    raw = vars(owner).get(name, _ABSENT) if hasattr(owner, "__dict__") else _ABSENT
    if raw is _ABSENT:
        for base in getattr(owner, "__mro__", ())[1:]:
            if name in vars(base):
                raw = vars(base)[name]
                break
    if raw is _ABSENT:
        return None
    if callable(raw) or isinstance(raw, staticmethod | classmethod):
        return owner, name
    if callable(getattr(raw, "fn", None)):  # sklearn's available_if / delegation descriptors
        return raw, "fn"
    return None


def patch(
    flavor: str, owner: Any, name: str, make_wrapper: Callable[[Callable[..., Any]], Any]
) -> bool:
    """Replace ``owner.name`` by ``make_wrapper(original)``; False when there is nothing to patch.

    A second patch of the same place for the same flavor is a no-op; a wrapper of
    another patch is unwrapped first, so wrappers never stack.
    """
    with _lock:
        target = _target(owner, name)
        if target is None:
            return False
        holder, attr = target
        done = _patches.setdefault(flavor, [])
        if any(p.owner is holder and p.name == attr for p in done):
            return True
        saved = vars(holder).get(attr, _ABSENT) if hasattr(holder, "__dict__") else _ABSENT
        original = original_of(getattr(holder, attr))
        wrapper = make_wrapper(original)
        functools.update_wrapper(wrapper, original)
        setattr(wrapper, ORIGINAL_ATTR, original)
        setattr(holder, attr, wrapper)
        done.append(_Patch(owner=holder, name=attr, saved=saved))
        return True


def revert(flavor: str) -> None:
    """Undo every patch of ``flavor``, newest first, restoring the exact objects."""
    with _lock:
        for p in reversed(_patches.pop(flavor, [])):
            if p.saved is _ABSENT:
                if p.name in vars(p.owner):
                    delattr(p.owner, p.name)
            else:
                setattr(p.owner, p.name, p.saved)


def patches_of(flavor: str) -> list[tuple[Any, str]]:
    """The ``(owner, name)`` places a flavor has patched (for tests and diagnostics)."""
    with _lock:
        return [(p.owner, p.name) for p in _patches.get(flavor, [])]


def is_patched(flavor: str) -> bool:
    """Whether ``flavor`` has patches in place."""
    with _lock:
        return bool(_patches.get(flavor))
