"""How long each lemlist operation takes: seconds per operation, uniform jitter, named profiles.

lemlist's connect and test log into the mailbox's SMTP and IMAP servers, so they take seconds,
not milliseconds. The delay of a request is drawn here (seeded, one sequence per operation, so a
run is reproducible) and spent by the request pipeline outside every lock: concurrent requests
overlap as they do at lemlist.
"""

from __future__ import annotations

import argparse
import math
import random
import threading
from collections.abc import Mapping

__all__ = [
    "OPERATIONS",
    "PROFILES",
    "Latency",
    "PerOperation",
    "parse_milliseconds",
    "parse_per_operation",
]

OPERATIONS = ("connect", "test", "disconnect")

PerOperation = float | Mapping[str, float]

#: name -> (latency, jitter) per operation. "lemlist": connect logs into the SMTP and the IMAP
#: server (two TLS handshakes and logins, ~1 s), test runs both live checks (logins plus an IMAP
#: mailbox check, ~2 s, the slowest), disconnect only updates lemlist's own records (~0.3 s).
PROFILES: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "lemlist": (
        {"connect": 1.0, "test": 2.0, "disconnect": 0.3},
        {"connect": 0.3, "test": 0.5, "disconnect": 0.1},
    ),
}


def _per_operation(value: PerOperation, what: str) -> dict[str, float]:
    """``value`` for every operation (a bare number) or for the operations it names."""
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(OPERATIONS))
        if unknown:
            raise ValueError(
                f"unknown {what} operation {', '.join(unknown)}; "
                f"expected {', '.join(OPERATIONS)}"
            )
        table = {name: float(seconds) for name, seconds in value.items()}
    else:
        table = dict.fromkeys(OPERATIONS, float(value))
    if any(seconds < 0 for seconds in table.values()):
        raise ValueError(f"{what} must not be negative")
    return table


def parse_per_operation(text: str) -> float | dict[str, float]:
    """Parse ``1.0`` (every operation) or ``connect=1.0,test=2.0,disconnect=0.3``."""
    if "=" not in text:
        return float(text)
    table: dict[str, float] = {}
    for item in text.split(","):
        name, sep, seconds = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"expected OPERATION=SECONDS, got {item!r}")
        table[name.strip()] = float(seconds)
    return table


class Latency:
    """Per-operation latency and jitter: a profile's values, overridden by explicit ones.

    ``latency`` and ``jitter``: seconds, a bare number for every operation or a mapping for some
    (``{"connect": 1.0}``); ``profile``: a name from ``PROFILES`` (unknown: ValueError).
    A delay is ``latency + uniform(-jitter, +jitter)``, never below 0.
    """

    def __init__(
        self,
        latency: PerOperation | None = None,
        jitter: PerOperation | None = None,
        profile: str | None = None,
        seed: int = 0,
    ) -> None:
        if profile is not None and profile not in PROFILES:
            raise ValueError(f"unknown latency profile {profile!r}; known: {', '.join(PROFILES)}")
        base, spread = PROFILES[profile] if profile is not None else ({}, {})
        self.latency = {**base, **_per_operation({} if latency is None else latency, "latency")}
        self.jitter = {**spread, **_per_operation({} if jitter is None else jitter, "jitter")}
        self._seed = seed
        self._lock = threading.Lock()
        self._rngs: dict[str, random.Random] = {}

    def delay(self, operation: str) -> float:
        """The seconds this request of ``operation`` takes (0 for an unknown operation)."""
        base = self.latency.get(operation, 0.0)
        spread = self.jitter.get(operation, 0.0)
        if not spread:
            return base
        with self._lock:  # only the draw: the delay itself is spent outside any lock
            rng = self._rngs.get(operation)
            if rng is None:
                rng = self._rngs[operation] = random.Random(f"{self._seed}:{operation}")  # noqa: S311
            offset = rng.uniform(-spread, spread)
        return max(0.0, base + offset)

    def reset(self) -> None:
        """Restart every operation's seeded sequence."""
        with self._lock:
            self._rngs.clear()


def parse_milliseconds(text: str) -> float:
    """``--arrival-jitter``: finite milliseconds from 0 to 10000, returned as seconds."""
    try:
        ms = float(text)
    except ValueError:
        ms = math.nan
    if not 0 <= ms <= 10_000:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected milliseconds from 0 to 10000, got {text!r}")
    return ms / 1000
