"""The naive strategy the paced provider is measured against.

Same provider, same client, same retry policy, but no client-side pacing: requests go out as
fast as the host's workers can send them, and a 429 only makes the thread that received it
sleep for its ``Retry-After`` before sending again (what most HTTP clients do by default).
The host imports this module as ``bench.naive`` (the repository root is on its PYTHONPATH).
"""

from __future__ import annotations

import time
from typing import Any

from lemlist_resource.client import LemlistClient
from lemlist_resource.provider import EmailAccountProvider
from lemlist_resource.ratelimit import Pacer


class UnpacedPacer(Pacer):
    """Never waits before a send; a 429 pauses only the thread that received it."""

    def __init__(self) -> None:
        super().__init__(limit=10**9, window=1.0, margin=0.0)

    def acquire(self) -> float:
        return 0.0

    def pause(self, seconds: float) -> None:
        time.sleep(seconds)


class NaiveProvider(EmailAccountProvider):
    """:class:`EmailAccountProvider` whose client does not pace (only sleeps on Retry-After)."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The parent pickles as EmailAccountProvider; this one must stay itself.
        return (NaiveProvider, ())

    def __repr__(self) -> str:
        return "NaiveProvider()"

    def _client(self, team: str | None, what: str | None = None) -> LemlistClient:
        """The provider's client of ``team`` (its checks and its key), made unpaced."""
        settings = self._current_settings()
        client = super()._client(team, what)  # refuses a team without a key, as the real one
        if isinstance(client.pacer, UnpacedPacer):
            return client
        found = settings.team(team)
        assert found.api_key is not None
        naive = LemlistClient(
            found.api_url, found.api_key, read_timeout=settings.read_timeout, pacer=UnpacedPacer()
        )
        with self._lock:
            if not isinstance(self._clients[team].pacer, UnpacedPacer):
                self._clients[team] = naive
            return self._clients[team]
