"""Manage lemlist sender mailboxes (custom SMTP/IMAP email accounts) as Pulumi resources."""

from ._version import __version__
from .errors import LemlistAPIError, LemlistError, OutcomeUnknownError
from .provider import EmailAccountProvider
from .resource import EmailAccount, EmailAccountArgs

__all__ = [
    "EmailAccount",
    "EmailAccountArgs",
    "EmailAccountProvider",
    "LemlistAPIError",
    "LemlistError",
    "OutcomeUnknownError",
    "__version__",
]
