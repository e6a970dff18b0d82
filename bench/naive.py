"""The naive strategy the paced provider is measured against.

Same provider, same client, same retry policy, but no client-side pacing: requests go out as
fast as the host's workers can send them, and a 429 only makes the thread that received it
sleep for its ``Retry-After`` before sending again (what most HTTP clients do by default).
The host imports this module as ``bench.naive`` (the repository root is on its PYTHONPATH).
"""

from __future__ import annotations

import time
from typing import Any

from lemlist_resource.config.teamclients import TeamClients
from lemlist_resource.email_account.client import LemlistClient
from lemlist_resource.email_account.provider import EmailAccountProvider
from lemlist_resource.lemlist.ratelimit import Pacer


class UnpacedPacer(Pacer):
    """Never waits before a send; a 429 pauses only the thread that received it."""

    def __init__(self) -> None:
        super().__init__(limit=10**9, window=1.0, margin=0.0)

    def acquire(self) -> float:
        return 0.0

    def pause(self, seconds: float) -> None:
        time.sleep(seconds)


def _unpaced(api_url: str, api_key: str, **options: Any) -> LemlistClient:
    """A team's client as the provider makes it, but unpaced."""
    return LemlistClient(api_url, api_key, pacer=UnpacedPacer(), **options)


class NaiveProvider(EmailAccountProvider):
    """:class:`EmailAccountProvider` whose client does not pace (only sleeps on Retry-After)."""

    def __init__(self) -> None:
        super().__init__()
        self._teams = TeamClients(_unpaced)  # same team rules and keys, no pacing

    def __reduce__(self) -> tuple[Any, ...]:
        # The parent pickles as EmailAccountProvider; this one must stay itself.
        return (NaiveProvider, ())

    def __repr__(self) -> str:
        return "NaiveProvider()"
