"""A per-key sliding-window rate limiter, as lemlist applies it (20 requests per 2 s per key)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LEMLIST_RATE", "Decision", "RateLimiter", "parse_rate"]

#: lemlist's documented limit: 20 requests per 2 seconds per API key.
LEMLIST_RATE: tuple[int, float] = (20, 2.0)


@dataclass(frozen=True)
class Decision:
    """The limiter's answer for one request and the values of its ``X-RateLimit-*`` headers."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    """Whole seconds (rounded up, at least 1) until the oldest counted request leaves the window,
    that is until a slot frees."""

    @property
    def retry_after(self) -> int:
        """The ``Retry-After`` value of a refusal: integer seconds, at least 1."""
        return max(1, self.reset)

    def headers(self) -> list[tuple[str, str]]:
        """The ``X-RateLimit-*`` headers (plus ``Retry-After`` when refused)."""
        headers = [
            ("X-RateLimit-Limit", str(self.limit)),
            ("X-RateLimit-Remaining", str(self.remaining)),
            ("X-RateLimit-Reset", str(self.reset)),
        ]
        if not self.allowed:
            headers.insert(0, ("Retry-After", str(self.retry_after)))
        return headers


class RateLimiter:
    """At most ``limit`` requests per ``window`` seconds per key, counted at arrival.

    A refused request is not counted. Thread-safe. ``clock`` is injectable for tests.
    """

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, now: float | None = None) -> Decision:
        """Count a request for ``key`` arriving at ``now`` (default: the clock) if it fits."""
        with self._lock:
            at = self._clock() if now is None else now
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= at - self.window:
                hits.popleft()
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(at)
            # Rounded to the microsecond before ceil: `start + window - now` carries float
            # error (123.456789 + 60 - 123.456789 is 60.000000000000014), and a Reset
            # longer than the window is a promise lemlist never makes.
            left = round(hits[0] + self.window - at, 6) if hits else 0.0
            reset = max(1, math.ceil(left))
            return Decision(allowed, self.limit, max(0, self.limit - len(hits)), reset)

    def reset(self) -> None:
        """Forget every counted request."""
        with self._lock:
            self._hits.clear()


def parse_rate(text: str) -> tuple[int, float] | None:
    """Parse ``"20/2"`` (requests / seconds) or ``"off"`` (None)."""
    if text.strip().lower() in ("off", "none", "0"):
        return None
    count, sep, seconds = text.partition("/")
    if not sep:
        raise ValueError(f"rate must look like 20/2 or off, got {text!r}")
    limit, window = int(count), float(seconds)
    if limit < 1 or window <= 0:
        raise ValueError(f"rate must be at least 1 request per positive window, got {text!r}")
    return limit, window
