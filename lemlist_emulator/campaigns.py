"""Campaigns, as ``GET /team/senders`` lists them (lemlist's OpenAPI, "Get Team Senders"):
per user of the team, the campaigns they send in, each ``{_id, name, status,
sendingChannels}``, filtered by ``?state=`` (running, paused, draft, ended, archived,
errors; anything else: 400 ``Bad params (invalid state parameter)``, text/plain).

The API cannot create campaigns, so tests and the command line seed them
(``Emulator.add_campaign``, ``--campaign USER_ID=NAME[:STATE]``). Thread-safe.
"""

from __future__ import annotations

import argparse
import itertools
import threading
from typing import Any

__all__ = ["MSG_BAD_STATE", "STATES", "Campaigns", "parse_campaign"]

STATES = ("running", "paused", "draft", "ended", "archived", "errors")
MSG_BAD_STATE = "Bad params (invalid state parameter)"


class Campaigns:
    """Team -> its campaigns, each with the user who sends in it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._serial = itertools.count(1)
        self._by_team: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def add(self, team: str, user_id: str, name: str, status: str = "running") -> str:
        """Seed a campaign ``user_id`` sends in; returns its id (``cam_…``)."""
        if status not in STATES:
            raise ValueError(f"status must be one of {', '.join(STATES)}, not {status!r}")
        with self._lock:
            campaign_id = f"cam_{next(self._serial):017d}"
            campaign = {"_id": campaign_id, "name": name, "status": status,
                        "sendingChannels": ["email"]}  # fmt: skip
            self._by_team.setdefault(team, []).append((user_id, campaign))
        return campaign_id

    def senders(self, team: str, members: tuple[str, ...], state: str | None) -> list[Any]:
        """The route's body: one entry per member, their campaigns (of ``state``, if given)."""
        with self._lock:
            seeded = list(self._by_team.get(team, []))
        users = list(dict.fromkeys([*members, *(user for user, _ in seeded)]))
        return [
            {"userId": user, "campaigns": [dict(c) for u, c in seeded
                                           if u == user and state in (None, c["status"])]}
            for user in users
        ]  # fmt: skip

    def reset(self) -> None:
        """No campaigns."""
        with self._lock:
            self._by_team.clear()


def parse_campaign(text: str) -> tuple[str, str, str]:
    """``--campaign USER_ID=NAME[:STATE]`` read: (user id, name, state; running by default)."""
    user, sep, rest = text.partition("=")
    name, colon, state = rest.rpartition(":")
    if not colon or state not in STATES:
        name, state = rest, "running"
    if not sep or not user.strip() or not name.strip():
        raise argparse.ArgumentTypeError("expected USER_ID=NAME[:STATE]")
    return user.strip(), name.strip(), state
