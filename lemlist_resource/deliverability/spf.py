"""The SPF check of a sender domain, judged as RFC 7208 judges it.

pyspf evaluates (:mod:`.spf_eval`): once for an address the record does not list, which walks
every term a receiver walks for an unknown server (the permanent errors of §4.6: syntax,
more than 10 lookups, more than 2 void lookups, more than 10 MX names, an include without a
record; and what an unlisted server gets: ``+all`` passes it, ``?all`` or no ``all`` leaves
it neutral), and once for each address of each mailbox's SMTP host (macros such as ``%{i}``
expanded for it). What stays ours: which include a known provider's SMTP host needs
(:mod:`.providers`), and the findings' words and advice.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..echo import plain, shown
from .findings import Finding, Status
from .lookup import Answer, Lookup, Outcome
from .providers import by_smtp_host
from .spf_eval import (
    LOOKUPS_EXCEEDED,
    NOBODY,
    SPF_LOOKUP_LIMIT,
    Evaluation,
    evaluate,
    host_addresses,
)

SPF = "SPF"
_EXAMPLE = "'v=spf1 include:<your mail provider> ~all'"
_FAILS = "a permanent error (permerror), so receivers fail SPF for every sender"
_STRICT_ALL = "End it with ~all (soft fail) or -all (fail)"


def is_spf(text: str) -> bool:
    """Whether a TXT string is an SPF record (``v=spf1`` then a space or nothing)."""
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def spf_records(lookup: Lookup, domain: str) -> tuple[list[str], Answer]:
    """The SPF records among ``domain``'s TXT records, and the answer they came from."""
    answer = lookup.query(domain, "TXT")
    return [t.strip() for t in answer.records if is_spf(t)], answer


def _permerror(found: Evaluation) -> str:
    """What a permanent error met on the way means, and what to publish instead."""
    reason = found.reason
    if reason.startswith("Void lookup limit"):
        names = ", ".join(plain(v) for v in found.voids)
        return (
            f"more than 2 of its DNS lookups find nothing ({names}): {_FAILS} (RFC 7208 "
            "§4.6.4). Remove the terms whose names do not exist, or publish those names"
        )
    if reason.startswith("More than 10 MX records"):
        return (
            f"an mx term names a domain with more than 10 MX records: {_FAILS} (RFC 7208 "
            "§4.6.4). Replace that mx term with ip4:/ip6: ranges or a: terms naming the servers "
            "that send"
        )
    if reason.startswith("No valid SPF record for included domain"):
        target = plain(reason.rpartition(": ")[2])
        return (
            f"{target} names a domain without an SPF record: {_FAILS} (RFC 7208 §5.2). Fix the "
            "name or remove the include"
        )
    if reason.startswith("redirect domain has no SPF record"):
        return (
            f"its redirect= names a domain without an SPF record: {_FAILS} (RFC 7208 §6.1). "
            "Fix the name, or replace the redirect with the terms themselves"
        )
    return (
        f"does not evaluate ({plain(reason)}): {_FAILS} (RFC 7208 §4.6). Fix the record; the "
        f"simplest valid form is {_EXAMPLE}"
    )


def _unlisted(found: Evaluation, record: str, where: str) -> Finding | None:
    """What a server the record does not list gets: ``pass`` lets anyone send (error),
    ``neutral`` is as good as no SPF for it (warning)."""
    matched = found.matched
    if found.result == "pass":
        return Finding(
            SPF,
            Status.ERROR,
            where,
            (
                f"{shown(record)} passes any server (it matches {plain(matched or '?')}): "
                f"anyone may send as this domain (RFC 7208 §5.1). {_STRICT_ALL}"
            ),
        )
    if found.result != "neutral":
        return None
    what = (
        f"ends with {plain(matched)}, so servers it does not list get a neutral result"
        if matched
        else "has no 'all' term, so servers it does not list get a neutral result (§4.7)"
    )
    return Finding(
        SPF,
        Status.WARNING,
        where,
        (
            f"{shown(record)} {what}, which receivers treat as no SPF policy for them (RFC 7208 "
            f"§8.2): a neutral result does not stop spoofed mail. {_STRICT_ALL}"
        ),
    )


def _ptr(found: Evaluation, where: str) -> list[Finding]:
    """RFC 7208 §5.5: the ``ptr`` mechanism SHOULD NOT be published."""
    domains = sorted({d for d, name in found.terms if name == "ptr"})
    return [
        Finding(
            SPF,
            Status.WARNING,
            where,
            (
                f"the SPF record of {plain(d)} uses the ptr mechanism, which RFC 7208 §5.5 says "
                "should not be published: it is slow, and receivers may skip it. Replace it "
                "with ip4:/ip6: ranges or a: terms naming the servers that send"
            ),
        )
        for d in domains
    ]


def _record_findings(found: Evaluation, record: str, where: str) -> list[Finding]:
    """Findings about the one SPF record, from its evaluation for an unlisted server."""
    if found.result == "temperror":
        return [Finding(SPF, Status.NOT_CHECKED, where, f"evaluating it: {found.reason}")]
    findings: list[Finding] = []
    if found.too_many_lookups:
        stopped = found.result == "permerror"  # evaluation ended there: the least it needs
        count = f"at least {found.lookups}" if stopped else str(found.lookups)
        message = (
            f"needs {count} DNS lookups (at most {SPF_LOOKUP_LIMIT}, RFC 7208 §4.6.4): "
            f"{_FAILS}; remove includes you no longer use, or replace some with ip4:/ip6: ranges"
        )
        findings.append(Finding(SPF, Status.ERROR, where, message))
    if found.result == "permerror" and not found.reason.startswith(LOOKUPS_EXCEEDED):
        findings.append(Finding(SPF, Status.ERROR, where, _permerror(found)))
    unlisted = _unlisted(found, record, where)
    findings += [unlisted] if unlisted else []
    findings += _ptr(found, where)
    if not findings:
        ok = f"one record, {found.lookups} DNS lookup(s) of {SPF_LOOKUP_LIMIT}: {shown(record)}"
        findings.append(Finding(SPF, Status.OK, where, ok))
    return findings


def _provider(found: Evaluation, host: str, keys: tuple[str, ...], where: str) -> Finding | None:
    """A known provider's SMTP host: its include must be among the records evaluated."""
    provider = by_smtp_host(host)
    if provider is None:
        return None
    if provider.spf_include in found.records[1:]:
        message = f"authorizes {provider.name} (smtp_host {shown(host)})"
        return Finding(SPF, Status.OK, where, message, keys)
    return Finding(
        SPF,
        Status.ERROR,
        where,
        (
            f"does not authorize {provider.name}, which sends the mail of smtp_host "
            f"{shown(host)}, so its mail fails SPF (RFC 7208 §5.2): add "
            f"include:{provider.spf_include} before the 'all' term"
        ),
        keys,
    )


def _by_address(lookup: Lookup, domain: str, host: str, keys: tuple[str, ...]) -> Finding:
    """pyspf's verdict for each of ``host``'s addresses (macros expanded for them): all
    ``pass`` authorizes it; a permanent error on its path fails it; else "cannot tell"."""
    where = f"{domain} TXT"
    addresses = host_addresses(lookup, host)
    results = [evaluate(lookup, domain, ip, host) for ip in addresses or []]
    failed = [r.reason for r in results if r.result == "temperror"]
    if addresses is None or failed:
        reason = failed[0] if failed else "its address lookup failed"
        message = f"whether it authorizes smtp_host {shown(host)}: {reason}"
        return Finding(SPF, Status.NOT_CHECKED, where, message, keys)
    if results and all(r.verdict == "pass" for r in results):
        message = f"authorizes the address(es) of smtp_host {shown(host)}"
        return Finding(SPF, Status.OK, where, message, keys)
    broken = [r.reason for r in results if r.verdict == "permerror"]
    if broken:
        message = (
            f"fails for smtp_host {shown(host)}: {plain(broken[0])}, {_FAILS} coming from it "
            "(RFC 7208 §4.6). Fix the terms its evaluation meets"
        )
        return Finding(SPF, Status.ERROR, where, message, keys)
    return Finding(
        SPF,
        Status.CANNOT_TELL,
        where,
        (
            f"cannot tell whether it authorizes smtp_host {shown(host)}: the record does not pass "
            "its address, but the server may hand mail to another one. If it sends the mail "
            f"itself, add a:{host}; otherwise make sure your provider's include is there"
        ),
        keys,
    )


def _authorizes(
    lookup: Lookup, domain: str, found: Evaluation, host: str, keys: tuple[str, ...]
) -> Finding:
    """Whether ``domain``'s SPF passes ``host``'s mail: a known provider's include, or
    pyspf's ``pass`` for each of the host's addresses; else "cannot tell"."""
    if found.verdict == "temperror":  # the record's own evaluation did not finish
        message = f"whether it authorizes smtp_host {shown(host)}: {found.reason}"
        return Finding(SPF, Status.NOT_CHECKED, f"{domain} TXT", message, keys)
    if found.verdict == "permerror":
        message = (
            f"cannot tell whether it authorizes smtp_host {shown(host)} until the permanent "
            "error above is fixed: SPF fails for every sender until then"
        )
        return Finding(SPF, Status.CANNOT_TELL, f"{domain} TXT", message, keys)
    known = _provider(found, host, keys, f"{domain} TXT")
    return known if known is not None else _by_address(lookup, domain, host, keys)


def spf_findings(
    lookup: Lookup, domain: str, smtp_hosts: Mapping[str, tuple[str, ...]]
) -> list[Finding]:
    """The SPF findings of ``domain``; ``smtp_hosts`` maps each SMTP host to its senders."""
    found, answer = spf_records(lookup, domain)
    where = answer.record
    if answer.outcome is Outcome.FAILED:
        return [Finding(SPF, Status.NOT_CHECKED, where, answer.reason)]
    if not found:
        return [
            Finding(
                SPF,
                Status.ERROR,
                where,
                (
                    "no SPF record (result none, RFC 7208 §2.6.1): Gmail, Yahoo and Outlook.com "
                    "reject or junk unauthenticated bulk mail. Publish one TXT record at "
                    f"{domain}, e.g. {_EXAMPLE}"
                ),
            )
        ]
    if len(found) > 1:
        records = ", ".join(shown(r) for r in found)
        return [
            Finding(
                SPF,
                Status.ERROR,
                where,
                (
                    f"{len(found)} SPF records ({records}): receivers treat this as a permanent "
                    "error (RFC 7208 §4.5), so SPF fails. Merge them into one record"
                ),
            )
        ]
    unlisted = evaluate(lookup, domain, NOBODY, domain, count_on=True)
    findings = _record_findings(unlisted, found[0], where)
    for host, keys in sorted(smtp_hosts.items()):
        findings.append(_authorizes(lookup, domain, unlisted, host, keys))
    return findings
