"""A protected sender released for one reviewed change: the ``release`` rule.

A protected mailbox cannot be replaced or removed (the engine refuses while the resource is
protected in the state and in the program), and on production stacks the policy pack's
``lemlist-production-protect`` refuses an unprotected one. A sender's
``release: <YYYY-MM-DD> <reason>`` lifts its protection until that day, for one change:

1. the pull request that adds ``release`` unprotects the sender and changes nothing else;
2. the next one makes the change: a replacement (new password or settings) with ``release``
   removed, which the engine allows because the state is no longer protected
   (``step_generator.go``: a replacement is refused only when both the old state and the
   program protect the resource), so the new mailbox is protected again; or the removal of
   the sender.

The end date keeps a release from being left on: it is at most :data:`MAX_DAYS` days ahead,
and once it has passed the lint, ``pulumi up`` and the policy pack refuse it until it is
removed. One rule, used by the inventory (the program and the lint) and the policy pack.
Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

#: The per-sender key of the stack file.
RELEASE = "release"
#: A release lasts at most this many days: long enough for two reviewed pull requests.
MAX_DAYS = 14
#: An example for messages (the date is only the shape).
EXAMPLE = "2026-12-16 OPS-42 rotate the SMTP password"

_FORM = re.compile(r"(\d{4}-\d{2}-\d{2})\s+(\S.*)", re.S)


@dataclass(frozen=True)
class Release:
    """A valid release: its last day (UTC) and why (a ticket, a sentence)."""

    until: date
    reason: str


def today() -> date:
    """Today in UTC, the calendar every release is read in."""
    return datetime.now(UTC).date()


def parse_release(value: object, on: date | None = None) -> tuple[Release | None, str | None]:
    """``value`` read on day ``on`` (default :func:`today`): the release, or why it is
    refused (a reason to follow the field name; never both, never neither)."""
    day = on or today()
    text = value.strip() if isinstance(value, str) else ""
    found = _FORM.fullmatch(text)
    if found is None:
        return None, (
            "must be '<YYYY-MM-DD> <reason>': the last day of the release (UTC, at most "
            f"{MAX_DAYS} days ahead), then why (a ticket or a sentence), e.g. '{EXAMPLE}'"
        )
    try:
        until = date.fromisoformat(found.group(1))
    except ValueError:
        return None, f"{found.group(1)!r} is not a date (YYYY-MM-DD)"
    if until < day:
        return None, (
            f"ended on {until} (today is {day}): remove `{RELEASE}` so the sender is "
            "protected again, or give a new end date in a reviewed change"
        )
    if until > day + timedelta(days=MAX_DAYS):
        return None, (
            f"ends on {until}, more than {MAX_DAYS} days after today ({day}): a release is "
            f"for one change; end it within {MAX_DAYS} days"
        )
    return Release(until, " ".join(found.group(2).split())), None
