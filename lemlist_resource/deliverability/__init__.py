"""Deliverability checks of sender domains in DNS: MX, SPF, DMARC and DKIM.

Online and opt-in (``lint --dns``, ``diff --dns``, the ``lemlist-deliverability`` policy):
nothing here runs during the offline lint. :func:`check_domain` is the one rule the lint,
the review summary and the policy pack share; :class:`Lookup` does the DNS (dnspython, with
per-lookup timeouts, a time budget for the run and a cache), for the libraries that judge
the records too (pyspf for SPF, dkimpy for DKIM keys, pydmarc for DMARC records);
docs/deliverability.md says what each finding means and how to fix it.
"""

from __future__ import annotations

from .check import Checker, DomainReport, Mailbox, check_domain
from .domains import organizational_domain, selector_problem, selectors, sender_domain
from .findings import CHECKS, Finding, Status
from .lookup import DEFAULT_BUDGET, DEFAULT_TIMEOUT, Answer, Lookup, Outcome, parse_server

__all__ = [
    "CHECKS",
    "DEFAULT_BUDGET",
    "DEFAULT_TIMEOUT",
    "Answer",
    "Checker",
    "DomainReport",
    "Finding",
    "Lookup",
    "Mailbox",
    "Outcome",
    "Status",
    "check_domain",
    "organizational_domain",
    "parse_server",
    "selector_problem",
    "selectors",
    "sender_domain",
]
