"""The libraries, run on their own, and our findings agree on every zone of zones.zone
(issue 28), so the two cannot drift apart; and every query the checks make goes through the
run's one Lookup.

Here pyspf and dkimpy resolve through their own DNS code (dnspython's default resolver,
pointed at the local server for the test), not through our hook; pydmarc parses the record
read by dnspython directly. Our findings come from ``check_domain`` as ``lint --dns`` runs it.
"""

from __future__ import annotations

from collections.abc import Iterator

import dkim
import dmarc
import dns.nameserver
import dns.resolver
import pytest
import spf
from dnslib import QTYPE, RR

from lemlist_resource.deliverability import Finding, Lookup, Mailbox, Status, check_domain

from .dnsserver import ZONE, LocalDNS

SMTP_HOST, SMTP_ADDRESS = "smtp.good.test", "192.0.2.25"  # zones.zone
NOBODY = "240.0.0.1"  # reserved (RFC 1112 §4): a server no record of the zones lists
RECORDS = RR.fromZone(ZONE.read_text(encoding="utf-8"))


def _names(rtype: str, prefix: str = "", starts: str = "") -> list[str]:
    return sorted(
        {
            str(rr.rname).rstrip(".").lower()
            for rr in RECORDS
            if QTYPE[rr.rtype] == rtype
            and str(rr.rname).lower().startswith(prefix)
            and b"".join(getattr(rr.rdata, "data", [b""])).decode().startswith(starts)
        }
    )


SPF_DOMAINS = _names("TXT", starts="v=spf1")
DKIM_NAMES = [n for n in _names("TXT") if "._domainkey." in n]
DMARC_DOMAINS = [n.removeprefix("_dmarc.") for n in _names("TXT", prefix="_dmarc.")]


@pytest.fixture
def library_dns(local_dns: LocalDNS, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """dnspython's default resolver asks the local server; pyspf uses its own DNS layer."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", local_dns.port)]
    resolver.lifetime = 2.0
    monkeypatch.setattr(dns.resolver, "default_resolver", resolver)
    monkeypatch.setattr(spf, "DNSLookup", spf.DNSLookup_dnspython)
    yield


def _ours(local_dns: LocalDNS, domain: str, selectors: tuple[str, ...] = ()) -> list[Finding]:
    lookup = Lookup([local_dns.address], timeout=0.5, budget=30)
    box = Mailbox("key", domain, SMTP_HOST, None, selectors)
    return list(check_domain(lookup, domain, [box]).findings)


def _worst(findings: list[Finding]) -> Status | None:
    statuses = [f.status for f in findings]
    return max(statuses, key=list(Status).index) if statuses else None


#: pyspf's result for a server the record does not list → the record's status (RFC 7208).
UNLISTED = {"permerror": Status.ERROR, "pass": Status.ERROR, "neutral": Status.WARNING,
            "none": Status.ERROR, "fail": Status.OK, "softfail": Status.OK,
            "temperror": Status.NOT_CHECKED}  # fmt: skip


@pytest.mark.filterwarnings("ignore:please use dns.resolver.resolve")  # pyspf's own call
@pytest.mark.parametrize("domain", SPF_DOMAINS)
def test_spf_agrees_with_pyspf(local_dns: LocalDNS, library_dns: None, domain: str) -> None:
    sender = f"postmaster@{domain}"
    unlisted, _, _ = spf.query(i=NOBODY, s=sender, h=domain).check()
    sending, _, _ = spf.query(i=SMTP_ADDRESS, s=sender, h=SMTP_HOST).check()
    with open(ZONE, encoding="utf-8") as zone:  # RFC 7208 §5.5: ptr is a warning on its own
        uses_ptr = any(line.startswith(f"{domain}.") and " ptr " in line for line in zone)
    found = [f for f in _ours(local_dns, domain) if f.check == "SPF"]
    record = [f for f in found if not f.senders]
    authorized = [f.status is Status.OK for f in found if f.senders]  # none: no one record
    expected = UNLISTED[unlisted]
    if uses_ptr and expected is Status.OK:
        expected = Status.WARNING
    assert _worst(record) is expected, (unlisted, record)
    assert any(authorized) == (sending == "pass"), (sending, found)


@pytest.mark.parametrize("name", DKIM_NAMES)
def test_dkim_agrees_with_dkimpy(local_dns: LocalDNS, library_dns: None, name: str) -> None:
    selector, _, domain = name.partition("._domainkey.")
    try:
        _, bits, _, _ = dkim.load_pk_from_dns(name.encode())
        expected = Status.ERROR if bits < 1024 else Status.WARNING if bits < 2048 else Status.OK
    except (dkim.KeyFormatError, ValueError):
        expected = Status.ERROR  # no usable key (revoked, unparsable)
    (finding,) = [f for f in _ours(local_dns, domain, (selector,)) if f.check == "DKIM"]
    assert finding.status is expected, finding


@pytest.mark.parametrize("domain", DMARC_DOMAINS)
def test_dmarc_agrees_with_pydmarc(local_dns: LocalDNS, library_dns: None, domain: str) -> None:
    answer = dns.resolver.resolve(f"_dmarc.{domain}", "TXT")
    (text,) = [b"".join(r.strings).decode() for r in answer]
    try:
        policy = dmarc.DMARC().parse_record(text, domain=domain)
        expected = Status.WARNING if policy.p is dmarc.DMARCDisposition.NONE else Status.OK
    except dmarc.RecordSyntaxError:
        expected = Status.ERROR
    found = [f for f in _ours(local_dns, domain) if f.check == "DMARC"]
    (policy_finding,) = [f for f in found if f.record == f"_dmarc.{domain} TXT"]
    assert policy_finding.status is expected, policy_finding


def test_every_query_goes_through_the_one_lookup(local_dns: LocalDNS) -> None:
    """pyspf, dkimpy and pydmarc ask nothing on their own: the server receives exactly the
    queries the run's Lookup sent (and the guard refuses anything else; the system resolver
    is off, so a library's own query would fail the run)."""
    lookup = Lookup([local_dns.address], timeout=0.5, budget=30)
    before = len(local_dns.resolver.questions)
    for domain in sorted({*SPF_DOMAINS, *DMARC_DOMAINS}):
        selectors = tuple(n.partition(".")[0] for n in DKIM_NAMES if n.endswith(f".{domain}"))
        check_domain(lookup, domain, [Mailbox("k", domain, SMTP_HOST, None, selectors)])
    asked = local_dns.resolver.questions[before:]
    assert lookup.sent == len(asked) > 50
    assert len(set(asked)) == len(asked)  # each name and type once: one cache for all
