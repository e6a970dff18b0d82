"""Each check against a real DNS server on 127.0.0.1 (zones.zone): passing and failing."""

from __future__ import annotations

import pytest

from lemlist_resource.deliverability import (
    Checker,
    DomainReport,
    Lookup,
    Mailbox,
    Outcome,
    Status,
    check_domain,
    organizational_domain,
)

from .dnsserver import LocalDNS


def report(local_dns: LocalDNS, domain: str, smtp: str = "smtp.good.test",
           imap: str = "imap.good.test", selectors: tuple[str, ...] = ("s1",)) -> DomainReport:
    lookup = Lookup([local_dns.address], timeout=0.5, budget=30)
    return check_domain(lookup, domain, [Mailbox("key", domain, smtp, imap, selectors)])


def statuses(rep: DomainReport, check: str) -> list[Status]:
    return [f.status for f in rep.findings if f.check == check]


def messages(rep: DomainReport, check: str) -> str:
    return "\n".join(f.message for f in rep.findings if f.check == check)


def test_a_good_domain_passes_every_check(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "good.test")
    assert {f.status for f in rep.findings} == {Status.OK}, rep.findings
    assert "policy reject" in messages(rep, "DMARC")
    assert "'mailto:dmarc@good.test'" in messages(rep, "DMARC")  # rua noted
    assert "selector 's1' publishes a 2048-bit RSA key" in messages(rep, "DKIM")
    assert "authorizes the address(es) of smtp_host 'smtp.good.test'" in messages(rep, "SPF")
    assert rep.errors == []


def test_a_broken_domain_fails_each_check_with_its_fix(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "broken.test", smtp="smtp.broken.test", selectors=("s9",))
    for check in ("MX", "DMARC", "DKIM"):
        assert rep.status(check) is Status.ERROR, check
    assert "has no MX record" in messages(rep, "MX")
    # ?all is neutral, not "anyone may send" (RFC 7208 §8.2): a warning (issue 28)
    assert rep.status("SPF") is Status.WARNING
    assert "?all" in messages(rep, "SPF") and "-all" in messages(rep, "SPF")
    assert "Publish TXT _dmarc.broken.test 'v=DMARC1; p=none;" in messages(rep, "DMARC")
    dkim = [f for f in rep.findings if f.check == "DKIM"]
    assert dkim[0].record == "s9._domainkey.broken.test TXT" and dkim[0].senders == ("key",)
    assert "no DKIM key for selector 's9'" in dkim[0].message


def test_two_spf_records_are_an_error(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "twospf.test")
    assert statuses(rep, "SPF") == [Status.ERROR]
    assert "2 SPF records" in messages(rep, "SPF") and "Merge them" in messages(rep, "SPF")


def test_more_than_ten_lookups_and_plus_all_are_errors(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "toomany.test", selectors=())
    spf = messages(rep, "SPF")
    assert "needs 12 DNS lookups (at most 10" in spf
    assert "+all" in spf
    assert statuses(rep, "DMARC") == [Status.ERROR] and "does not parse" in messages(rep, "DMARC")


def test_p_none_is_a_warning_and_a_missing_rua_is_noted(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "twospf.test")
    assert statuses(rep, "DMARC") == [Status.WARNING]
    assert "policy none" in messages(rep, "DMARC") and "no rua" in messages(rep, "DMARC")


def test_dmarc_falls_back_to_the_organizational_domain(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "mail.good.test", imap="mx.good.test")
    (dmarc,) = [f for f in rep.findings if f.check == "DMARC"]
    assert dmarc.status is Status.OK and dmarc.record == "_dmarc.good.test TXT"
    assert "policy quarantine (the organizational domain's)" in dmarc.message  # its sp=
    assert local_dns.resolver.questions.count(("_dmarc.mail.good.test", "TXT")) >= 1


def test_the_organizational_domain_uses_the_bundled_public_suffix_list() -> None:
    assert organizational_domain("mail.acme.co.uk") == "acme.co.uk"
    assert organizational_domain("a.b.acme.com") == "acme.com"


def test_a_revoked_dkim_key_is_an_error(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "twospf.test")
    assert statuses(rep, "DKIM") == [Status.ERROR] and "revoked" in messages(rep, "DKIM")


def test_no_dkim_selector_is_cannot_tell_with_how_to_name_one(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "good.test", selectors=())
    (dkim,) = [f for f in rep.findings if f.check == "DKIM"]
    assert dkim.status is Status.CANNOT_TELL and "dkim_selector" in dkim.message


def test_a_known_provider_must_be_in_the_spf_record(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "o365.test", smtp="smtp.office365.com", imap="outlook.office365.com")
    assert "add include:spf.protection.outlook.com" in messages(rep, "SPF")
    assert statuses(rep, "MX") == [Status.OK, Status.OK]  # Microsoft receives what it serves


def test_mx_that_disagrees_with_a_known_imap_host_is_a_warning(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "zoho.test", smtp="smtp.zoho.com", imap="outlook.office365.com")
    assert Status.WARNING in statuses(rep, "MX") and "'mx.zoho.com'" in messages(rep, "MX")
    assert "authorizes Zoho Mail" in messages(rep, "SPF")


def test_an_own_smtp_host_outside_the_record_is_cannot_tell(local_dns: LocalDNS) -> None:
    rep = report(local_dns, "zoho.test", smtp="smtp.good.test")
    assert Status.CANNOT_TELL in statuses(rep, "SPF") and "cannot tell" in messages(rep, "SPF")
    assert Status.ERROR not in statuses(rep, "SPF")


@pytest.mark.parametrize(("domain", "reason"), [
    ("servfail.test", "SERVFAIL"),
    ("slow.test", "no answer within 0.2 s"),
])  # fmt: skip
def test_a_failed_lookup_is_could_not_check_never_pass_or_fail(
    local_dns: LocalDNS, domain: str, reason: str
) -> None:
    lookup = Lookup([local_dns.address], timeout=0.2, budget=30)  # a small timeout
    rep = check_domain(lookup, domain, [Mailbox("k", domain, "smtp.good.test", None, ("s1",))])
    assert {f.status for f in rep.findings} == {Status.NOT_CHECKED}
    assert all(reason in f.message for f in rep.findings)


def test_the_time_budget_bounds_the_run(local_dns: LocalDNS) -> None:
    ticks = iter([0.0, 5.0])  # the first lookup starts the budget; the next is past it
    lookup = Lookup([local_dns.address], timeout=1, budget=2, clock=lambda: next(ticks))
    first = lookup.query("good.test", "MX")
    before = len(local_dns.resolver.questions)
    second = lookup.query("good.test", "TXT")
    assert first.outcome is Outcome.FOUND
    assert second.outcome is Outcome.FAILED and "time budget of 2 s" in second.reason
    assert len(local_dns.resolver.questions) == before  # not even asked


def test_results_are_cached_per_domain_within_a_run(local_dns: LocalDNS) -> None:
    checker = Checker(Lookup([local_dns.address], timeout=0.5, budget=30))
    before = len(local_dns.resolver.questions)
    boxes = [Mailbox(k, "good.test", "smtp.good.test", "imap.good.test", ("s1",)) for k in "ab"]
    checker.all(boxes)
    asked = local_dns.resolver.questions[before:]
    assert asked.count(("good.test", "MX")) == 1 and asked.count(("good.test", "TXT")) == 1
    checker.all(boxes)
    assert len(local_dns.resolver.questions) == before + len(asked)
