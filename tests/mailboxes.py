"""One valid mailbox for every suite: the program's inputs, the emulator's connect body and
the resource's args all start from it."""

from __future__ import annotations

from typing import Any

SMTP_PASSWORD = "smtp-pw-9d3f7b"
IMAP_PASSWORD = "imap-pw-4c8e2a"


def mailbox(**overrides: Any) -> dict[str, Any]:
    """The inputs of a valid mailbox, as the program would send them; ``overrides`` replace
    fields, and the value ``...`` removes one."""
    values: dict[str, Any] = {
        "sender_name": "Alice Martin",
        "sender_email": "alice@acme-mail.com",
        "smtp_host": "smtp.acme-mail.com",
        "smtp_port": 587,
        "smtp_login": "alice@acme-mail.com",
        "smtp_password": SMTP_PASSWORD,
        "imap_host": "imap.acme-mail.com",
        "imap_port": 993,
        "imap_login": "alice@acme-mail.com",
        "imap_password": IMAP_PASSWORD,
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not ...}
