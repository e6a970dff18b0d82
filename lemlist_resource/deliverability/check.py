"""One sender domain, all four checks: the entry point the lint, the review and the policy
pack share (one rule, one place)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from .dkim import dkim_findings
from .dmarc import dmarc_findings
from .findings import CHECKS, Finding, Status, worst
from .lookup import Lookup
from .mx import mx_findings
from .spf import spf_findings


@dataclass(frozen=True)
class Mailbox:
    """What the checks need of one sender: its key, hosts and DKIM selectors."""

    key: str
    domain: str
    smtp_host: str | None = None
    imap_host: str | None = None
    selectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class DomainReport:
    """The findings of one sender domain, and the senders on it."""

    domain: str
    senders: tuple[str, ...]
    findings: tuple[Finding, ...]

    def status(self, check: str) -> Status | None:
        """The worst status of ``check`` (MX, SPF, DMARC, DKIM)."""
        return worst(list(self.findings), check)

    @property
    def errors(self) -> list[Finding]:
        """The findings that fail the lint."""
        return [f for f in self.findings if f.status is Status.ERROR]


def _by(mailboxes: Iterable[Mailbox], attribute: str) -> dict[str, tuple[str, ...]]:
    """Each value of ``attribute`` (a host) mapped to the keys of the senders with it."""
    grouped: dict[str, list[str]] = {}
    for box in mailboxes:
        value = getattr(box, attribute)
        if isinstance(value, str) and value.strip():
            grouped.setdefault(value.strip().lower(), []).append(box.key)
    return {value: tuple(keys) for value, keys in grouped.items()}


def check_domain(lookup: Lookup, domain: str, mailboxes: list[Mailbox]) -> DomainReport:
    """Run MX, SPF, DMARC and DKIM for ``domain`` and the senders on it."""
    selectors: dict[str, list[str]] = {}
    for box in mailboxes:
        for selector in box.selectors:
            selectors.setdefault(selector, []).append(box.key)
    unnamed = tuple(b.key for b in mailboxes if not b.selectors)
    findings = [
        *mx_findings(lookup, domain, _by(mailboxes, "imap_host")),
        *spf_findings(lookup, domain, _by(mailboxes, "smtp_host")),
        *dmarc_findings(lookup, domain),
        *dkim_findings(lookup, domain, {s: tuple(k) for s, k in selectors.items()}, unnamed),
    ]
    order = {check: i for i, check in enumerate(CHECKS)}
    findings.sort(key=lambda f: order[f.check])
    return DomainReport(domain, tuple(b.key for b in mailboxes), tuple(findings))


class Checker:
    """Reports per domain, cached for the run (one set of lookups per domain)."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.reports: dict[tuple[str, tuple[Mailbox, ...]], DomainReport] = {}
        self.lock = threading.Lock()

    def domain(self, domain: str, mailboxes: list[Mailbox]) -> DomainReport:
        """``domain``'s report for these senders (computed once per run)."""
        key = (domain, tuple(mailboxes))
        with self.lock:
            cached = self.reports.get(key)
        if cached is None:
            cached = check_domain(self.lookup, domain, mailboxes)
            with self.lock:
                self.reports[key] = cached
        return cached

    def all(self, mailboxes: Iterable[Mailbox]) -> list[DomainReport]:
        """One report per domain of ``mailboxes``, domains in first-seen order."""
        grouped: dict[str, list[Mailbox]] = {}
        for box in mailboxes:
            grouped.setdefault(box.domain, []).append(box)
        return [self.domain(domain, boxes) for domain, boxes in grouped.items()]
