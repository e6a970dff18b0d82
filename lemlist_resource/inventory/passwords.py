"""A ``passwords`` entry of a stack's inventory: one secret for SMTP and IMAP, or
``{smtp: secret, imap: secret}`` (standard library only)."""

from __future__ import annotations

from collections.abc import Mapping

#: The parts of a ``passwords`` entry given as ``{smtp: …, imap: …}``.
PASSWORD_PARTS: dict[str, str] = {"smtp": "smtp_password", "imap": "imap_password"}


def is_secure(value: object) -> bool:
    """Whether ``value`` is a stack file's encrypted value: a map ``{secure: ciphertext}``."""
    return isinstance(value, Mapping) and list(value) == ["secure"]


def split_password(entry: object) -> tuple[dict[str, object], list[str]]:
    """One ``passwords`` entry as ``{"smtp_password": value, "imap_password": value}``.

    A map of ``smtp`` and ``imap`` gives one value each; anything else (a secret) serves
    both. Returns the values (``None`` when absent) and the names of unknown parts.
    """
    if isinstance(entry, Mapping) and not is_secure(entry):
        values = {target: entry.get(part) for part, target in PASSWORD_PARTS.items()}
        unknown = [str(part) for part in entry if part not in PASSWORD_PARTS]
        return values, unknown
    return dict.fromkeys(PASSWORD_PARTS.values(), entry), []
