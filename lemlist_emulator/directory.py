"""lemlist's reading routes as its OpenAPI documents them: the bodies of ``GET /user/channels``,
``GET /team`` and ``GET /users/{userId}``, built from the model's account records.

Pure functions of plain data (the model holds the lock and passes copies). A mailbox's
``status`` is ``CONNECTED``, ``ERROR`` (lemlist can no longer log in, e.g. its password
changed) or ``DISCONNECTED``; ``lemlist.emailLimit`` is its daily limit; ``lemwarm.active``
says whether warm-up runs (the model's ``lemwarm_active``, default false).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "DEFAULT_EMAIL_LIMIT",
    "MSG_PLAN",
    "READING_OPERATIONS",
    "STATUSES",
    "channels_body",
    "team_body",
    "user_body",
]

STATUSES = ("CONNECTED", "ERROR", "DISCONNECTED")
#: The daily sending limit of a newly connected mailbox (the OpenAPI's example value).
DEFAULT_EMAIL_LIMIT = 50
#: What lemlist answers (402) on a route the team's plan lacks.
MSG_PLAN = "route is available starting emailPro plan"
READING_OPERATIONS = ("channels", "team", "user", "senders")

Account = dict[str, Any]


def user_email(user_id: str) -> str:
    """The login address of an emulated team member."""
    return f"{user_id.removeprefix('usr_')}@members.lemlist-emulator.test"


def channels_body(plan: str, accounts: Sequence[Account]) -> dict[str, Any]:
    """``GET /user/channels``: the key's own user's channels; mailboxes as ``{id, email,
    provider}``."""
    listed = [{"id": a["id"], "email": a["sender_email"], "provider": "custom"} for a in accounts]
    return {
        "plan": plan,
        "email": {"connected": bool(listed), "available": True, "accounts": listed},
        "linkedin": {"connected": False, "available": True},
        "whatsapp": {"connected": False, "available": True},
    }


def team_body(team: str, members: Sequence[str], v2: bool = False) -> dict[str, Any]:
    """``GET /team``: the team's id, name, member ids and creator (its first member, so
    ``members`` is never empty); ``v2`` (``?version=v2``) adds ``users``, each member's
    ``userId``, ``name``, ``email`` and ``role``."""
    body: dict[str, Any] = {
        "_id": team,
        "name": team,
        "userIds": list(members),
        "createdBy": members[0],
    }
    if v2:
        body["users"] = [
            {
                "userId": user,
                "name": user,
                "email": user_email(user),
                "role": "admin" if index == 0 else "user",
            }
            for index, user in enumerate(members)
        ]
    return body


def user_body(user_id: str, owner: bool, accounts: Sequence[Account]) -> dict[str, Any]:
    """``GET /users/{userId}``: the member and every mailbox of theirs, with its status."""
    return {
        "_id": user_id,
        "email": user_email(user_id),
        "role": "admin" if owner else "user",
        "mailboxes": [
            {
                "_id": a["id"],
                "email": a["sender_email"],
                "provider": "custom",
                "status": a.get("status", "CONNECTED"),
                "lemlist": {"emailLimit": a.get("email_limit", DEFAULT_EMAIL_LIMIT)},
                "lemwarm": {"active": bool(a.get("lemwarm_active", False))},
            }
            for a in accounts
        ],
    }
