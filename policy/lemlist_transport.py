"""The ``lemlist-transport-tls`` policy: SMTP and IMAP over TLS.

lemlist's ``*_secure`` means SSL/TLS on connect (implicit TLS), so TLS is 465 with
``smtp_secure`` or STARTTLS on 587 for SMTP, and 993 with ``imap_secure`` for IMAP
(docs/policy.md).
"""

from __future__ import annotations

from typing import Final

import lemlist_inputs as inputs
from pulumi_policy import ReportViolation, ResourceValidationArgs

RESOURCE_TYPE: Final = inputs.RESOURCE_TYPE

SMTP_TLS_PORT, SMTP_STARTTLS_PORT, SMTP_PLAIN_PORT = 465, 587, 25
IMAP_TLS_PORT, IMAP_PLAIN_PORT = 993, 143
_FIX_SMTP = (
    f"use port {SMTP_TLS_PORT} with smtp_secure: true (TLS on connect), or port "
    f"{SMTP_STARTTLS_PORT} with smtp_secure: false (STARTTLS)"
)
_FIX_IMAP = f"use port {IMAP_TLS_PORT} with imap_secure: true (TLS on connect)"


# --- transport security ---------------------------------------------------------------


def smtp_transport_problem(port: int, secure: bool) -> str | None:
    """Why this SMTP setting does not send over TLS, or None when it does.

    lemlist's ``smtp_secure`` means TLS on connect (implicit TLS, port 465); with
    ``smtp_secure: false`` on port 587 the client upgrades with STARTTLS.
    """
    if port == SMTP_PLAIN_PORT:
        return f"smtp_port {port} is plain SMTP (server-to-server relay): {_FIX_SMTP}"
    if port == SMTP_TLS_PORT and not secure:
        return (
            f"smtp_port {port} expects TLS on connect but smtp_secure is false: "
            "set smtp_secure: true"
        )
    if port == SMTP_STARTTLS_PORT and secure:
        return (
            f"smtp_port {port} speaks STARTTLS, so TLS on connect (smtp_secure: true) cannot "
            f"work there: set smtp_secure: false (STARTTLS still encrypts), or use port "
            f"{SMTP_TLS_PORT}"
        )
    if port != SMTP_STARTTLS_PORT and not secure:
        return f"smtp_port {port} with smtp_secure: false is not a known TLS setup: {_FIX_SMTP}"
    return None


def imap_transport_problem(port: int, secure: bool) -> str | None:
    """Why this IMAP setting does not read over TLS, or None when it does."""
    if port == IMAP_PLAIN_PORT:
        return f"imap_port {port} is plain IMAP: {_FIX_IMAP}"
    if not secure:
        return f"imap_secure is false on imap_port {port}, so IMAP is not over TLS: {_FIX_IMAP}"
    return None


def transport_security(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """SMTP over TLS (465 + smtp_secure, or STARTTLS on 587) and IMAP over TLS (993)."""
    if args.resource_type != RESOURCE_TYPE:
        return
    props = args.props
    who = inputs.sender(props, args.name)
    for side, check in (("smtp", smtp_transport_problem), ("imap", imap_transport_problem)):
        port = inputs.port(inputs.known(props, f"{side}_port"))
        secure = inputs.flag(inputs.known(props, f"{side}_secure"), f"{side}_secure")
        if port is None or secure is None:
            continue  # unknown during preview, or refused by the provider's check anyway
        problem = check(port, secure)
        if problem:
            report(f"{who}: {problem}.", None)
