"""lemlist's words and who is asking: the emulator's refusal texts, ``LemlistRefusal`` (a status
and lemlist's one sentence) and ``Principal`` (the team a valid key speaks for)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lemlist_emulator import rules

__all__ = [
    "MSG_BAD_AUTH",
    "MSG_BAD_METHOD",
    "MSG_BAD_TEAM",
    "MSG_DUPLICATE",
    "MSG_FORBIDDEN_MAILBOX",
    "MSG_INVALID_HOST",
    "MSG_METHOD",
    "MSG_MISSING",
    "MSG_NOT_FOUND",
    "MSG_NOT_FOUND_ACCOUNT",
    "MSG_NOT_MEMBER",
    "MSG_NO_KEY",
    "MSG_NO_USER",
    "MSG_NO_USER_TEAM",
    "MSG_RATE_LIMITED",
    "BackendClosed",
    "LemlistRefusal",
    "Principal",
    "fingerprint",
]

MSG_BAD_AUTH = "The authentication you supplied is incorrect"
MSG_BAD_TEAM = "Bad team"
MSG_MISSING = rules.MSG_MISSING
MSG_INVALID_HOST = rules.MSG_INVALID_HOST
MSG_NOT_MEMBER = "User is not a member of this team"
MSG_DUPLICATE = "This SMTP mailbox already exists"
MSG_NOT_FOUND_ACCOUNT = "Email account not found"
MSG_FORBIDDEN_MAILBOX = "You are not allowed to modify this mailbox"
MSG_METHOD = "Method not allowed"
MSG_BAD_METHOD = "Bad method"  # GET /user/channels' 405
MSG_NOT_FOUND = "Not found"
MSG_RATE_LIMITED = "Too many requests"
MSG_NO_USER = "No user found for this api key"  # GET /user/channels spells it so
MSG_NO_USER_TEAM = "No user found for this API key"  # GET /team spells it so
MSG_NO_KEY = "No API key provided"  # GET /team without a key


class LemlistRefusal(Exception):
    """A refusal as lemlist answers it: an HTTP status and its one-sentence text body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message


class BackendClosed(RuntimeError):
    """The emulator was stopped: the model accepts no more changes."""


@dataclass(frozen=True)
class Principal:
    """Who a valid key speaks for. ``team`` is None for a key configured as a "bad team" key."""

    key_fingerprint: str
    team: str | None


def fingerprint(secret: str) -> str:
    """The sha256 hex digest of ``secret`` (what is kept instead of a password)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
