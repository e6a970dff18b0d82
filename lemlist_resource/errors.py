"""Exceptions raised by the lemlist client and provider.

Every message is one or two sentences a user can act on: what failed, the HTTP status,
lemlist's own reason, and what to do next. None ever carries a credential: messages are
built from fixed text and non-secret inputs, plus foreign text (lemlist's reply, a library's
exception) quoted through :func:`lemlist_resource.lemlist.redaction.quote`, which redacts the
current operation's secrets (see :mod:`lemlist_resource.lemlist.redaction` for why there is no
global list).
"""

from __future__ import annotations


class LemlistError(Exception):
    """Base class of every error this package raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    @property
    def message(self) -> str:
        """The user-facing sentence."""
        return str(self.args[0])


class ConfigurationError(LemlistError):
    """The provider is missing its API key or has an unusable API URL."""


class LemlistAPIError(LemlistError):
    """lemlist answered with an error status (``reason``: its text, already quoted)."""

    def __init__(self, message: str, status: int, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class LemlistUnavailableError(LemlistError):
    """lemlist could not be reached, or kept failing, for a request that had no effect."""


class UnexpectedAnswerError(LemlistError):
    """Something answered, but not in lemlist's documented words (a proxy page, a redirect,
    an unknown JSON shape): nothing is concluded from it and the stack state is kept."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class OutcomeUnknownError(LemlistError):
    """A request that changes lemlist may or may not have taken effect."""
