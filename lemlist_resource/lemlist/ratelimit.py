"""Client-side pacing that keeps a process under lemlist's rate limit.

lemlist allows 20 requests per 2 seconds per API key. The provider host runs up to four
operations at once and a stack may hold hundreds of mailboxes, so every request first
takes a send slot from a :class:`Pacer` shared by all threads using the same key.

Hand-written rather than a token-bucket library: a token bucket allows a burst of
``limit`` and then a steady rate, which lets 21 requests land inside one 2-second
window on the server's sliding log. The reservation scheme below guarantees that any
``limit + 1`` consecutive sends are more than ``window`` apart, and it is fair (first come,
first served), which no small library on PyPI offers with an injectable clock.

The margin adapts (issue 29): ``limit + 1`` sends are safe when the margin exceeds how much
later the first of them reached lemlist than the last, that is the spread of the delay
between taking a slot and being counted (a stalled process, a busy network). So it widens on
what the client sees of that delay (a sender that wakes late, :meth:`Pacer.acquire`), and
doubles on a 429 (:meth:`Pacer.rate_limited`: lemlist counted more than the pacer planned);
it shrinks back slowly on every answer that was not a 429 (:meth:`Pacer.answered`), never
below the configured margin. lemlist's ``X-RateLimit-Remaining`` resyncs it too: an answer
that says fewer requests remain than the pacer has planned in the window means lemlist counts
more (earlier requests reached it late: a near miss), and widens the margin a little,
before any 429 is provoked.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

LEMLIST_LIMIT = 20
LEMLIST_WINDOW = 2.0
#: Slack per window for the time between a request leaving and lemlist counting it (the
#: network on the way, lemlist's own front end). A stalled sender costs no slack: its slot
#: moves to when it actually sent (:meth:`Pacer.acquire`).
DEFAULT_MARGIN = 0.05
#: The widest the margin grows (a quarter of lemlist's window: 12.5 % of its throughput).
MAX_MARGIN = 0.5
#: Each answer shrinks the margin's excess over the configured one by this fraction: about
#: five windows of answers (100) to shrink it back by 63 %.
SHRINK = 0.01


class _Slot:
    """One reserved send: its time, moved to when it actually left (a stalled sender)."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


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
        self.base_margin = margin
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: deque[_Slot] = deque(maxlen=limit)
        #: When requests actually left, over the last two windows (for :meth:`answered`).
        self._sent: deque[float] = deque()
        self._blocked_until = 0.0

    def _reserve(self) -> tuple[_Slot, _Slot | None]:
        """The next send slot, and the one ``limit`` sends before it (None: fewer so far)."""
        with self._lock:
            now = self._clock()
            at = max(now, self._blocked_until)
            ahead = self._slots[0] if len(self._slots) == self.limit else None
            if ahead is not None:
                at = max(at, ahead.at + self.window + self.margin)
            if self._slots:
                at = max(at, self._slots[-1].at)
            slot = _Slot(at)
            self._slots.append(slot)
            return slot, ahead

    def reserve(self) -> float:
        """Reserve the next send slot and return its time on the pacer's clock."""
        return self._reserve()[0].at

    def acquire(self) -> float:
        """Block until this caller may send; return how long it waited, in seconds.

        A sender that left later than its slot (a stalled process, a loaded machine) moves
        its slot to when it left; the sender ``limit`` places behind it, already holding a
        slot computed from the earlier time, waits until it is a window (and the margin) after
        the moved one. So stalls never crowd ``limit + 1`` sends into one window."""
        slot, ahead = self._reserve()
        start = self._clock()
        while True:
            with self._lock:
                now = self._clock()
                due = max(slot.at, ahead.at + self.window + self.margin if ahead else 0.0)
                if due <= now:
                    slot.at = max(slot.at, now)
                    self._sent.append(slot.at)
                    while self._sent and self._sent[0] < now - 2 * self.window:
                        self._sent.popleft()
                    return max(now - start, 0.0)
            self._sleep(due - now)

    def _widen(self, wanted: float) -> None:
        with self._lock:
            self.margin = min(MAX_MARGIN, max(self.margin, wanted))

    def rate_limited(self) -> None:
        """lemlist answered 429: it counted more than planned; double the margin (plus the
        configured one, so a zero margin grows too)."""
        self._widen(2 * self.margin + self.base_margin)

    def pause(self, seconds: float) -> None:
        """Hold every new send for ``seconds`` (lemlist answered 429 with Retry-After)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def now(self) -> float:
        """The pacer's clock (what :meth:`answered` takes as ``sent_at``)."""
        return self._clock()

    def answered(self, sent_at: float, remaining: int | None = None) -> None:
        """An answer that was not a 429 to a request sent at ``sent_at`` (:meth:`now`), with
        lemlist's ``X-RateLimit-Remaining`` if it sent one.

        lemlist counted this request at some time between ``sent_at`` and now, so without
        delays it can count at most the slots of ``(sent_at - window, now]``. Counting more
        (fewer remaining, one of slack) means earlier requests reached it late: widen as on a
        429 (by half the configured margin: a near miss), before one is provoked. Otherwise
        shrink the margin back a little."""
        with self._lock:
            now = self._clock()
            planned = sum(1 for t in self._sent if sent_at - self.window < t <= now)
        if remaining is not None and self.limit - remaining > planned + 1:
            self._widen(self.margin + self.base_margin / 2)
            return
        with self._lock:
            excess = self.margin - self.base_margin
            if excess > 0:
                self.margin -= excess * SHRINK


_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def shared_pacer(key: str, factory: Callable[[], Pacer] = Pacer) -> Pacer:
    """Return the process-wide pacer for ``key`` (an opaque fingerprint, not the API key)."""
    with _PACERS_LOCK:
        pacer = _PACERS.get(key)
        if pacer is None:
            pacer = _PACERS[key] = factory()
        return pacer
