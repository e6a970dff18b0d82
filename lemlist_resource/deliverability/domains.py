"""Domain names: a sender's domain, its organizational domain (for DMARC), DKIM selectors.

The organizational domain (RFC 7489 §3.2) needs the Public Suffix List. ``publicsuffixlist``
ships a copy of the list inside the package and reads it from there: no download at run
time (we never call its updater), so the lint and the tests stay offline.
"""

from __future__ import annotations

import re
from functools import cache

from publicsuffixlist import PublicSuffixList

_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_SELECTOR_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def sender_domain(address: str) -> str | None:
    """The lower-case domain of ``name@domain``; None when ``address`` has none."""
    _, at, domain = address.strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    return domain if at and domain else None


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()  # the bundled list: no network


def organizational_domain(domain: str) -> str:
    """The registrable domain of ``domain`` (``mail.acme.co.uk`` → ``acme.co.uk``); the
    domain itself when it is a public suffix or unknown to the list."""
    return _psl().privatesuffix(domain.lower().rstrip(".")) or domain


def selector_problem(value: object) -> str | None:
    """Why ``value`` is not a DKIM selector (DNS labels, e.g. ``google`` or ``s1.mail``)."""
    if not isinstance(value, str) or not value.strip():
        return "must be a DKIM selector: a name such as 'google' or 'selector1'"
    if len(value) > 200 or not _SELECTOR_RE.fullmatch(value.strip()):
        return "is not a DKIM selector: use letters, digits, '-', '_' and dots"
    return None


def selectors(value: object) -> tuple[str, ...]:
    """A configured selector or list of selectors, the unusable ones left out."""
    items = value if isinstance(value, list) else [value]
    return tuple(s.strip() for s in items if isinstance(s, str) and selector_problem(s) is None)
