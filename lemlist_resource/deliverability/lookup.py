"""DNS lookups for the deliverability checks: dnspython, with timeouts, a budget and a cache.

Why dnspython: it is the standard Python resolver, and its ``Resolver`` takes the servers to
ask (so the tests point it at a local authoritative server, and ``--dns-server`` at any
resolver). This is the run's one resolver: the libraries that judge the records (pyspf,
dkimpy, pydmarc; see :mod:`.spf_eval`, :mod:`.dkim`, :mod:`.dmarc`) read DNS only through
it, so the budget, the query cap and the cache hold for them too.

Every answer is one of: records found, the name does not exist (NXDOMAIN), no record of
that type (NODATA), or *failed* (SERVFAIL, timeout, refused, the time budget spent). A
failure is never read as "missing": the checks report it as "could not check".
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

#: Seconds one lookup may take (all retries included), and the whole run by default.
DEFAULT_TIMEOUT = 3.0
DEFAULT_BUDGET = 60.0
#: Queries one run may send, whatever the record graph (an SPF include tree fanning out).
DEFAULT_MAX_QUERIES = 2000
#: The largest values the options accept: beyond these a run is unbounded in practice.
MAX_TIMEOUT = 60.0
MAX_BUDGET = 3600.0


class Outcome(Enum):
    """What a lookup answered."""

    FOUND = "found"
    NXDOMAIN = "no such name"
    NODATA = "no record of that type"
    FAILED = "failed"


@dataclass(frozen=True)
class Answer:
    """One lookup's answer: records as text (TXT strings joined, MX ``"pref host"``)."""

    name: str
    rdtype: str
    outcome: Outcome
    records: tuple[str, ...] = ()
    reason: str = ""

    @property
    def record(self) -> str:
        """The name and type read, as findings name it: ``_dmarc.acme.com TXT``."""
        return f"{self.name} {self.rdtype}"


def parse_server(spec: str) -> dns.nameserver.Do53Nameserver:
    """``ADDRESS``, ``ADDRESS:PORT`` or ``[IPv6]:PORT`` as a nameserver. Raises ValueError."""
    text, port = spec.strip(), 53
    if text.startswith("["):
        address, _, rest = text[1:].partition("]")
        if rest:
            port = int(rest.removeprefix(":"))
    elif text.count(":") == 1:
        address, _, number = text.partition(":")
        port = int(number)
    else:
        address = text
    ipaddress.ip_address(address)  # an address, not a name: names need a resolver first
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is out of range")
    return dns.nameserver.Do53Nameserver(address, port)


def check_limits(timeout: float, budget: float) -> None:
    """Raise ValueError with one sentence unless both are finite, positive and sane."""
    for option, value, most in (
        ("--dns-timeout", timeout, MAX_TIMEOUT),
        ("--dns-budget", budget, MAX_BUDGET),
    ):
        if not (math.isfinite(value) and 0 < value <= most):
            raise ValueError(
                f"{option} {value!r} is not usable: give a number of seconds above 0 and at "
                f"most {most:g}"
            )


def _text(rdata: object) -> str:
    strings = getattr(rdata, "strings", None)
    if strings is not None:
        return b"".join(strings).decode("utf-8", "replace")
    exchange = getattr(rdata, "exchange", None)
    if exchange is not None:
        return f"{getattr(rdata, 'preference', 0)} {exchange.to_text().rstrip('.') or '.'}"
    return str(rdata)


class Lookup:
    """Cached lookups within one run, each bounded by ``timeout``, all by ``budget`` seconds.

    ``servers``: the nameservers to ask (see :func:`parse_server`); None reads the system's
    resolver configuration (``/etc/resolv.conf``), raising ``dns.resolver.NoResolverConfiguration``
    when there is none.
    """

    def __init__(
        self,
        servers: Sequence[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        budget: float = DEFAULT_BUDGET,
        clock: Callable[[], float] = time.monotonic,
        max_queries: int = DEFAULT_MAX_QUERIES,
    ) -> None:
        if servers:
            self.resolver = dns.resolver.Resolver(configure=False)
            self.resolver.nameservers = [parse_server(s) for s in servers]
        else:
            self.resolver = dns.resolver.Resolver()
        self.resolver.timeout = timeout
        self.timeout, self.budget, self.clock = timeout, budget, clock
        self.deadline: float | None = None
        self.cache: dict[tuple[str, str], Answer] = {}
        self.max_queries, self.sent = max_queries, 0
        self.lock = threading.Lock()

    def query(self, name: str, rdtype: str) -> Answer:
        """The answer for ``name``/``rdtype``, from the cache when it was asked before."""
        key = (name.lower().rstrip("."), rdtype)
        if self.deadline is not None and self.clock() >= self.deadline:
            # Even a cached answer fails once the budget is spent, so a walk over a record
            # graph (cached or not) ends at the deadline instead of fanning out without bound.
            return Answer(key[0], rdtype, Outcome.FAILED, reason=self._spent())
        with self.lock:
            cached = self.cache.get(key)
        if cached is not None:
            return cached
        answer = self._ask(key[0], rdtype)
        with self.lock:
            self.cache[key] = answer
        return answer

    def _ask(self, name: str, rdtype: str) -> Answer:
        now = self.clock()
        if self.deadline is None:
            self.deadline = now + self.budget
        remaining = self.deadline - now
        if remaining <= 0:
            return Answer(name, rdtype, Outcome.FAILED, reason=self._spent())
        with self.lock:
            if self.sent >= self.max_queries:
                reason = f"the limit of {self.max_queries} DNS queries for this run was reached"
                return Answer(name, rdtype, Outcome.FAILED, reason=reason)
            self.sent += 1
        try:
            result = self.resolver.resolve(
                name,
                dns.rdatatype.from_text(rdtype),
                search=False,
                lifetime=min(self.timeout, remaining),
            )
        except dns.resolver.NXDOMAIN:
            return Answer(name, rdtype, Outcome.NXDOMAIN)
        except dns.resolver.NoAnswer:
            return Answer(name, rdtype, Outcome.NODATA)
        except dns.exception.Timeout:
            return Answer(name, rdtype, Outcome.FAILED, reason=self._timed_out(remaining))
        except dns.resolver.NoNameservers:
            return Answer(name, rdtype, Outcome.FAILED, reason="the DNS server failed (SERVFAIL)")
        except dns.exception.DNSException as exc:
            return Answer(name, rdtype, Outcome.FAILED, reason=f"DNS error: {type(exc).__name__}")
        records = tuple(_text(r) for r in result)
        return Answer(name, rdtype, Outcome.FOUND if records else Outcome.NODATA, records)

    def _spent(self) -> str:
        return f"the DNS time budget of {self.budget:g} s for this run was spent"

    def _timed_out(self, remaining: float) -> str:
        if remaining < self.timeout:
            return self._spent()
        return f"no answer within {self.timeout:g} s"
