"""lemlist's own acceptance rules for a custom SMTP/IMAP mailbox, as pure functions.

This module is the single home of these rules: the provider's ``check``, the offline
inventory lint and the emulator's ``Invalid host`` decision all call it. Standard library
only, so the emulator and the lint can import it without pulling in Pulumi.
"""

from __future__ import annotations

import ipaddress
import re
import socket

__all__ = [
    "account_id_problem",
    "email_problem",
    "host_problem",
    "normalize_port",
]

# A deliberately small address check: lemlist only needs a plausible mailbox here, and a
# full RFC 5322 parser (or the `email-validator` package, which also wants DNS) would
# refuse nothing lemlist accepts while adding a dependency to every provider process.
_EMAIL_RE = re.compile(
    r"^[^@\s\"(),:;<>\[\\\]]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_GMAIL_DOMAINS = ("gmail.com", "googlemail.com")
_METADATA_HOSTS = ("metadata.google.internal", "metadata", "instance-data")


def email_problem(value: str) -> str | None:
    """Return why ``value`` is not a usable sender address, or None when it is."""
    if len(value) > 254 or not _EMAIL_RE.match(value):
        return f"'{value}' is not a valid email address (expected name@domain.tld)"
    return None


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse ``host`` as an IP literal, including the short and numeric IPv4 spellings
    (``127.1``, ``2130706433``, ``0x7f000001``) that SSRF filters must not miss."""
    candidate = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fx.]+", candidate) and not re.search(r"[g-wyz]", candidate):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(candidate))
        except OSError:
            return None
    return None


def host_problem(host: str) -> str | None:
    """Return why lemlist would refuse ``host`` (``Invalid host``), or None when it accepts it.

    Refused: empty or malformed names, Gmail / Googlemail (connect those through OAuth),
    ``localhost`` and cloud-metadata names, and IP literals that are not globally routable
    (private, loopback, link-local, carrier-grade NAT, reserved, metadata addresses).
    """
    name = host.strip().lower().rstrip(".")
    if not name:
        return "must not be empty"
    ip = _ip_literal(name)
    if ip is not None:
        mapped = getattr(ip, "ipv4_mapped", None)
        target = mapped if mapped is not None else ip
        if not target.is_global or target.is_multicast:
            return (
                f"'{host}' is a private, loopback, link-local or metadata address; lemlist "
                "refuses those (SSRF protection): use the mail server's public host name"
            )
        return None
    if any(name == d or name.endswith("." + d) for d in _GMAIL_DOMAINS):
        return (
            f"'{host}' is a Gmail host; lemlist refuses Gmail over SMTP/IMAP: connect Gmail "
            "mailboxes through OAuth in the lemlist app instead"
        )
    if name == "localhost" or name.endswith(".localhost") or name in _METADATA_HOSTS:
        return (
            f"'{host}' points at the local machine or a metadata service; lemlist refuses it "
            "(SSRF protection): use the mail server's public host name"
        )
    if len(name) > 253 or not all(_LABEL_RE.match(label) for label in name.split(".")):
        return f"'{host}' is not a valid host name (letters, digits, dots and hyphens; no port)"
    return None


def normalize_port(value: object) -> tuple[int | None, str | None]:
    """Return ``(port, None)`` for a valid TCP port, else ``(None, reason)``.

    Accepts an int, an integral float (Pulumi sends numbers as doubles) or a string of
    digits (stack configuration is text); lemlist itself wants a JSON integer.
    """
    port: int | None = None
    if isinstance(value, bool):
        port = None
    elif isinstance(value, int):
        port = value
    elif isinstance(value, float) and value.is_integer():
        port = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,5}", value.strip()):
        # ASCII digits only: str.isdigit() also accepts '²' or '①', which int() refuses.
        port = int(value.strip())
    if port is None:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."  # never echo a whole blob
        return None, f"must be a whole number between 1 and 65535, got {shown}"
    if not 1 <= port <= 65535:
        return None, f"must be between 1 and 65535, got {port}"
    return port, None


# lemlist's contract shows an email-account id only as ``umx_…``. Beyond the prefix this
# accepts what is safe as one URL path segment, so an id can never reach another route.
_ACCOUNT_ID_RE = re.compile(r"umx_[A-Za-z0-9_-]{1,60}")


def account_id_problem(value: str) -> str | None:
    """Return why ``value`` is not a lemlist email-account id (``umx_…``), or None."""
    if _ACCOUNT_ID_RE.fullmatch(value):
        return None
    shown = value if len(value) <= 40 else value[:37] + "..."
    return (
        f"'{shown}' is not a lemlist email-account id: expected umx_ followed by letters "
        "and digits, as lemlist shows it under Settings > Email accounts"
    )
