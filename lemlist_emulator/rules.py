"""lemlist's acceptance rules for a new email account, written from lemlist's API contract.

Deliberately independent of the provider's own rules (``lemlist_resource``): tests put the same
inputs through both, so a provider rule that lemlist would not apply (or one it misses) shows up
as a difference instead of the provider agreeing with itself.

The contract (``POST /user/email-accounts``): every listed field is required with its JSON type,
else 400 ``Missing required fields``; hosts are checked "against banned hosts and SSRF checks
(private, loopback, link-local and metadata addresses)" and Gmail SMTP/IMAP is refused, both
answered 400 ``Invalid host``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["MSG_INVALID_HOST", "MSG_MISSING", "Refusal", "host_refused", "validate_fields"]

MSG_MISSING = "Missing required fields"
MSG_INVALID_HOST = "Invalid host"

_STRING_FIELDS = (
    "sender_name",
    "sender_email",
    "smtp_host",
    "smtp_login",
    "smtp_password",
    "imap_host",
    "imap_login",
    "imap_password",
)
_PORT_FIELDS = ("smtp_port", "imap_port")
_FLAG_FIELDS = ("smtp_secure", "imap_secure")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Special-purpose blocks (RFC 6890 and its IPv6 counterparts) that a mail server on the public
# internet cannot have: private, shared (CGNAT), loopback, link-local (cloud metadata lives at
# 169.254.169.254 and fd00:ec2::254), documentation, benchmarking, multicast and reserved.
_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "100::/64", "2001::/23", "2001:db8::/32", "64:ff9b:1::/48",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)  # fmt: skip
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Names that only resolve inside a machine or a private network, and cloud metadata services.
_BANNED_NAMES = ("localhost", "metadata", "metadata.google.internal", "instance-data")
_PRIVATE_SUFFIXES = (".localhost", ".internal", ".local")
_GMAIL_DOMAINS = ("gmail.com", "googlemail.com")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_IPV4_PART = re.compile(r"0[x][0-9a-f]*|0[0-7]*|[1-9][0-9]*")


class Refusal(Exception):
    """A rule refused the input: 400 with lemlist's sentence ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _ipv4_any_spelling(text: str) -> ipaddress.IPv4Address | None:
    """IPv4 as resolvers read it (``inet_aton``): 1 to 4 parts, decimal, octal (``0177``) or hex
    (``0x7f``), the last part filling the remaining bytes (``127.1``, ``2130706433``)."""
    parts = text.split(".")
    if len(parts) > 4 or not all(_IPV4_PART.fullmatch(part) for part in parts):
        return None
    values = [int(p[2:] or "0", 16) if p.startswith("0x") else int(p, 8 if p[0] == "0" else 10)
              for p in parts]  # fmt: skip
    *head, last = values
    if any(value > 255 for value in head) or last >= 256 ** (4 - len(head)):
        return None
    number = 0
    for value in head:
        number = number << 8 | value
    return ipaddress.IPv4Address(number << 8 * (4 - len(head)) | last)


def _ip_literal(name: str) -> IPAddress | None:
    literal = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        return ipaddress.ip_address(literal)
    except ValueError:
        return _ipv4_any_spelling(literal)


def _reachable_addresses(ip: IPAddress) -> list[IPAddress]:
    """``ip`` and the IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4)."""
    found: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.ipv4_mapped is not None:
            found.append(ip.ipv4_mapped)
        elif ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
            found.append(low32)
        if ip.sixtofour is not None:
            found.append(ip.sixtofour)
    return found


def _name_refused(name: str) -> bool:
    if name in _BANNED_NAMES or name.endswith(_PRIVATE_SUFFIXES):
        return True
    if any(name == domain or name.endswith("." + domain) for domain in _GMAIL_DOMAINS):
        return True  # Gmail must be connected with OAuth
    return len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split("."))


def host_refused(host: str) -> bool:
    """Whether lemlist answers ``Invalid host`` for this SMTP or IMAP host."""
    name = host.strip().lower()
    name = name[:-1] if name.endswith(".") else name
    ip = _ip_literal(name)
    if ip is None:
        return _name_refused(name)
    return any(
        address in network
        for address in _reachable_addresses(ip)
        for network in _BLOCKED
        if network.version == address.version
    )


def _typed(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields with lemlist's JSON types, or ``Missing required fields``."""
    clean: dict[str, Any] = {}
    for name in _STRING_FIELDS:
        value = fields.get(name)
        if not isinstance(value, str) or value == "":
            raise Refusal(MSG_MISSING)
        clean[name] = value
    for name in _PORT_FIELDS:
        value = fields.get(name)
        # JSON integers only: not booleans, strings or floats (587.0 included). 0 is falsy in
        # lemlist's JavaScript and out-of-range ports cannot be connected to either.
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            raise Refusal(MSG_MISSING)
        clean[name] = value
    for name in _FLAG_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, bool):
            raise Refusal(MSG_MISSING)
        clean[name] = bool(value)
    user_id = fields.get("userId")
    if user_id is not None and not isinstance(user_id, str):
        raise Refusal(MSG_MISSING)
    clean["userId"] = user_id or None
    return clean


def validate_fields(fields: object) -> dict[str, Any]:
    """lemlist's field rules for a new account, in lemlist's order; returns the clean values.

    Raises ``Refusal`` with ``Missing required fields`` when a required field is absent, empty
    or of the wrong JSON type, then ``Invalid host`` when the SMTP or the IMAP host is refused.
    """
    if not isinstance(fields, Mapping):
        raise Refusal(MSG_MISSING)
    clean = _typed(fields)
    if host_refused(clean["smtp_host"]) or host_refused(clean["imap_host"]):
        raise Refusal(MSG_INVALID_HOST)
    return clean
