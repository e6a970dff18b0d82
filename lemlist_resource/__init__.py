"""Manage lemlist sender mailboxes (custom SMTP/IMAP email accounts) as Pulumi resources.

The public names are loaded lazily, so ``lemlist_resource.rules.validation`` and the inventory lint
import without loading Pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .email_account.provider import EmailAccountProvider
    from .email_account.resource import EmailAccount, EmailAccountArgs
    from .errors import LemlistAPIError, LemlistError, OutcomeUnknownError
    from .warmup.provider import WarmupProvider
    from .warmup.resource import Warmup, WarmupArgs

_PUBLIC = {
    "EmailAccount": "email_account.resource",
    "EmailAccountArgs": "email_account.resource",
    "EmailAccountProvider": "email_account.provider",
    "LemlistAPIError": "errors",
    "LemlistError": "errors",
    "OutcomeUnknownError": "errors",
    "Warmup": "warmup.resource",
    "WarmupArgs": "warmup.resource",
    "WarmupProvider": "warmup.provider",
}

__all__ = [
    "EmailAccount",
    "EmailAccountArgs",
    "EmailAccountProvider",
    "LemlistAPIError",
    "LemlistError",
    "OutcomeUnknownError",
    "Warmup",
    "WarmupArgs",
    "WarmupProvider",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'lemlist_resource' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
