"""``GET /team/senders?state=running``'s answer read: per user of the team, the names of
the running campaigns they send in (lemlist's OpenAPI, "Get Team Senders")."""

from __future__ import annotations

from .answers import ID_RE, Answer

__all__ = ["RUNNING_ROUTE", "running_campaigns"]

RUNNING_ROUTE = "/team/senders?state=running"


def _names(campaigns: object) -> list[str]:
    """The names of the running campaigns of one entry (entries of another shape skipped)."""
    if not isinstance(campaigns, list):
        return []
    return [
        c["name"]
        for c in campaigns
        if isinstance(c, dict)
        and isinstance(c.get("name"), str)
        and c["name"]
        and c.get("status", "running") == "running"
    ]


def running_campaigns(answer: Answer) -> dict[str, list[str]] | None:
    """user id -> names of the running campaigns they send in; None when the answer is not
    lemlist's list (an entry of another shape is skipped, the others read)."""
    data = answer.json() if answer.status == 200 else None
    if not isinstance(data, list):
        return None
    found: dict[str, list[str]] = {}
    for entry in data:
        user = entry.get("userId") if isinstance(entry, dict) else None
        if isinstance(user, str) and ID_RE.fullmatch(user):
            found.setdefault(user, []).extend(_names(entry.get("campaigns")))
    return found
