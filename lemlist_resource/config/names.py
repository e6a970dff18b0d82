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

#: How to store the default team's API key, for messages ("set it with …"). Without a value
#: on the command line: pulumi prompts for it, so the key stays out of shell history.
SET_KEY = (
    f"`pulumi config set --secret {KEY_CONFIG}` (it prompts for the key) or the {KEY_ENV} "
    "environment variable"
)
