"""One mailbox, one owner: the resources of a deployment that hold or adopt each mailbox.

Why: the provider host serves every resource of a deployment (one ``python -m
pulumi.dynamic`` process per provider), so it sees them all. Two resources owning one mailbox
(the same ``adopt_id``, ``adopt=True`` on one address, or an adoption of a mailbox another
resource holds in its state) end badly: replacing or deleting one disconnects the mailbox the
other still holds. The lint and the policy pack refuse it; this registry refuses it in the
provider too, without them (issue 29).

What is recorded, per process and under a lock: ``(team, "id", mailbox id)`` and ``(team,
"address", address)`` -> the URN that claimed it first. Check claims what the inputs adopt
(replacing that URN's previous input claims: check runs on preview and up, and again before a
replacement); Diff claims the id a resource holds in its state; Create claims the id an
adoption by address resolves to. A URN claiming again what it holds is never a conflict.

The URN: the SDK's host does not pass it to the provider's methods, so :func:`current_urn`
reads it from the host's gRPC request on this thread's stack (the servicer method's
``request`` local). Outside the host (or in a host of another shape) there is none, and
nothing is claimed.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from ..echo import shown
from .adoption import adopted_mailbox, shared_mailbox_reason

Key = tuple[str | None, str, str]

_lock = threading.Lock()
_owner: dict[Key, str] = {}
_checked: dict[str, set[Key]] = {}


def current_urn() -> str | None:
    """The URN of the resource the host is serving on this thread, or None outside the host."""
    main = sys.modules.get("__main__")
    frame = sys._getframe(1)
    while frame is not None:
        if main is not None and frame.f_globals is vars(main):
            urn = getattr(frame.f_locals.get("request"), "urn", None)
            if isinstance(urn, str) and urn.startswith("urn:pulumi:"):
                return urn
        frame = frame.f_back  # type: ignore[assignment]
    return None


def name_of(urn: str) -> str:
    """How a message names a resource: ``'name' (urn)``."""
    return f"{shown(urn.rsplit('::', 1)[-1])} ({shown(urn)})"


def _keys(team: str | None, inputs: dict[str, Any]) -> dict[Key, str]:
    """What ``inputs`` adopt -> the field that adopts it."""
    keys: dict[Key, str] = {}
    mailbox = adopted_mailbox(inputs.get("adopt_id"))
    if mailbox is not None:
        keys[(team, "id", mailbox)] = "adopt_id"
    elif inputs.get("adopt") is True and isinstance(inputs.get("sender_email"), str):
        keys[(team, "address", inputs["sender_email"].strip().lower())] = "adopt"
    return keys


def _refusal(key: Key, holder: str, urn: str) -> str:
    what = "mailbox" if key[1] == "id" else "mailbox with the address"
    return (
        f"The lemlist {what} {shown(key[2])} "
        f"{shared_mailbox_reason([name_of(holder), name_of(urn)])}"
    )


def check_claims(
    urn: str | None, team: str | None, inputs: dict[str, Any]
) -> list[tuple[str, str]]:
    """Claim what ``inputs`` adopt for ``urn``; (field, reason) for each mailbox another holds."""
    if urn is None:
        return []
    refused: list[tuple[str, str]] = []
    with _lock:
        for old in _checked.pop(urn, set()):
            if _owner.get(old) == urn:
                del _owner[old]
        mine: set[Key] = set()
        for key, field in _keys(team, inputs).items():
            holder = _owner.setdefault(key, urn)
            if holder == urn:
                mine.add(key)
            else:
                refused.append((field, _refusal(key, holder, urn)))
        _checked[urn] = mine
    return refused


def hold(urn: str | None, team: str | None, mailbox_id: str) -> str | None:
    """Claim mailbox ``mailbox_id`` (held in state, or being adopted) for ``urn``; the refusal
    when another resource of this deployment holds or adopts it."""
    if urn is None:
        return None
    key: Key = (team, "id", mailbox_id.strip())
    with _lock:
        holder = _owner.setdefault(key, urn)
    return None if holder == urn else _refusal(key, holder, urn)


def release(urn: str | None, team: str | None, mailbox_id: str) -> None:
    """``urn`` no longer holds ``mailbox_id`` (deleted); another may adopt it."""
    with _lock:
        if urn is not None and _owner.get((team, "id", mailbox_id)) == urn:
            del _owner[(team, "id", mailbox_id)]
