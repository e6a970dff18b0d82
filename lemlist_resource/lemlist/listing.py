"""What lemlist's reading routes answered, and what it means (like :mod:`.answers`, only from
lemlist's documented shapes).

``GET /team`` gives the team's member ids; ``GET /users/{userId}`` each member's mailboxes with
their ``status`` (``CONNECTED`` / ``ERROR`` / ``DISCONNECTED``), ``lemlist.emailLimit`` and
``lemwarm.active``; ``GET /user/channels`` the key's own user's mailboxes (id, email,
provider; no status). An unknown user id answers ``200 {}``: no mailboxes. Any other shape is
not lemlist's: the reader answers None and the caller says what came instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .answers import ID_RE, Answer
from .redaction import quote

__all__ = ["STATUSES", "Mailbox", "channel_mailboxes", "team_members", "user_mailboxes"]

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


def _mailbox(entry: object, id_key: str) -> Mailbox | None:
    if not isinstance(entry, dict):
        return None
    mailbox_id, email = _text(entry.get(id_key), 128), _text(entry.get("email"))
    if mailbox_id is None or email is None or not ID_RE.fullmatch(mailbox_id):
        return None
    status = entry.get("status")
    limit = (entry.get("lemlist") or {}).get("emailLimit")
    active = (entry.get("lemwarm") or {}).get("active")
    return Mailbox(
        id=mailbox_id,
        email=email,
        provider=_text(entry.get("provider"), 40) or "unknown",
        status=quote(status) if isinstance(status, str) and status else None,
        email_limit=limit if isinstance(limit, int) and not isinstance(limit, bool) else None,
        lemwarm_active=active if isinstance(active, bool) else None,
    )


def _mailboxes(entries: object, id_key: str) -> list[Mailbox] | None:
    if not isinstance(entries, list):
        return None
    found = [_mailbox(entry, id_key) for entry in entries]
    return [m for m in found if m is not None]


def user_mailboxes(answer: Answer) -> list[Mailbox] | None:
    """The mailboxes of ``GET /users/{userId}``'s answer (``{}``: an unknown user, none)."""
    data = _json_object(answer)
    if data is None:
        return None
    if not data:
        return []
    return _mailboxes(data.get("mailboxes", []), "_id")


def channel_mailboxes(answer: Answer) -> list[Mailbox] | None:
    """The email accounts of ``GET /user/channels``'s answer (no status)."""
    data = _json_object(answer)
    email = data.get("email") if data is not None else None
    if not isinstance(email, dict):
        return None
    return _mailboxes(email.get("accounts", []), "id")
