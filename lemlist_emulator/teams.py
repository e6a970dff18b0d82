"""Which API keys the emulator accepts, the team each belongs to, and each team's members.

A lemlist API key belongs to one team; each team has its own accounts and members (the first
member is the owner, who gets accounts connected without ``userId``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_MEMBERS", "DEFAULT_TEAM", "TeamSetup", "team_setup"]

DEFAULT_TEAM = "team_1"
DEFAULT_MEMBERS = ("usr_owner", "usr_member")

Keys = Mapping[str, str] | Sequence[str] | str
TeamKeys = Mapping[str, str | Sequence[str]]
Members = Sequence[str] | Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class TeamSetup:
    """``keys``: key -> team; ``members``: team -> user ids; ``default``: the default team."""

    keys: dict[str, str]
    members: dict[str, tuple[str, ...]]
    default: str


def _default_keys(api_keys: Keys) -> dict[str, str]:
    if isinstance(api_keys, str):
        return {api_keys: DEFAULT_TEAM}
    if isinstance(api_keys, Mapping):
        return {str(key): str(team) for key, team in api_keys.items()}
    return {str(key): DEFAULT_TEAM for key in api_keys}


def _team_keys(keys: dict[str, str], teams: TeamKeys) -> None:
    for team, team_keys in teams.items():
        for key in [team_keys] if isinstance(team_keys, str) else team_keys:
            if keys.get(key, team) != team:
                raise ValueError(f"an API key belongs to one team; {team!r} repeats another's")
            keys[key] = team


def team_setup(api_keys: Keys | None, teams: TeamKeys | None, members: Members | None) -> TeamSetup:
    """Keys, teams and members from the emulator's options.

    ``api_keys``: key -> team, keys of the default team ``team_1``, or None (``"test-key"``
    unless ``teams`` is given). ``teams``: team -> key(s). ``members``: the default team's user
    ids, or team -> user ids; a team without listed members has one, ``usr_<team>_owner``
    (the default team: ``usr_owner``, ``usr_member``).
    """
    keys = _default_keys(api_keys if api_keys is not None else ("test-key",) if not teams else ())
    named = list(dict.fromkeys(keys.values()))
    _team_keys(keys, teams or {})
    every = list(dict.fromkeys(keys.values()))
    default = DEFAULT_TEAM if DEFAULT_TEAM in named or not every else (named or every)[0]
    listed: dict[str, tuple[str, ...]] = {default: DEFAULT_MEMBERS}
    if isinstance(members, str):
        listed = {default: (members,)}
    elif isinstance(members, Mapping):
        listed = {str(team): tuple(users) for team, users in members.items()}
    elif members is not None:
        listed = {default: tuple(members)}
    teams_known = dict.fromkeys([*every, *listed])
    return TeamSetup(
        keys=keys,
        members={team: listed.get(team, (f"usr_{team}_owner",)) for team in teams_known},
        default=default,
    )
