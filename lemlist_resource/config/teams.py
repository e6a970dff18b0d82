"""Several lemlist teams in one stack: the ``lemlist:teams`` configuration and its rules.

A lemlist API key belongs to one team. ``lemlist:apiKey`` (or ``LEMLIST_API_KEY``) is the
*default team*, used by every mailbox without a ``team`` input; ``lemlist:teams`` adds named
teams, each with its own key and optionally its own API URL::

    pulumi config set --secret --path 'lemlist:teams.acme.apiKey' <acme's key>
    pulumi config set --path 'lemlist:teams.acme.apiUrl' https://api.lemlist.com/api

How that value reaches the provider (read in the engine source, pulumi/pulumi):

* ``pkg/resource/deploy/target.go`` ``Target.GetPackageConfig``: a dynamic provider
  (``pulumi-python``) receives the *whole* stack config, keys kept namespaced; each value is
  ``c.Value(decrypter)`` wrapped in ``resource.NewStringProperty`` and made secret as a whole
  when ``c.Secure()``;
* ``sdk/go/common/resource/config/value.go`` ``Value.Value``: an object value is its JSON
  text, with every nested ``{secure: …}`` leaf decrypted in place (``decryptObject``), and
  ``Secure()`` is true when any leaf is secret (``hasSecureValue``);
* ``sdk/go/common/resource/plugin/provider_plugin.go`` ``provider.Configure`` sends those
  properties as ``ConfigureRequest.args`` with ``KeepSecrets: true``;
* the Python host (``pulumi/dynamic/__main__.py``, ``Configure``) deserializes ``args`` and
  unwraps the top-level secret, so ``req.config.get("lemlist:teams")`` is a **JSON string**
  such as ``'{"acme": {"apiKey": "…"}}'``, the key in clear inside it.

:func:`parse_teams` therefore takes that string (a mapping is accepted too, for programs and
tests that already hold one). No message built here ever contains a key: only team names,
field names and URLs. Standard library only, so the offline lint uses the same rules.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ..echo import shown
from ..errors import ConfigurationError
from .names import FROM_CONFIG, FROM_ENV, KEY_CONFIG, KEY_ENV, SET_KEY, TEAMS_CONFIG

KEY_FIELD = "apiKey"
URL_FIELD = "apiUrl"
TEAM_FIELDS = (KEY_FIELD, URL_FIELD)

TEAM_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62})$")
TEAM_NAME_RULE = (
    "lower-case letters, digits, '-' and '_', starting with a letter or digit, at most "
    "63 characters"
)


class TeamsConfigError(ConfigurationError):
    """``lemlist:teams`` is unusable; the message lists every problem, never a key."""


def set_key_command(team: str) -> str:
    """The command that stores a team's API key as a stack secret (pulumi prompts for the
    value, so the key stays out of shell history)."""
    return f"pulumi config set --secret --path '{TEAMS_CONFIG}.{team}.{KEY_FIELD}'"


def check_key(raw: str | None, setting: str, how: str) -> str | None:
    """An API key without surrounding whitespace (a key pasted from a file often ends in a
    newline), None when empty; refused when whitespace or control characters remain inside
    (``setting`` names where it is set, ``how`` how to set it again). Never echoed."""
    if raw is None or not raw.strip():
        return None
    key = raw.strip()
    if key[0] in "[{":  # the engine's JSON text of a list or a map: no lemlist key starts so
        raise ConfigurationError(
            f"{setting} is a list or a map in the stack config, not a key (and in plain text "
            f"in the stack file): remove it, set it again with {how}, and rotate the key."
        )
    if any(not c.isprintable() or c.isspace() for c in key):
        raise ConfigurationError(
            f"{setting} contains whitespace or control characters inside it, which no "
            f"lemlist key has: set it again with {how}, pasting the key alone."
        )
    return key


@dataclass(frozen=True)
class Team:
    """One lemlist team: its name (None for the default team), API URL and key."""

    name: str | None
    api_url: str
    api_key: str | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """How messages name it: ``team 'acme'`` or ``the default team``."""
        return "the default team" if self.name is None else f"team '{self.name}'"


def team_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a team name, or None when it can."""
    if not isinstance(name, str):
        return f"must be a team name (text), got {type(name).__name__}"
    if not TEAM_NAME_RE.match(name):
        return f"{shown(name)} is not a usable team name: use {TEAM_NAME_RULE}"
    return None


def _load(raw: object) -> Mapping[str, object]:
    """The ``lemlist:teams`` value as a mapping: JSON text from the engine, or a mapping."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            # exc.msg and the position only: the document itself holds the keys.
            raise TeamsConfigError(
                f"{TEAMS_CONFIG} is not a readable map ({exc.msg} at character {exc.pos}): "
                f"set each team with `{set_key_command('<team>')}`."
            ) from None
    if not isinstance(raw, Mapping):
        raise TeamsConfigError(
            f"{TEAMS_CONFIG} must be a map of team name to {{{KEY_FIELD}, {URL_FIELD}}}, got "
            f"{type(raw).__name__}: set each team with `{set_key_command('<team>')}`."
        )
    return raw


def _team_key(name: str, raw: object) -> tuple[str | None, list[str]]:
    """A team's key under the same rule as ``lemlist:apiKey``'s, and its problems (a list,
    map or number, as the engine's JSON may carry, is refused). Never echoed."""
    where = f"{TEAMS_CONFIG}.{name}.{KEY_FIELD}"
    if raw is not None and not isinstance(raw, str):
        return None, [
            f"{where} must be the key alone, as a secret, not a {type(raw).__name__}: remove "
            f"it, set it with `{set_key_command(name)}`, and rotate the key"
        ]
    try:
        key = check_key(raw, where, f"`{set_key_command(name)}`")
    except ConfigurationError as exc:
        return None, [exc.message.rstrip(".")]
    if key is None:
        return None, [f"{where} is missing or empty: `{set_key_command(name)}`"]
    return key, []


def _team(
    name: str, entry: object, default_url: str, check_url: Callable[[str, str], str]
) -> tuple[Team | None, list[str]]:
    """One ``lemlist:teams`` entry: the team (None when unusable) and its problems."""
    where = f"{TEAMS_CONFIG}.{name}"
    if not isinstance(entry, Mapping):
        return None, [
            f"{where} must be a map with {KEY_FIELD} (secret) and optionally {URL_FIELD}: "
            f"set it with `{set_key_command(name)}`"
        ]
    problems: list[str] = []
    for unknown in (str(k) for k in entry if k not in TEAM_FIELDS):
        close = difflib.get_close_matches(unknown, TEAM_FIELDS, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"use {KEY_FIELD} and {URL_FIELD}"
        problems.append(f"{where}.{shown(unknown)} is not a team setting: {hint}")
    key, key_problems = _team_key(name, entry.get(KEY_FIELD))
    problems += key_problems
    url, api_url = entry.get(URL_FIELD), default_url
    if isinstance(url, str) and url:
        try:
            api_url = check_url(url, f"{where}.{URL_FIELD}")
        except ConfigurationError as exc:
            problems.append(exc.message.rstrip("."))
    elif url is not None and url != "":
        problems.append(f"{where}.{URL_FIELD} must be a URL, got {type(url).__name__}")
    return Team(name, api_url, key), problems


def read_teams(
    raw: object, default_url: str, check_url: Callable[[str, str], str]
) -> tuple[dict[str, Team], list[str]]:
    """The usable teams of ``lemlist:teams`` and every problem found, as sentences.

    ``check_url(url, setting)`` is the provider's URL rule (it returns the URL to use or
    raises :class:`ConfigurationError`); a team without ``apiUrl`` uses ``default_url``.
    A value that is not a map raises :class:`TeamsConfigError`."""
    teams: dict[str, Team] = {}
    problems: list[str] = []
    for raw_name, entry in _load(raw).items():
        problem = team_name_problem(raw_name)
        if problem is not None:
            problems.append(f"{TEAMS_CONFIG}: {problem}")
            continue
        team, entry_problems = _team(str(raw_name), entry, default_url, check_url)
        problems += entry_problems
        if team is not None:
            teams[str(raw_name)] = team
    return teams, problems


def parse_teams(
    raw: object, default_url: str, check_url: Callable[[str, str], str]
) -> dict[str, Team]:
    """The teams of ``lemlist:teams`` (see :func:`read_teams`); raise
    :class:`TeamsConfigError` listing every problem at once."""
    teams, problems = read_teams(raw, default_url, check_url)
    if problems:
        raise TeamsConfigError("; ".join(problems) + ".")
    return teams


def _config_key_hint(setting: str, command: str, current: bool, default_team: bool) -> str:
    """:func:`key_hint` for a key from the stack config (``setting``, set by ``command``)."""
    if current:
        return (
            f"the key came from the stack config {setting}, as set now: set the valid key "
            f"with `{command}` (it prompts for the key) and run the command again"
        )
    # The environment variable serves the default team only: a named team has none.
    out_of_state = (
        f" (or remove {setting} and export the key in {KEY_ENV}, which keeps it out of the "
        "state altogether)"
        if default_team
        else ""
    )
    return (
        f"the key came from the stack config {setting} as the engine passed it: on "
        "`pulumi up` the stack's value as set now, but on `pulumi refresh` and `pulumi "
        "destroy` without `--run-program` the copy saved in the state by the last `up`: "
        f"set the valid key with `{command}`, then run `pulumi up`, or run the refresh or "
        f"destroy with `--run-program` (./scripts/pulumi does){out_of_state}"
    )


def key_hint(team: str | None, source: str | None = None, current: bool = False) -> str:
    """What to do about a refused key of ``team`` (None: the default team), for the message
    after "lemlist did not accept the API key: ".

    ``source``: where the key came from, :data:`~.names.FROM_CONFIG` or
    :data:`~.names.FROM_ENV` (None: not known, the plain hint). ``current``: the engine ran the
    program (:data:`~.names.CURRENT_CONFIG_ENV`), so a config key is the stack's value as set
    now; otherwise it is the one the engine passed, which on ``refresh``/``destroy`` without
    ``--run-program`` is the copy saved in the state by the last ``up`` (the engine configures
    the provider from the state then). Names the source, never the key."""
    setting = KEY_CONFIG if team is None else f"{TEAMS_CONFIG}.{team}.{KEY_FIELD}"
    command = f"pulumi config set --secret {KEY_CONFIG}" if team is None else set_key_command(team)
    if source == FROM_ENV:
        return (
            f"the key came from the {KEY_ENV} environment variable (read afresh by every "
            f"command): export the valid key in {KEY_ENV} and run the command again"
        )
    if source == FROM_CONFIG:
        return _config_key_hint(setting, command, current, team is None)
    if team is None:
        return f"check the API key: {SET_KEY}"
    return f"check team '{team}''s API key: `{set_key_command(team)}`"


def unknown_team_reason(name: str, configured: Iterable[str]) -> str:
    """Why a mailbox's ``team`` is refused when no team of that name is configured (a
    reason to follow the word "team", like every :class:`~..rules.validation.Failure` reason)."""
    names = sorted(configured)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    known = (
        f"the configured teams are: {', '.join(names)}"
        if names
        else f"no team is configured in {TEAMS_CONFIG}"
    )
    return (
        f"'{name}' is not configured: {known} (a mailbox without team uses the default "
        f"team, {KEY_CONFIG}).{hint} Add it with `{set_key_command(name)}`."
    )


def missing_default_key_reason(configured: Iterable[str]) -> str:
    """Why a mailbox without ``team`` is refused when the default team has no key (a reason
    to follow the word "team")."""
    names = sorted(configured)
    teams = f", or give it a team ({', '.join(names)})" if names else ""
    return (
        "is not set, so this mailbox belongs to the default team, which has no API key: "
        f"set it with {SET_KEY} of the process running `pulumi`{teams}."
    )
