"""lemlist's own acceptance rules for a custom SMTP/IMAP mailbox, as pure functions.

This module is the single home of these rules: the provider's ``check``, the offline
inventory lint and the emulator's ``Invalid host`` decision all call it. Standard library
only, so the emulator and the lint can import it without pulling in Pulumi.
"""

from __future__ import annotations

import ipaddress
import re
import socket

from .echo import shown

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
_METADATA_HOSTS = (
    "metadata.google.internal",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
)

#: Names that only resolve on the local machine or a private network (RFC 6761, mDNS, ICANN's
#: private-use ``.internal``).
_LOCAL_DOMAINS = ("localhost", "local", "internal")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _nets(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


#: IPv4 networks lemlist refuses (SSRF protection), decided here from explicit networks and
#: never from the interpreter's ``is_global`` table, whose answer changes between versions.
_REFUSED_V4 = _nets(
    "0.0.0.0/8",  # "this network"
    "10.0.0.0/8",  # private
    "100.64.0.0/10",  # carrier-grade NAT (holds Alibaba's metadata 100.100.100.200)
    "127.0.0.0/8",  # loopback
    "169.254.0.0/16",  # link-local (AWS/GCP/Azure 169.254.169.254, ECS 169.254.170.2)
    "172.16.0.0/12",  # private
    "192.0.0.0/24",  # IETF protocol assignments (Oracle's metadata 192.0.0.192)
    "192.0.2.0/24",  # documentation
    "192.88.99.0/24",  # 6to4 relay anycast
    "192.168.0.0/16",  # private
    "198.18.0.0/15",  # benchmarking
    "198.51.100.0/24",  # documentation
    "203.0.113.0/24",  # documentation
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, and the broadcast address
)
#: Metadata services on addresses that are otherwise public.
_METADATA_V4 = _nets("168.63.129.16/32")  # Azure's WireServer
#: IPv6 networks refused outright. Only global unicast (2000::/3) can be a mail server; the
#: forms that embed an IPv4 address are decoded below instead.
_GLOBAL_V6 = ipaddress.ip_network("2000::/3")
_REFUSED_V6 = _nets(
    "2001::/23",  # IETF protocol assignments (Teredo, benchmarking, ORCHID, ...)
    "2001:db8::/32",  # documentation
    "3fff::/20",  # documentation
    "64:ff9b:1::/48",  # local-use NAT64: the embedded IPv4 is site-specific
    "fc00::/7",  # unique local (AWS's IPv6 metadata fd00:ec2::254)
    "fe80::/10",  # link-local
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known NAT64: IPv4 in the last 32 bits
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")  # 6to4: IPv4 in bits 16..48
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")  # IPv4-mapped
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # IPv4-translated (SIIT)
_COMPATIBLE = ipaddress.ip_network("::/96")  # IPv4-compatible (deprecated); holds :: and ::1


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, translated, compatible, NAT64,
    6to4), or None when it embeds none."""
    value = int(ip)
    if any(ip in net for net in (_MAPPED, _TRANSLATED, _COMPATIBLE, _NAT64)):
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if ip in _SIX_TO_FOUR:
        return ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF)
    return None


def is_refused_address(ip: IPAddress) -> bool:
    """True for an address lemlist refuses: not a public unicast address of a mail server."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_v4(ip)
        if embedded is not None:
            return is_refused_address(embedded)
        if ip not in _GLOBAL_V6:
            return True
        return any(ip in net for net in _REFUSED_V6)
    return any(ip in net for net in (*_REFUSED_V4, *_METADATA_V4))


def email_problem(value: str) -> str | None:
    """Return why ``value`` is not a usable sender address, or None when it is."""
    if len(value) > 254 or not _EMAIL_RE.fullmatch(value):
        return f"{shown(value)} is not a valid email address (expected name@domain.tld)"
    return None


def _ip_literal(host: str) -> IPAddress | None:
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
    name = host.strip().lower()
    name = name[:-1] if name.endswith(".") else name  # one final dot: a fully qualified name
    if not name:
        return "must not be empty"
    ip = _ip_literal(name)
    if ip is not None:
        if is_refused_address(ip):
            return (
                f"{shown(host)} is a private, loopback, link-local or metadata address; lemlist "
                "refuses those (SSRF protection): use the mail server's public host name"
            )
        return None
    if any(name == d or name.endswith("." + d) for d in _GMAIL_DOMAINS):
        return (
            f"{shown(host)} is a Gmail host; lemlist refuses Gmail over SMTP/IMAP: connect Gmail "
            "mailboxes through OAuth in the lemlist app instead"
        )
    local = any(name == d or name.endswith("." + d) for d in _LOCAL_DOMAINS)
    if local or name in _METADATA_HOSTS:
        return (
            f"{shown(host)} points at the local machine or a metadata service; lemlist refuses it "
            "(SSRF protection): use the mail server's public host name"
        )
    if len(name) > 253 or not all(_LABEL_RE.fullmatch(label) for label in name.split(".")):
        return (
            f"{shown(host)} is not a valid host name (letters, digits, dots and hyphens; "
            "no port)"
        )
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
        return None, f"must be a whole number between 1 and 65535, got {shown(value)}"
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
