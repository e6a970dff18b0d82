"""What a user reads when a provider call fails in the SDK's dynamic-provider host.

Why: the host (``pulumi/dynamic/__main__.py``, pulumi 3.260.0) wraps Check, Diff, Create,
Read, Update and Delete in ``_abort_with_traceback``, which fails the gRPC call with
``traceback.format_exc()``; the engine shows that text as the resource's error. So without
this module every error ``pulumi up`` prints starts with "Traceback (most recent call
last):", then frames of the host and of this package, and ends with the exception's dotted
class name before the sentence meant for the user.

What it touches: one global of the host's ``__main__`` module, ``traceback``, which that
wrapper looks up when a call fails (the wrapper is its only user there). It is rebound to a
stand-in whose ``format_exc`` returns a :class:`~..errors.LemlistError`'s message alone
(our errors are sentences written to be read: what failed, lemlist's reason, what to do
next; never a credential) and, for any other exception (the SDK failing to load the
provider, a bug outside the provider's methods), the stock traceback. Every other
attribute is the ``traceback`` module's own. Nothing else of the host changes.

Active only in that host (:func:`~.hostpool.in_host`), installed when ``provider.py`` is
imported there. If the host is not shaped as above (a future SDK), one
:class:`HostMessagesWarning` on stderr and the stock behaviour: the traceback.
"""

from __future__ import annotations

import sys
import threading
import traceback
import types
import warnings
from typing import Any

from ..errors import LemlistError
from .hostpool import in_host

#: The host's decorator of the provider calls, and the names its wrapper must use.
DECORATOR = "_abort_with_traceback"
NEEDED = ("traceback", "format_exc")


class HostMessagesWarning(RuntimeWarning):
    """The provider host is not shaped as this module expects; errors keep the traceback."""


class Messages:
    """Stands in for the ``traceback`` module in the host: our errors read as their message."""

    def __init__(self, stock: types.ModuleType) -> None:
        self._stock = stock

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        """The exception being handled: a LemlistError's message, else the stock traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, LemlistError):
            return exc.message
        return str(self._stock.format_exc(limit, chain))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stock, name)


_LOCK = threading.Lock()
_WARNED: list[bool] = []


def _problem(main: object) -> str | None:
    """Why the host is not shaped as expected, or None."""
    decorator = getattr(main, DECORATOR, None)
    if not isinstance(decorator, types.FunctionType):
        return f"its __main__ has no function {DECORATOR}"
    inner = [c for c in decorator.__code__.co_consts if isinstance(c, types.CodeType)]
    if len(inner) != 1 or not set(NEEDED) <= set(inner[0].co_names):
        return f"{DECORATOR} does not call traceback.format_exc"
    used = any(
        isinstance(function, types.FunctionType) and function.__code__ is inner[0]
        for cls in vars(main).values()
        if isinstance(cls, type)
        for function in vars(cls).values()
    )
    if not used:
        return f"no provider call is wrapped by {DECORATOR}"
    if getattr(main, "traceback", None) is not traceback:
        return "its traceback is not the standard module"
    return None


def install() -> bool:
    """In the host, make our errors read as their message alone. True when active.

    Outside the host: does nothing, returns False. In a host of an unexpected shape: warns
    once, changes nothing, returns False. Idempotent.
    """
    if not in_host():
        return False
    main = sys.modules["__main__"]
    with _LOCK:
        if isinstance(getattr(main, "traceback", None), Messages):
            return True
        problem = _problem(main)
        if problem is None:
            main.traceback = Messages(traceback)  # type: ignore[attr-defined]
            return True
        if not _WARNED:
            _WARNED.append(True)
            warnings.warn(
                f"lemlist provider: the Pulumi dynamic-provider host is not shaped as "
                f"expected ({problem}), so its errors show a Python traceback before the "
                "message. Please report this with your pulumi version.",
                HostMessagesWarning,
                stacklevel=2,
            )
        return False
