"""What an IP literal is: the spellings a host may hide one in, and the networks no public
mail server lives in (private, loopback, link-local, metadata, reserved).

Facts about addresses, not lemlist's choices: :func:`.validation.host_problem` decides
from them. Decided from explicit networks, never from the interpreter's ``is_global``
table, whose answer changes between Python versions. Standard library only.
"""

from __future__ import annotations

import ipaddress
import re
import socket

__all__ = ["IPAddress", "ip_literal", "is_refused_address"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _nets(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


#: IPv4 networks lemlist refuses (SSRF protection).
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


def ip_literal(host: str) -> IPAddress | None:
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
