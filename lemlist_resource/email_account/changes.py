"""What a change to a mailbox's inputs means: which fields changed, and is it a replacement.

Used by the provider's ``diff`` and by the inventory's pull-request summary, so a reviewer
is told exactly what `pulumi up` will do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .schema import FIELDS, FIELDS_BY_NAME

_CASE_INSENSITIVE_KINDS = ("email", "host")


def _never_unknown(_value: object) -> bool:
    return False


def same_value(
    name: str, old: Any, new: Any, is_unknown: Callable[[object], bool] = _never_unknown
) -> bool:
    """Whether ``old`` and ``new`` mean the same lemlist value for field ``name``.

    Addresses and host names compare case-insensitively; flags by truth; numbers by value
    (``587`` equals the ``587.0`` Pulumi sends). A value not known yet may differ.
    """
    if is_unknown(new):
        return False
    field = FIELDS_BY_NAME[name]
    if field.kind in _CASE_INSENSITIVE_KINDS and isinstance(old, str) and isinstance(new, str):
        return old.strip().lower() == new.strip().lower()
    if field.kind == "bool":
        return bool(old) == bool(new)
    return bool(old == new)


@dataclass(frozen=True)
class Change:
    """The fields that differ, the ones among them that force a replacement, and its order."""

    changed: list[str]
    replaces: list[str]
    delete_before_replace: bool


def plan_change(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    is_unknown: Callable[[object], bool] = _never_unknown,
) -> Change:
    """Compare two input sets. lemlist has no update: any change to a stored field is a
    replacement, done delete-first when it is the same mailbox (same sender address) in the
    same team, because lemlist refuses to connect a mailbox that is already connected.
    Create-only fields (``adopt_id``) are never a change: they say how a mailbox came to be
    managed.

    A move to another team is always create-first. lemlist's contract does not say whether
    its duplicate refusal spans teams, only that every call acts for the key's team
    (``userId`` must be a member of *this* team; another team's mailbox cannot be modified).
    Create-first is safe either way: if lemlist refused ("already exists"), the update stops
    before disconnecting anything and the old mailbox stays connected (docs/teams.md)."""
    changed = [
        f.name
        for f in FIELDS
        if not f.create_only
        and not same_value(f.name, olds.get(f.name), news.get(f.name), is_unknown)
    ]
    replaces = [name for name in changed if FIELDS_BY_NAME[name].replaces]
    same_mailbox = same_value(
        "sender_email", olds.get("sender_email"), news.get("sender_email"), is_unknown
    )
    return Change(changed, replaces, bool(replaces) and same_mailbox and "team" not in changed)
