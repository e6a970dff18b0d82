"""Fault injection: scripted faults consumed in order, and seeded random faults.

A fault either replaces processing (the request has no effect) or, with
``after_processing=True``, is applied to the response of a request that WAS processed: that is
how "the POST created the account but the client saw a timeout / 5xx / reset" is simulated.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["Fault", "FaultKind", "FaultPlan", "RandomFaults"]

FaultKind = Literal["status", "drop", "stall", "garbage", "truncate", "rate_limit"]
_KINDS = ("status", "drop", "stall", "garbage", "truncate", "rate_limit")
_RANDOM_STATUSES = (500, 502, 503, 504)


@dataclass(frozen=True)
class Fault:
    """One scripted fault.

    kinds: ``status`` (answer ``status`` with a text body), ``drop`` (close the connection
    without a response), ``stall`` (wait ``seconds`` then answer normally), ``garbage`` (a
    2xx whose body is not JSON), ``truncate`` (a Content-Length larger than the body sent, then
    close), ``rate_limit`` (429 ``Too many requests`` with ``Retry-After: retry_after``).
    It applies to the next ``times`` requests whose method equals ``method`` (None: any) and
    whose path contains ``path`` (None: any).
    """

    kind: FaultKind
    status: int = 503
    seconds: float = 30.0
    retry_after: int = 1
    times: int = 1
    method: str | None = None
    path: str | None = None
    after_processing: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {_KINDS}")
        if self.times < 1:
            raise ValueError("a fault applies at least once (times >= 1)")
        if self.kind == "rate_limit" and self.after_processing:
            raise ValueError("a 429 means the request was not processed: no after_processing")
        if not 100 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP status, got {self.status}")
        if self.retry_after < 0 or self.seconds < 0:
            raise ValueError("seconds and retry_after must not be negative")

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path in path

    @property
    def label(self) -> str:
        """A short name for logs: ``status:503``, ``drop``, ``stall+after`` ..."""
        name = f"status:{self.status}" if self.kind == "status" else self.kind
        return name + ("+after" if self.after_processing else "")


@dataclass(frozen=True)
class RandomFaults:
    """Faults drawn at random for every request, reproducible for a given ``seed``.

    Rates are probabilities per request and must add up to at most 1. A random ``status``
    fault answers 500, 502, 503 or 504. ``after_processing_share`` of the faults (never the
    429s) are applied after the request was processed. ``seed`` None: the emulator's seed.
    """

    error_rate: float = 0.0
    drop_rate: float = 0.0
    rate_limit_rate: float = 0.0
    stall_rate: float = 0.0
    stall_seconds: float = 30.0
    garbage_rate: float = 0.0
    after_processing_share: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        rates = (
            self.error_rate,
            self.drop_rate,
            self.rate_limit_rate,
            self.stall_rate,
            self.garbage_rate,
            self.after_processing_share,
        )
        if any(not 0.0 <= rate <= 1.0 for rate in rates):
            raise ValueError("fault rates must be between 0 and 1")
        if sum(rates[:5]) > 1.0 + 1e-9:
            raise ValueError("fault rates must add up to at most 1")
        if self.stall_seconds < 0:
            raise ValueError("stall_seconds must not be negative")

    def draw(self, rng: random.Random) -> Fault | None:
        """The fault for one request, or None. Always consumes exactly three draws."""
        roll, share, pick = rng.random(), rng.random(), rng.random()
        after = share < self.after_processing_share
        table: tuple[tuple[float, FaultKind], ...] = (
            (self.error_rate, "status"),
            (self.drop_rate, "drop"),
            (self.rate_limit_rate, "rate_limit"),
            (self.stall_rate, "stall"),
            (self.garbage_rate, "garbage"),
        )
        edge = 0.0
        for rate, kind in table:
            edge += rate
            if roll < edge:
                status = _RANDOM_STATUSES[int(pick * len(_RANDOM_STATUSES))]
                return Fault(
                    kind,
                    status=status,
                    seconds=self.stall_seconds,
                    after_processing=after and kind != "rate_limit",
                )
        return None


class FaultPlan:
    """The scripted queue plus the optional random source; thread-safe."""

    def __init__(self, random_faults: RandomFaults | None = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._scripted: list[Fault] = []
        self._seed = seed
        self._random_faults = random_faults
        self._rng = random.Random(self._random_seed())  # noqa: S311 - simulation

    def _random_seed(self) -> int:
        rf = self._random_faults
        return rf.seed if rf is not None and rf.seed is not None else self._seed

    def inject(self, fault: Fault) -> None:
        """Queue a scripted fault (after the ones already queued)."""
        with self._lock:
            self._scripted.append(fault)

    def set_random(self, random_faults: RandomFaults | None) -> None:
        """Replace the random source (None: off) and restart its sequence from its seed."""
        with self._lock:
            self._random_faults = random_faults
            self._rng = random.Random(self._random_seed())  # noqa: S311 - simulation

    def clear(self) -> None:
        """Drop every scripted fault and turn random faults off."""
        with self._lock:
            self._scripted.clear()
            self._random_faults = None

    def pending(self) -> list[Fault]:
        """The scripted faults not consumed yet (``times`` shows the uses left)."""
        with self._lock:
            return list(self._scripted)

    def pick(self, method: str, path: str) -> Fault | None:
        """The fault for this request: the first matching scripted one, else a random draw."""
        with self._lock:
            drawn = self._random_faults.draw(self._rng) if self._random_faults else None
            for index, fault in enumerate(self._scripted):
                if fault.matches(method, path):
                    if fault.times > 1:
                        self._scripted[index] = replace(fault, times=fault.times - 1)
                    else:
                        del self._scripted[index]
                    return fault
            return drawn
