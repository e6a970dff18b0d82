"""lemlist's reading routes over the model: ``GET /user/channels``, ``GET /team``,
``GET /team/senders`` and ``GET /users/{userId}``, with their documented refusals.

``catch_all``: lemlist's real behaviour for a user id it does not know, ``200 {}`` (on by
default); off, such an id answers ``404 Not found`` as the emulator once did.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from lemlist_emulator.campaigns import MSG_BAD_STATE, STATES, Campaigns
from lemlist_emulator.directory import channels_body, team_body, user_body
from lemlist_emulator.model import Backend
from lemlist_emulator.plans import PlanGates
from lemlist_emulator.refusals import (
    MSG_NO_USER,
    MSG_NO_USER_TEAM,
    MSG_NOT_FOUND,
    LemlistRefusal,
    Principal,
)

__all__ = ["Reading"]

Result = tuple[int, dict[str, Any]]


class Reading:
    """The three reading routes of one emulator."""

    def __init__(
        self,
        backend: Backend,
        gates: PlanGates,
        catch_all: bool = True,
        campaigns: Campaigns | None = None,
    ) -> None:
        self.backend = backend
        self.gates = gates
        self.catch_all = catch_all
        self.campaigns = campaigns if campaigns is not None else Campaigns()

    def _mailboxes(self, team: str, user_id: str) -> list[dict[str, Any]]:
        return [a for a in self.backend.accounts() if a["team"] == team and a["user_id"] == user_id]

    def channels(self, principal: Principal) -> Result:
        """``GET /user/channels``: the key's own user (the team's owner here) and their
        mailboxes; 400 ``Bad team`` / ``No user found for this api key``."""
        team = self.backend.team_name(principal)
        members = self.backend.members(team)
        if not members:
            raise LemlistRefusal(400, MSG_NO_USER)
        return 200, channels_body(self.gates.plan(team), self._mailboxes(team, members[0]))

    def team(self, principal: Principal, query: str = "") -> Result:
        """``GET /team``: the key's team and its members (``users`` too with
        ``version=v2``); 400 ``Bad team``; 404 ``No user found for this API key`` (a team
        without members)."""
        team = self.backend.team_name(principal)
        members = self.backend.members(team)
        if not members:
            raise LemlistRefusal(404, MSG_NO_USER_TEAM)
        v2 = "v2" in parse_qs(query).get("version", [])
        return 200, team_body(team, members, v2)

    def senders(self, principal: Principal, state: list[str] | None) -> tuple[int, list[Any]]:
        """``GET /team/senders``: per member, the campaigns they send in (``?state=``
        filters); 400 ``Bad params (invalid state parameter)``, 400 ``Bad team``."""
        team = self.backend.team_name(principal)
        wanted = state[-1] if state else None
        if wanted is not None and wanted not in STATES:
            raise LemlistRefusal(400, MSG_BAD_STATE)
        return 200, self.campaigns.senders(team, self.backend.members(team), wanted)

    def user(self, principal: Principal, user_id: str) -> Result:
        """``GET /users/{userId}``: a member of the key's team with every mailbox of theirs;
        an id that is not one answers ``200 {}`` (``404 Not found`` without catch-all)."""
        team = self.backend.team_name(principal)
        members = self.backend.members(team)
        if user_id not in members:
            if not self.catch_all:
                raise LemlistRefusal(404, MSG_NOT_FOUND)
            return 200, {}
        owner = user_id == members[0]
        return 200, user_body(user_id, owner, self._mailboxes(team, user_id))
