"""SPF evaluated by pyspf, RFC 7208's reference evaluator in Python, every query through the
run's :class:`~.lookup.Lookup`.

pyspf asks DNS through its module-level ``DNSLookup(name, qtype, strict, timeout)`` (its one
DNS hook). :func:`_answers` takes that place once: inside :func:`evaluate` it answers from
the run's Lookup (its servers, timeout, time budget, query cap and cache; a failed lookup is
pyspf's ``TempError``), anywhere else it hands the call to pyspf's own function. The run's
Lookup is found in a context variable, so threads evaluating at once never mix.

Everything RFC 7208 says about evaluation is pyspf's: the record (one per name, syntax,
modifiers), the mechanisms and their CIDR lengths, macros (``%{i}``, ``%{d}``, …, expanded
for the address and sender given), ``include`` and ``redirect``, the limits of §4.6.4 (10
lookups, 2 void lookups, 10 MX or PTR names). :class:`_Query` only watches: which records
and terms it met, which lookups found nothing, and how many lookups a record needs past
10 (pyspf stops at the 11th; for the record's own finding we count on to 20, as before, so
it can say "needs 12"; the verdict stays the permanent error).
"""

from __future__ import annotations

import contextvars
import ipaddress
from dataclasses import dataclass
from typing import Any

import spf as pyspf

from .lookup import Lookup, Outcome

#: RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups.
SPF_LOOKUP_LIMIT: int = pyspf.MAX_LOOKUP
#: Counted on to this many, so a finding can say how many a record needs.
_COUNTED_UP_TO = 2 * SPF_LOOKUP_LIMIT
#: pyspf's reason when even that many were not enough.
LOOKUPS_EXCEEDED = f"More than {_COUNTED_UP_TO} DNS lookups"
#: An address no SPF record lists (reserved, RFC 1112 §4): evaluating for it walks every
#: term up to ``all``, as a receiver does for a server the domain does not know.
NOBODY = "240.0.0.1"

_LOOKUP: contextvars.ContextVar[Lookup | None] = contextvars.ContextVar(
    "lemlist_resource_spf_lookup", default=None
)
_PYSPF_OWN = pyspf.DNSLookup


def _value(qtype: str, record: str) -> object:
    """One record as pyspf's dnspython layer gives it."""
    if qtype in ("TXT", "SPF"):
        return [record.encode("utf-8")]
    if qtype == "MX":
        preference, _, host = record.partition(" ")
        return (int(preference), host)
    return record.rstrip(".")


def _answers(name: str, qtype: str, strict: object = True, timeout: object = None) -> list[Any]:
    """pyspf's ``DNSLookup``: the run's Lookup inside :func:`evaluate`, else pyspf's own."""
    lookup = _LOOKUP.get()
    if lookup is None:
        return list(_PYSPF_OWN(name, qtype, strict, timeout))
    answer = lookup.query(name, qtype)
    if answer.outcome is Outcome.FAILED:
        raise pyspf.TempError(f"{answer.record}: {answer.reason}")
    return [((name, qtype), _value(qtype, r)) for r in answer.records]


def _install() -> None:
    if pyspf.DNSLookup is not _answers:
        pyspf.DNSLookup = _answers


_install()


class _Query(pyspf.query):  # type: ignore[misc]  # pyspf ships no type hints
    """pyspf's query, strict as RFC 7208 asks, noting what it met on the way."""

    def __init__(self, ip: str, sender: str, helo: str, count_on: bool) -> None:
        super().__init__(i=ip, s=sender, h=helo, strict=True, querytime=0)
        self.count_on = count_on  # past 10 lookups: count on (to 20) instead of stopping
        self.records: list[str] = []  # the domains whose record was evaluated, in order
        self.terms: list[tuple[str, str]] = []  # (domain, mechanism name)
        self.voids: list[str] = []  # "name TYPE" of each void lookup
        self.most = 0  # the lookups counted, past 10 too

    def check_lookups(self) -> None:
        if not self.count_on:
            super().check_lookups()  # pyspf's own: a permerror at the 11th
            self.most = self.lookups
            return
        self.lookups += 1
        self.most = max(self.most, self.lookups)
        if self.lookups > _COUNTED_UP_TO:
            raise pyspf.PermError(LOOKUPS_EXCEEDED)

    def check1(self, spf: object, domain: str, recursion: int) -> Any:
        self.records.append(str(domain).lower())
        return super().check1(spf, domain, recursion)

    def validate_mechanism(self, mech: str) -> Any:
        parsed = super().validate_mechanism(mech)
        self.terms.append((str(self.d).lower(), str(parsed[1])))
        return parsed

    def dns(self, name: str, qtype: str, cnames: Any = None, ignore_void: bool = False) -> Any:
        before = self.void_lookups
        try:
            return super().dns(name, qtype, cnames=cnames, ignore_void=ignore_void)
        finally:
            if self.void_lookups > before:
                self.voids.append(f"{str(name).rstrip('.')} {qtype}")


@dataclass(frozen=True)
class Evaluation:
    """One ``check_host()`` (RFC 7208 §4) of a domain for one client address.

    ``result``: pass, fail, softfail, neutral, none, permerror or temperror. ``reason``:
    pyspf's words for a permerror or temperror. ``matched``: the top-level term that
    decided (e.g. ``?all``); None when none matched. ``lookups``: the DNS-querying terms
    met (counted on past 10, up to 20). ``records``: the domains whose record was
    evaluated, the domain's own first; ``terms``: (domain, mechanism) of each term met.
    """

    result: str
    reason: str = ""
    matched: str | None = None
    lookups: int = 0
    voids: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    terms: tuple[tuple[str, str], ...] = ()

    @property
    def too_many_lookups(self) -> bool:
        """More than 10 lookups: a permanent error (RFC 7208 §4.6.4), whatever ``result``."""
        return self.lookups > SPF_LOOKUP_LIMIT

    @property
    def verdict(self) -> str:
        """The result a receiver gets: ``result``, or permerror past 10 lookups."""
        return "permerror" if self.too_many_lookups else self.result


def evaluate(
    lookup: Lookup, domain: str, ip: str, helo: str, count_on: bool = False
) -> Evaluation:
    """``check_host(ip, domain, postmaster@domain)`` by pyspf, its lookups through ``lookup``,
    for mail from ``ip`` that says ``EHLO helo``. ``count_on``: past 10 lookups, count on up
    to 20 (the verdict stays permerror) instead of stopping at the 11th as RFC 7208 does.

    The sender is ``postmaster@<domain>`` (RFC 7208 §4.3's local part when there is none):
    a local-part macro (``%{l}``) is evaluated for it, not for each mailbox.
    """
    _install()
    token = _LOOKUP.set(lookup)
    try:
        query = _Query(ip, f"postmaster@{domain.lower().rstrip('.')}", helo, count_on)
        result, _, _ = query.check()
    except pyspf.PermError as exc:  # the address or sender itself (never ours)
        return Evaluation("permerror", str(exc))
    finally:
        _LOOKUP.reset(token)
    reason = ""
    if result in ("permerror", "temperror"):
        reason = str(getattr(query, "prob", ""))
        if query.mech and query.mech[-1]:
            reason += f": {query.mech[-1]}"
    return Evaluation(
        result,
        reason,
        query.mechanism,
        query.most,
        tuple(query.voids),
        tuple(query.records),
        tuple(query.terms),
    )


def host_addresses(lookup: Lookup, host: str) -> list[str] | None:
    """A host name's A and AAAA addresses (the literal itself for an address); None when a
    lookup failed."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    found: list[str] = []
    for rdtype in ("A", "AAAA"):
        answer = lookup.query(host, rdtype)
        if answer.outcome is Outcome.FAILED:
            return None
        found += answer.records
    return found
