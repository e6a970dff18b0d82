"""The provider's configuration names, their environment variables and lemlist's address:
one place for each, so messages, settings and the lint never spell them twice."""

from __future__ import annotations

#: lemlist's API root, the default of ``lemlist:apiUrl``.
DEFAULT_API_URL = "https://api.lemlist.com/api"

KEY_CONFIG = "lemlist:apiKey"
URL_CONFIG = "lemlist:apiUrl"
TIMEOUT_CONFIG = "lemlist:timeoutSeconds"
TEAMS_CONFIG = "lemlist:teams"
CONCURRENCY_CONFIG = "lemlist:concurrency"

KEY_ENV = "LEMLIST_API_KEY"
URL_ENV = "LEMLIST_API_URL"
TIMEOUT_ENV = "LEMLIST_TIMEOUT_SECONDS"
CONCURRENCY_ENV = "LEMLIST_CONCURRENCY"

#: Set ("1") by scripts/pulumi for the provider host: the command runs the program (``up``,
#: ``preview``, and ``refresh``/``destroy`` with ``--run-program``), so the configuration the
#: engine passes is the stack's current one, not the copy saved in the state by the last up.
CURRENT_CONFIG_ENV = "LEMLIST_CONFIG_FROM_PROGRAM"

#: Where the default team's key came from (:attr:`~.settings.Settings.key_source`).
FROM_CONFIG = "config"
FROM_ENV = "env"

#: How to store the default team's API key, for messages ("set it with …"). Without a value
#: on the command line: pulumi prompts for it, so the key stays out of shell history.
SET_KEY = (
    f"`pulumi config set --secret {KEY_CONFIG}` (it prompts for the key) or the {KEY_ENV} "
    "environment variable"
)
