"""SPF records (RFC 7208): finding them, counting their DNS lookups, evaluating an address.

Only what the checks need: the lookup count of §4.6.4 (``include``, ``a``, ``mx``,
``ptr``, ``exists`` and ``redirect`` each cost one, included records' terms too, at most
10) and a simplified ``check_host`` for one address, which answers None ("cannot tell")
whenever it meets what it does not evaluate (macros, ``ptr``, ``exists``) or a failed
lookup, instead of guessing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..echo import plain, shown
from .lookup import Answer, Lookup, Outcome

SPF_LOOKUP_LIMIT = 10
_MAX_DEPTH = 10
_COUNTED = ("a", "mx", "ptr", "exists", "include")
_QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_spf(text: str) -> bool:
    """Whether a TXT string is an SPF record (``v=spf1`` then a space or nothing)."""
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def spf_records(lookup: Lookup, domain: str) -> tuple[list[str], Answer]:
    """The SPF records among ``domain``'s TXT records, and the answer they came from."""
    answer = lookup.query(domain, "TXT")
    return [t.strip() for t in answer.records if is_spf(t)], answer


def split_term(term: str) -> tuple[str, str, str]:
    """A term as (qualifier, name, argument): ``-ip4:1.2.3.4`` → ``('-', 'ip4', '1.2.3.4')``;
    a modifier ``redirect=x`` → ``('', 'redirect=', 'x')``."""
    qualifier = term[0] if term[:1] in _QUALIFIERS else ""
    body = term[len(qualifier) :]
    name, eq, value = body.partition("=")
    if eq and ":" not in name and "/" not in name:
        return "", name.lower() + "=", value
    name, _, arg = body.partition(":")
    if "/" in name:  # a/24, mx//64
        name, _, cidr = name.partition("/")
        arg = f"/{cidr}"
    return qualifier or "+", name.lower(), arg


def terms(record: str) -> list[str]:
    """The terms after ``v=spf1``."""
    return record.split()[1:]


@dataclass
class Tally:
    """The lookups an SPF record costs, the domains it includes, and what went wrong."""

    lookups: int = 0
    includes: list[str] = field(default_factory=list)
    failed: str | None = None  # why the count is incomplete (could not check)
    broken: list[str] = field(default_factory=list)  # included names without one SPF record


def tally(lookup: Lookup, record: str, into: Tally | None = None, depth: int = 0) -> Tally:
    """Count ``record``'s DNS lookups, following ``include`` and ``redirect``."""
    out = into or Tally()
    for term in terms(record):
        _, name, arg = split_term(term)
        if name in _COUNTED or name == "redirect=":
            out.lookups += 1
        if name not in ("include", "redirect=") or out.lookups > 2 * SPF_LOOKUP_LIMIT:
            continue
        if "%" in arg or depth >= _MAX_DEPTH:
            out.failed = out.failed or f"'{name.rstrip('=')}' target {shown(arg)} is not followed"
            continue
        target = arg.lower().rstrip(".")
        out.includes.append(target)
        found, answer = spf_records(lookup, target)
        if answer.outcome is Outcome.FAILED:
            out.failed = out.failed or f"{plain(answer.record)}: {answer.reason}"
        elif len(found) != 1:
            out.broken.append(f"{name.rstrip('=')}:{plain(target)} has {len(found)} SPF records")
        else:
            tally(lookup, found[0], out, depth + 1)
    return out


def _addresses(lookup: Lookup, host: str) -> list[IPAddress] | None:
    """``host``'s A and AAAA addresses; None when a lookup failed."""
    found: list[IPAddress] = []
    for rdtype in ("A", "AAAA"):
        answer = lookup.query(host, rdtype)
        if answer.outcome is Outcome.FAILED:
            return None
        found += [ipaddress.ip_address(r) for r in answer.records]
    return found


def host_addresses(lookup: Lookup, host: str) -> list[IPAddress] | None:
    """A host name's addresses, or the address itself when ``host`` is a literal."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        return _addresses(lookup, host)


def _in(ip: IPAddress, addresses: list[IPAddress], cidr: str) -> bool:
    v4, _, v6 = cidr.lstrip("/").partition("//")
    for address in addresses:
        bits = (v4 if address.version == 4 else v6) or str(address.max_prefixlen)
        if ip in ipaddress.ip_network(f"{address}/{bits}", strict=False):
            return True
    return False


def _matches(
    lookup: Lookup, domain: str, name: str, arg: str, ip: IPAddress, depth: int, spent: list[int]
) -> bool | None:
    """Whether one mechanism matches ``ip``; None when it cannot be told."""
    target, _, cidr = arg.partition("/")
    target, cidr = (target or domain), ("/" + cidr if cidr else "")
    if name == "all":
        return True
    if name in ("ip4", "ip6"):
        return ip in ipaddress.ip_network(arg, strict=False)
    if name == "include":
        result = evaluate(lookup, target, ip, depth + 1, spent)
        return None if result is None else result == "pass"
    hosts: list[str] = [target]
    if name == "mx":
        answer = lookup.query(target, "MX")
        if answer.outcome is Outcome.FAILED:
            return None
        hosts = [r.split()[-1] for r in answer.records]
    elif name != "a":
        return None  # ptr, exists: not evaluated
    for host in hosts:
        addresses = _addresses(lookup, host)
        if addresses is None:
            return None
        if _in(ip, addresses, cidr):
            return True
    return False


def evaluate(
    lookup: Lookup, domain: str, ip: IPAddress, depth: int = 0, spent: list[int] | None = None
) -> str | None:
    """``domain``'s SPF result for ``ip`` (pass, fail, softfail, neutral, none); None when it
    cannot be told (a failed lookup, a macro, ``ptr``/``exists``, too deep, invalid, or more
    than 10 lookups: RFC 7208 §4.6.4, which also keeps a fanning include graph bounded)."""
    spent = [0] if spent is None else spent
    found, answer = spf_records(lookup, domain)
    if answer.outcome is Outcome.FAILED or depth > _MAX_DEPTH or len(found) > 1:
        return None
    if not found:
        return "none"
    redirect = None
    try:
        for term in terms(found[0]):
            qualifier, name, arg = split_term(term)
            if "%" in term:
                return None
            if name == "redirect=":
                redirect = arg
            if name.endswith("="):
                continue
            if name in _COUNTED:
                spent[0] += 1
                if spent[0] > SPF_LOOKUP_LIMIT:
                    return None
            match = _matches(lookup, domain, name, arg, ip, depth, spent)
            if match is None:
                return None
            if match:
                return _QUALIFIERS[qualifier]
    except ValueError:  # an unparsable address or network
        return None
    return evaluate(lookup, redirect, ip, depth + 1, spent) if redirect else "neutral"
