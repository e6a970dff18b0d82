"""What a deliverability check found: one :class:`Finding` per record and sender.

Five outcomes, and only two of them judge: ``ERROR`` (the record is missing or broken: the
lint fails) and ``OK``. ``WARNING`` is worth fixing but does not fail; ``CANNOT_TELL`` is
an honest "the inventory does not say enough to judge" (e.g. no DKIM selector, or an SMTP
host whose outbound path DNS cannot show); ``NOT_CHECKED`` is a lookup that failed
(SERVFAIL, timeout, the time budget): never a pass, never a fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    """The outcome of one check; ordered from best to worst for a summary."""

    OK = "ok"
    CANNOT_TELL = "cannot tell"
    NOT_CHECKED = "could not check"
    WARNING = "warning"
    ERROR = "error"


#: Worst last: a domain's summary for one check is its worst finding.
SEVERITY = {status: rank for rank, status in enumerate(Status)}

#: The four checks, in the order they are reported.
CHECKS = ("MX", "SPF", "DMARC", "DKIM")


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one record: which check, how it went, and what to do.

    ``senders`` names the inventory keys it is about (empty: every sender of the domain);
    ``record`` is the DNS name and type that was read, e.g. ``_dmarc.acme.com TXT``.
    """

    check: str
    status: Status
    record: str
    message: str
    senders: tuple[str, ...] = ()


def worst(findings: list[Finding], check: str) -> Status | None:
    """The worst status among ``check``'s findings; None when it has none."""
    statuses = [f.status for f in findings if f.check == check]
    return max(statuses, key=SEVERITY.__getitem__) if statuses else None
