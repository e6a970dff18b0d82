"""The verdicts the RFCs give (issue 28), one zone per case (zones.zone): each finding has
the status the RFC decides, names the RFC section and says what to publish."""

from __future__ import annotations

import pytest

from lemlist_resource.deliverability import Lookup, Mailbox, Status, check_domain

from .dnsserver import LocalDNS

ERROR, WARNING, OK = Status.ERROR, Status.WARNING, Status.OK

#: (domain, DKIM selectors, check, the check's worst status, words of that finding)
CASES = {
    "more than 2 void lookups": (
        "void.test", (), "SPF", ERROR,
        ("RFC 7208 §4.6.4", "mail1.void.test A", "mail3.void.test A", "Remove the terms"),
    ),
    "a 512-bit DKIM key": (
        "weakkey.test", ("google",), "DKIM", ERROR,
        ("512-bit RSA key", "RFC 8301 §3.2", "publish the 2048-bit key"),
    ),
    "a 1024-bit DKIM key": (
        "weakkey.test", ("s1024",), "DKIM", WARNING,
        ("1024-bit RSA key", "RFC 8301 §3.2", "2048"),
    ),
    "?all is neutral": (
        "broken.test", (), "SPF", WARNING,
        ("ends with ?all", "neutral", "RFC 7208 §8.2", "-all"),
    ),
    "the implicit MX": (
        "implicit.test", (), "MX", WARNING,
        ("no MX record", "'192.0.2.30'", "RFC 5321 §5.1", "Publish the MX records"),
    ),
    "an MX host that is a CNAME": (
        "mxcname.test", (), "MX", WARNING,
        ("'mail.mxcname.test' is an alias of 'mx.good.test'", "RFC 2181 §10.3",
         "Publish the MX as mx.good.test"),
    ),
    "a null MX": (
        "nullmx.test", (), "MX", ERROR, ("null MX, RFC 7505", "Publish the MX records"),
    ),
    "the ptr mechanism": (
        "ptr.test", (), "SPF", WARNING, ("ptr mechanism", "RFC 7208 §5.5", "ip4:/ip6:"),
    ),
    "rua at another organization without its consent": (
        "extrua.test", (), "DMARC", WARNING,
        ("'vendor.test'", "extrua.test._report._dmarc.vendor.test", "RFC 7489 §7.1",
         "Publish that record"),
    ),
    "a %{i} macro evaluated for the SMTP host's address": (
        "macro.test", (), "SPF", OK, ("authorizes the address(es) of smtp_host 'smtp.good.test'",),
    ),
    "an mx term naming more than 10 MX hosts": (
        "manymx.test", (), "SPF", ERROR, ("more than 10 MX records", "RFC 7208 §4.6.4"),
    ),
}  # fmt: skip


def _report(local_dns: LocalDNS, domain: str, selectors: tuple[str, ...]) -> list[tuple[Status, str, str]]:  # noqa: E501
    lookup = Lookup([local_dns.address], timeout=0.5, budget=30)
    box = Mailbox("key", domain, "smtp.good.test", "imap.good.test", selectors)
    return [(f.status, f.check, f.message) for f in check_domain(lookup, domain, [box]).findings]


@pytest.mark.parametrize("case", CASES)
def test_the_rfc_verdict(local_dns: LocalDNS, case: str) -> None:
    domain, selectors, check, status, words = CASES[case]
    found = [(s, m) for s, c, m in _report(local_dns, domain, selectors) if c == check]
    worst = max((s for s, _ in found), key=list(Status).index)
    assert worst is status, found
    assert any(s is status and all(w in m for w in words) for s, m in found), found


def test_an_external_rua_that_agreed_is_no_warning(local_dns: LocalDNS) -> None:
    found = [(s, m) for s, c, m in _report(local_dns, "authrua.test", ()) if c == "DMARC"]
    assert (OK, "vendor.test accepts the aggregate reports") in found
    assert {s for s, _ in found} == {OK}


def test_a_record_past_ten_lookups_is_never_a_pass_for_any_sender(local_dns: LocalDNS) -> None:
    # toomany.test ends in +all: evaluated on, its SMTP host would "pass"; RFC 7208 §4.6.4
    # ends the evaluation with a permanent error first.
    found = [(s, m) for s, c, m in _report(local_dns, "toomany.test", ()) if c == "SPF"]
    assert not any(s is OK for s, _ in found), found
    assert any("needs 12 DNS lookups" in m for _, m in found)


def test_a_failed_lookup_inside_the_record_is_could_not_check(local_dns: LocalDNS) -> None:
    # the include answers SERVFAIL: no verdict on the record, nor on Microsoft 365's include
    lookup = Lookup([local_dns.address], timeout=0.5, budget=30)
    box = Mailbox("key", "tempinc.test", "smtp.office365.com", None, ())
    found = [f for f in check_domain(lookup, "tempinc.test", [box]).findings if f.check == "SPF"]
    assert [f.status for f in found] == [Status.NOT_CHECKED] * 2, found
    assert all("SERVFAIL" in f.message for f in found)
