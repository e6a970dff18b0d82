"""What lemlist's reading routes answered, and what it means (like :mod:`.answers`, only from
lemlist's documented shapes).

``GET /team`` gives the team's member ids; ``GET /users/{userId}`` each member's mailboxes with
their ``status`` (``CONNECTED`` / ``ERROR`` / ``DISCONNECTED``), ``lemlist.emailLimit`` and
``lemwarm.active``; ``GET /user/channels`` the key's own user's mailboxes (id, email,
provider; no status). An unknown user id answers ``200 {}``: no mailboxes. Any other shape is
not lemlist's: the reader answers None and the caller says what came instead.

Entries are read one by one: an entry of an unexpected shape (``lemlist`` a string where lemlist
documents an object, say) is :class:`Skipped` with a note naming the field and quoting lemlist's
answer (:func:`..echo.shown`); the other entries are read as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..echo import shown
from .answers import ID_RE, Answer
from .redaction import quote

__all__ = [
    "STATUSES",
    "Mailbox",
    "Skipped",
    "channel_entries",
    "channel_mailboxes",
    "team_members",
    "user_entries",
    "user_mailboxes",
]

STATUSES = ("CONNECTED", "ERROR", "DISCONNECTED")


@dataclass(frozen=True)
class Mailbox:
    """One mailbox as lemlist lists it; ``status`` and the rest are None when the listing
    (``GET /user/channels``) does not give them."""

    id: str
    email: str
    provider: str
    status: str | None = None
    email_limit: int | None = None
    lemwarm_active: bool | None = None


@dataclass(frozen=True)
class Skipped:
    """A listing entry not read: its mailbox id (None: not even that was readable) and why."""

    id: str | None
    note: str


#: Entries read from one answer: the mailboxes, and the entries skipped.
Entries = tuple[list[Mailbox], list[Skipped]]


def _json_object(answer: Answer) -> dict[str, Any] | None:
    data = answer.json()
    return data if answer.status == 200 and isinstance(data, dict) else None


def _text(value: object, limit: int = 254) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def team_members(answer: Answer) -> list[str] | None:
    """The member ids of ``GET /team``'s answer (those usable in a URL path); None when it is
    not lemlist's team object."""
    data = _json_object(answer)
    users = data.get("userIds") if data is not None else None
    if not isinstance(users, list):
        return None
    return [u for u in users if isinstance(u, str) and ID_RE.fullmatch(u)]


def _skip(mailbox_id: str | None, field: str, value: object, wanted: str) -> Skipped:
    who = f"the entry of mailbox {mailbox_id}" if mailbox_id else "an entry"
    return Skipped(
        mailbox_id,
        f"lemlist's listing gave {who} with {field} = {shown(value)}, not {wanted}; "
        "that entry was not read",
    )


def _mailbox(entry: object, id_key: str) -> Mailbox | Skipped:
    if not isinstance(entry, dict):
        return _skip(None, "the entry", entry, "an object")
    raw_id, email = entry.get(id_key), _text(entry.get("email"))
    mailbox_id = _text(raw_id, 128)
    if mailbox_id is None or not ID_RE.fullmatch(mailbox_id):
        return _skip(None, id_key, raw_id, "a mailbox id")
    if email is None:
        return _skip(mailbox_id, "email", entry.get("email"), "an address")
    parts: dict[str, dict[str, Any]] = {}
    for part in ("lemlist", "lemwarm"):
        value = entry.get(part)
        if value is not None and not isinstance(value, dict):
            return _skip(mailbox_id, part, value, "an object")
        parts[part] = value or {}
    status = entry.get("status")
    if status is not None and not isinstance(status, str):
        return _skip(mailbox_id, "status", status, "a text")
    limit = parts["lemlist"].get("emailLimit")
    active = parts["lemwarm"].get("active")
    return Mailbox(
        id=mailbox_id,
        email=email,
        provider=_text(entry.get("provider"), 40) or "unknown",
        status=quote(status) if isinstance(status, str) and status else None,
        email_limit=limit if isinstance(limit, int) and not isinstance(limit, bool) else None,
        lemwarm_active=active if isinstance(active, bool) else None,
    )


def _entries(entries: object, id_key: str) -> Entries | None:
    if not isinstance(entries, list):
        return None
    found = [_mailbox(entry, id_key) for entry in entries]
    skipped = [m for m in found if isinstance(m, Skipped)]
    return [m for m in found if isinstance(m, Mailbox)], skipped


def user_entries(answer: Answer) -> Entries | None:
    """The entries of ``GET /users/{userId}``'s answer (``{}``: an unknown user, none)."""
    data = _json_object(answer)
    if data is None:
        return None
    if not data:
        return [], []
    return _entries(data.get("mailboxes", []), "_id")


def channel_entries(answer: Answer) -> Entries | None:
    """The email accounts of ``GET /user/channels``'s answer (no status)."""
    data = _json_object(answer)
    email = data.get("email") if data is not None else None
    if not isinstance(email, dict):
        return None
    return _entries(email.get("accounts", []), "id")


def user_mailboxes(answer: Answer) -> list[Mailbox] | None:
    """The mailboxes of ``GET /users/{userId}``'s answer, skipped entries left out."""
    found = user_entries(answer)
    return None if found is None else found[0]


def channel_mailboxes(answer: Answer) -> list[Mailbox] | None:
    """The email accounts of ``GET /user/channels``'s answer, skipped entries left out."""
    found = channel_entries(answer)
    return None if found is None else found[0]
