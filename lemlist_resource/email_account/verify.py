"""Verifying a mailbox: lemlist's test endpoint (``POST …/{id}/test``) as the provider reads it.

"Verify" is this package's one word for that connectivity test, apart from Pulumi's
``check`` (offline validation of inputs, :mod:`..rules.validation`). Create verifies a mailbox it
has just connected or adopted, refresh and ``EmailAccount.get`` read it, and an update of
``verify_connection`` runs it again; the result lands in the ``smtp_ok``, ``imap_ok`` and
``checked_at`` outputs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .client import LemlistClient

#: What :func:`verify` reports when lemlist answered 404 "Email account not found".
GONE = "lemlist no longer knows it"


def verify_outputs(result: dict[str, Any]) -> dict[str, Any]:
    """The non-secret outputs that report a verification."""
    return {
        "smtp_ok": bool((result.get("smtp") or {}).get("success")),
        "imap_ok": bool((result.get("imap") or {}).get("success")),
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def verify_problem(result: dict[str, Any]) -> str | None:
    """lemlist's per-protocol reasons when the verification failed, else None."""
    problems = []
    for side in ("smtp", "imap"):
        part = result.get(side) or {}
        if not part.get("success"):
            problems.append(f"{side.upper()}: {part.get('error') or 'failed'}")
    return "; ".join(problems) or None


def verify(api: LemlistClient, account_id: str) -> tuple[dict[str, Any], str | None]:
    """Verify a mailbox: ``(outputs, None)`` when SMTP and IMAP work, else ``({}, why)``."""
    result = api.verify(account_id)
    if result is None:
        return {}, GONE
    problem = verify_problem(result)
    return ({}, problem) if problem is not None else (verify_outputs(result), None)
