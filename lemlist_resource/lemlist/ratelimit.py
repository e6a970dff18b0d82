"""Client-side pacing that keeps a process under lemlist's rate limit.

lemlist allows 20 requests per 2 seconds per API key. The provider host runs up to four
operations at once and a stack may hold hundreds of mailboxes, so every request first
takes a send slot from a :class:`Pacer` shared by all threads using the same key.

Hand-written rather than a token-bucket library: a token bucket allows a burst of
``limit`` and then a steady rate, which lets 21 requests land inside one 2-second
window on the server's sliding log. The reservation scheme below guarantees that any
``limit + 1`` consecutive sends are more than ``window`` apart, and it is fair (first come,
first served), which no small library on PyPI offers with an injectable clock.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

LEMLIST_LIMIT = 20
LEMLIST_WINDOW = 2.0
#: Slack per window for the time between taking a slot and the request reaching lemlist.
DEFAULT_MARGIN = 0.05


class Pacer:
    """A sliding-window scheduler: at most ``limit`` sends in any ``window`` seconds."""

    def __init__(
        self,
        limit: int = LEMLIST_LIMIT,
        window: float = LEMLIST_WINDOW,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: deque[float] = deque(maxlen=limit)
        self._blocked_until = 0.0

    def reserve(self) -> float:
        """Reserve the next send slot and return its time on the pacer's clock."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._blocked_until)
            if len(self._slots) == self.limit:
                slot = max(slot, self._slots[0] + self.window + self.margin)
            if self._slots:
                slot = max(slot, self._slots[-1])
            self._slots.append(slot)
            return slot

    def acquire(self) -> float:
        """Block until this caller may send; return how long it waited, in seconds."""
        slot = self.reserve()
        wait = slot - self._clock()
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)

    def pause(self, seconds: float) -> None:
        """Hold every new send for ``seconds`` (lemlist answered 429 with Retry-After)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)


_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def shared_pacer(key: str, factory: Callable[[], Pacer] = Pacer) -> Pacer:
    """Return the process-wide pacer for ``key`` (an opaque fingerprint, not the API key)."""
    with _PACERS_LOCK:
        pacer = _PACERS.get(key)
        if pacer is None:
            pacer = _PACERS[key] = factory()
        return pacer
