"""Exceptions raised by the lemlist client and provider.

Every message is one or two sentences a user can act on: what failed, the HTTP status,
lemlist's own reason, and what to do next. None ever carries a credential: messages are
built from fixed text, lemlist's reply and non-secret inputs only, and pass through
:func:`redact` as a last guard.
"""

from __future__ import annotations

import threading

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a credential so that :func:`redact` can scrub it from any message."""
    if value and len(value) >= 4:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def redact(text: str) -> str:
    """Replace every registered credential in ``text`` with ``[redacted]``."""
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


class LemlistError(Exception):
    """Base class of every error this package raises."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    @property
    def message(self) -> str:
        """The user-facing sentence."""
        return str(self.args[0])


class ConfigurationError(LemlistError):
    """The provider is missing its API key or has an unusable API URL."""


class LemlistAPIError(LemlistError):
    """lemlist answered with an error status."""

    def __init__(self, message: str, status: int, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = redact(reason)


class LemlistUnavailableError(LemlistError):
    """lemlist could not be reached, or kept failing, for a request that had no effect."""


class OutcomeUnknownError(LemlistError):
    """A request that changes lemlist may or may not have taken effect."""
