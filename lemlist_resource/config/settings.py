"""Where the provider finds lemlist: API keys and URLs from stack config or the environment.

The default team: ``lemlist:apiKey`` / ``lemlist:apiUrl`` (or ``LEMLIST_API_KEY`` /
``LEMLIST_API_URL``). Named teams: ``lemlist:teams`` (see :mod:`.teams`).
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..echo import safe_url, shown
from ..errors import ConfigurationError
from ..host.hostpool import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    MIN_CONCURRENCY,
    for_teams,
)
from .names import (
    CONCURRENCY_CONFIG,
    CONCURRENCY_ENV,
    CURRENT_CONFIG_ENV,
    DEFAULT_API_URL,
    FROM_CONFIG,
    FROM_ENV,
    KEY_CONFIG,
    KEY_ENV,
    SET_KEY,
    TEAMS_CONFIG,
    TIMEOUT_CONFIG,
    TIMEOUT_ENV,
    URL_CONFIG,
    URL_ENV,
)
from .teams import (
    Team,
    check_key,
    key_hint,
    missing_default_key_reason,
    parse_teams,
    unknown_team_reason,
)

DEFAULT_READ_TIMEOUT = 30.0
#: lemlist's connect and test take seconds; a read timeout beyond 10 minutes is a typo.
MAX_READ_TIMEOUT = 600.0


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. No key ever appears in ``repr``.

    ``api_url``/``api_key``: the default team; ``teams``: the named teams of ``lemlist:teams``.
    """

    api_url: str
    api_key: str | None = field(default=None, repr=False)
    read_timeout: float = DEFAULT_READ_TIMEOUT
    teams: Mapping[str, Team] = field(default_factory=dict, repr=False)
    concurrency: int = DEFAULT_CONCURRENCY
    #: Where ``api_key`` came from: :data:`~.names.FROM_CONFIG`, :data:`~.names.FROM_ENV` or
    #: None (no key); ``current``: the engine ran the program, so config is as set now.
    key_source: str | None = None
    current: bool = False

    def refused_key_hint(self, team: str | None) -> str:
        """What a 401 for ``team``'s key says: which key was used (by source) and how to
        apply a new one (:func:`~.teams.key_hint`)."""
        source = self.key_source if team is None else FROM_CONFIG  # lemlist:teams is config
        return key_hint(team, source, self.current)

    def missing_key(self, name: str | None) -> str | None:
        """Why nothing can be served, when no team is in use and the default team has no key:
        a configuration error (the mailbox is not at fault), or None."""
        if name is None and not self.api_key and not self.teams:
            return (
                f"No lemlist API key is configured: set it with {SET_KEY} of the process "
                "running `pulumi`."
            )
        return None

    @property
    def api_keys(self) -> tuple[str, ...]:
        """Every configured key (the default team's and each named team's), for redaction."""
        keys = [self.api_key] + [t.api_key for t in self.teams.values()]
        return tuple(k for k in keys if k)

    def team_problem(self, name: str | None) -> str | None:
        """Why a mailbox of team ``name`` (None: the default team) cannot be served, or None.

        The reason follows the word "team": ``team 'x' is not configured: …``."""
        if name is None:  # without teams in use, a missing key is missing_key()'s
            if self.api_key or not self.teams:
                return None
            return missing_default_key_reason(self.teams)
        if name not in self.teams:
            return unknown_team_reason(name, self.teams)
        return None

    def team(self, name: str | None) -> Team:
        """The team a mailbox belongs to, with its key; raise when it cannot be served."""
        missing = self.missing_key(name)
        if missing is not None:
            raise ConfigurationError(missing)
        problem = self.team_problem(name)
        if problem is not None:
            raise ConfigurationError(f"Team {problem}")
        if name is None:
            return Team(None, self.api_url, self.api_key)
        return self.teams[name]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(url: str, setting: str = URL_CONFIG) -> str:
    """Return ``url`` without a trailing slash if it is usable, else raise.

    Usable: an http(s) URL that parses, with a host and a valid port (``urlsplit`` only
    checks the port when asked, so it is asked here, before anything is sent), no
    credentials, query or fragment, no whitespace. https is required; plain http is accepted
    only on loopback (the local emulator), so an API key is never sent in clear over a
    network. Every message quotes the URL through :func:`~..echo.safe_url` and names it as
    ``setting`` (``lemlist:apiUrl``, or a team's ``lemlist:teams.<team>.apiUrl``).
    """
    text = url.strip()
    shown_url = safe_url(text)
    try:
        parts = urlsplit(text)
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ConfigurationError(
            f"{setting} '{shown_url}' is not a valid URL (check the host and that the port "
            f"is a number between 1 and 65535), e.g. {DEFAULT_API_URL}."
        ) from None
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in text):
        raise ConfigurationError(
            f"{setting} must be an http(s) URL such as {DEFAULT_API_URL}, got '{shown_url}'."
        )
    if parts.query or parts.fragment or parts.username or parts.password or "@" in parts.netloc:
        raise ConfigurationError(
            f"{setting} '{shown_url}' must not carry credentials, a query or a fragment; "
            f"put the key in {KEY_CONFIG} or {TEAMS_CONFIG} instead."
        )
    if parts.port == 0:
        raise ConfigurationError(f"{setting} '{shown_url}' has port 0: use 1 to 65535.")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigurationError(
            f"{setting} '{shown_url}' uses plain http on a non-loopback host, which would "
            "send the API key unencrypted: use https (plain http is only accepted for a local "
            "emulator on 127.0.0.1 or localhost)."
        )
    return text.rstrip("/")


def check_timeout(raw: str | None) -> float:
    """The read timeout in seconds: a finite number in (0, :data:`MAX_READ_TIMEOUT`]."""
    if raw is None:
        return DEFAULT_READ_TIMEOUT
    try:
        timeout = float(raw)
    except ValueError:
        timeout = math.nan
    if not math.isfinite(timeout) or not 0 < timeout <= MAX_READ_TIMEOUT:
        raise ConfigurationError(
            f"{TIMEOUT_CONFIG} must be a number of seconds greater than 0 and at most "
            f"{MAX_READ_TIMEOUT:g}, got {shown(raw)}."
        )
    return timeout


def check_api_key(raw: str | None) -> str | None:
    """The API key without surrounding whitespace (a key pasted from a file often ends in a
    newline); refused when whitespace or control characters remain inside. Never echoed."""
    how = f"`pulumi config set --secret {KEY_CONFIG}` (it prompts for the key; or {KEY_ENV})"
    return check_key(raw, KEY_CONFIG, how)


def check_concurrency(raw: str | None, teams: int = 1) -> int:
    """``lemlist:concurrency``: how many calls the provider host serves at once (a whole
    number in [:data:`~..host.hostpool.MIN_CONCURRENCY`,
    :data:`~..host.hostpool.MAX_CONCURRENCY`]); unset, it follows the ``teams`` in use
    (:func:`~..host.hostpool.for_teams`)."""
    if raw is None:
        return for_teams(teams)
    text = raw.strip()
    if text.isascii() and text.isdigit() and len(text) <= 3:
        if MIN_CONCURRENCY <= int(text) <= MAX_CONCURRENCY:
            return int(text)
    raise ConfigurationError(
        f"{CONCURRENCY_CONFIG} must be a whole number from {MIN_CONCURRENCY} to "
        f"{MAX_CONCURRENCY} (calls the provider serves at once; default "
        f"{DEFAULT_CONCURRENCY} per team), got {shown(raw)}."
    )


def resolve(
    get_config: Callable[[str], object], environ: Mapping[str, str] = os.environ
) -> Settings:
    """Resolve and validate every setting from stack config (``get_config``), falling back to
    the environment: whatever is refused is refused here, before any request."""

    def pick(config_key: str, env_key: str) -> str | None:
        value = get_config(config_key)
        if value is None or value == "":
            value = environ.get(env_key) or None
        return None if value is None else str(value)

    api_key = check_api_key(pick(KEY_CONFIG, KEY_ENV))
    from_config = get_config(KEY_CONFIG) not in (None, "")
    source = None if api_key is None else FROM_CONFIG if from_config else FROM_ENV
    url = check_api_url(pick(URL_CONFIG, URL_ENV) or DEFAULT_API_URL)
    timeout = check_timeout(pick(TIMEOUT_CONFIG, TIMEOUT_ENV))
    teams = parse_teams(get_config(TEAMS_CONFIG), url, check_api_url)
    in_use = len(teams) + (1 if api_key else 0)
    concurrency = check_concurrency(pick(CONCURRENCY_CONFIG, CONCURRENCY_ENV), in_use)
    return Settings(
        api_url=url, api_key=api_key, read_timeout=timeout, teams=teams, concurrency=concurrency,
        key_source=source, current=environ.get(CURRENT_CONFIG_ENV) == "1",
    )
