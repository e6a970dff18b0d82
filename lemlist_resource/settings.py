"""Where the provider finds lemlist: API key and URL from stack config or the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError, register_secret

DEFAULT_API_URL = "https://api.lemlist.com/api"
DEFAULT_READ_TIMEOUT = 30.0

KEY_CONFIG = "lemlist:apiKey"
URL_CONFIG = "lemlist:apiUrl"
TIMEOUT_CONFIG = "lemlist:timeoutSeconds"
KEY_ENV = "LEMLIST_API_KEY"
URL_ENV = "LEMLIST_API_URL"
TIMEOUT_ENV = "LEMLIST_TIMEOUT_SECONDS"


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. ``api_key`` never appears in ``repr``."""

    api_url: str
    api_key: str | None = field(default=None, repr=False)
    read_timeout: float = DEFAULT_READ_TIMEOUT

    def require_key(self) -> str:
        """Return the API key, or explain both ways to set it."""
        if not self.api_key:
            raise ConfigurationError(
                "No lemlist API key is configured: set it with "
                f"`pulumi config set --secret {KEY_CONFIG} <key>` or the {KEY_ENV} "
                "environment variable of the process running `pulumi`."
            )
        return self.api_key


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(url: str) -> str:
    """Return ``url`` without a trailing slash if it is usable, else raise.

    https is required; plain http is accepted only on loopback (the local emulator),
    so an API key is never sent in clear over a network.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{URL_CONFIG} must be an http(s) URL such as {DEFAULT_API_URL}, got '{url}'."
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"{URL_CONFIG} '{url}' uses plain http on a non-loopback host, which would send "
            "the API key unencrypted: use https (plain http is only accepted for a local "
            "emulator on 127.0.0.1 or localhost)."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigurationError(
            f"{URL_CONFIG} must not carry credentials, a query or a fragment; "
            "put the key in lemlist:apiKey instead."
        )
    return url.strip().rstrip("/")


def resolve(
    get_config: Callable[[str], object], environ: Mapping[str, str] = os.environ
) -> Settings:
    """Resolve settings from stack config (``get_config``), falling back to the environment."""

    def pick(config_key: str, env_key: str) -> str | None:
        value = get_config(config_key)
        if value is None or value == "":
            value = environ.get(env_key) or None
        return None if value is None else str(value)

    api_key = pick(KEY_CONFIG, KEY_ENV)
    register_secret(api_key)
    url = check_api_url(pick(URL_CONFIG, URL_ENV) or DEFAULT_API_URL)
    raw_timeout = pick(TIMEOUT_CONFIG, TIMEOUT_ENV)
    try:
        timeout = float(raw_timeout) if raw_timeout is not None else DEFAULT_READ_TIMEOUT
        if timeout <= 0:
            raise ValueError
    except ValueError:
        raise ConfigurationError(
            f"{TIMEOUT_CONFIG} must be a positive number of seconds, got '{raw_timeout}'."
        ) from None
    return Settings(api_url=url, api_key=api_key, read_timeout=timeout)
