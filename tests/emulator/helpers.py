"""Helpers of the emulator's own tests: credentials, a valid body, emulator and session makers."""

from __future__ import annotations

from typing import Any

import requests

from lemlist_emulator import Emulator
from tests.mailboxes import mailbox as shared_mailbox

KEY = "emu-test-key-3b7c"
OTHER_KEY = "emu-other-team-key-81aa"
BAD_TEAM_KEY = "emu-bad-team-key-5d2e"
SMTP_PASSWORD = "smtp-secret-f00d"
IMAP_PASSWORD = "imap-secret-beef"
SECRETS = (KEY, OTHER_KEY, BAD_TEAM_KEY, SMTP_PASSWORD, IMAP_PASSWORD)

#: The connect body's required fields, as the contract lists them.
REQUIRED_FIELDS = (
    "sender_name",
    "sender_email",
    "smtp_host",
    "smtp_port",
    "smtp_login",
    "smtp_password",
    "imap_host",
    "imap_port",
    "imap_login",
    "imap_password",
)


def mailbox(**overrides: Any) -> dict[str, Any]:
    """A valid connect body (the shared mailbox with this suite's passwords and both
    ``secure`` flags); ``overrides`` replace fields (value ``...`` removes one)."""
    return shared_mailbox(
        **{
            "smtp_password": SMTP_PASSWORD,
            "imap_password": IMAP_PASSWORD,
            "smtp_secure": False,
            "imap_secure": True,
            **overrides,
        }
    )


def make_emulator(**options: Any) -> Emulator:
    """An emulator with two teams and a bad-team key; no rate limit unless asked."""
    settings: dict[str, Any] = {
        "api_keys": {KEY: "team_1", OTHER_KEY: "team_2"},
        "members": {"team_1": ("usr_owner", "usr_member"), "team_2": ("usr_other",)},
        "bad_team_keys": (BAD_TEAM_KEY,),
        "rate_limit": None,
    }
    settings.update(options)
    return Emulator(**settings)


def session_for(key: str | None) -> requests.Session:
    """A session that authenticates as lemlist documents it (Basic, empty user)."""
    session = requests.Session()
    if key is not None:
        session.auth = ("", key)
    return session
