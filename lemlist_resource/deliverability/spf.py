"""The SPF check of a sender domain: one record, at most 10 lookups, a strict ``all``, and
the mailbox's SMTP server authorized where that can be judged."""

from __future__ import annotations

from collections.abc import Mapping

from ..echo import shown
from .findings import Finding, Status
from .lookup import Lookup, Outcome
from .providers import by_smtp_host
from .spf_record import SPF_LOOKUP_LIMIT, evaluate, host_addresses, spf_records, split_term, tally

SPF = "SPF"
_EXAMPLE = "'v=spf1 include:<your mail provider> ~all'"


def _all_problem(record: str) -> str | None:
    """Why the record's ``all`` is too permissive (``+all``, ``?all``), or missing."""
    for term in record.split()[1:]:
        qualifier, name, _ = split_term(term)
        if name == "all" and qualifier in ("+", "?"):
            term_shown = "+all" if qualifier == "+" else "?all"
            return (
                f"ends with {term_shown}, which lets anyone send as this domain: end it with "
                "~all (soft fail) or -all (fail)"
            )
        if name in ("all", "redirect="):
            return None
    return "has no 'all' term, so unlisted servers get a neutral result: end it with ~all or -all"


def _record_findings(lookup: Lookup, domain: str, record: str, where: str) -> list[Finding]:
    """Findings about the one SPF record: its ``all`` and its lookup count."""
    findings: list[Finding] = []
    problem = _all_problem(record)
    if problem:
        findings.append(Finding(SPF, Status.ERROR, where, f"{shown(record)} {problem}"))
    counted = tally(lookup, record)
    for broken in counted.broken:
        message = f"{broken}: receivers fail SPF (permerror); fix or remove it"
        findings.append(Finding(SPF, Status.ERROR, where, message))
    if counted.lookups > SPF_LOOKUP_LIMIT:
        findings.append(
            Finding(
                SPF,
                Status.ERROR,
                where,
                (
                    f"needs {counted.lookups} DNS lookups (at most {SPF_LOOKUP_LIMIT}, RFC 7208 "
                    "§4.6.4): receivers fail SPF (permerror); remove includes you no longer "
                    "use, or replace some with ip4:/ip6: ranges"
                ),
            )
        )
    elif counted.failed:
        findings.append(Finding(SPF, Status.NOT_CHECKED, where, f"lookup count: {counted.failed}"))
    elif not findings:
        found = f"one record, {counted.lookups} DNS lookup(s) of {SPF_LOOKUP_LIMIT}: "
        findings.append(Finding(SPF, Status.OK, where, found + shown(record)))
    return findings


def _authorizes(
    lookup: Lookup, domain: str, record: str, host: str, keys: tuple[str, ...]
) -> Finding:
    """Whether ``domain``'s SPF lets ``host``'s mail through: a known provider's include, or
    the host's own addresses; else "cannot tell"."""
    where = f"{domain} TXT"
    provider = by_smtp_host(host)
    if provider is not None:
        included = provider.spf_include in tally(lookup, record).includes
        if included:
            return Finding(
                SPF, Status.OK, where, f"authorizes {provider.name} (smtp_host {shown(host)})", keys
            )
        return Finding(
            SPF,
            Status.ERROR,
            where,
            (
                f"does not authorize {provider.name}, which sends the mail of smtp_host "
                f"{shown(host)}: add include:{provider.spf_include} before the 'all' term"
            ),
            keys,
        )
    addresses = host_addresses(lookup, host)
    results = {evaluate(lookup, domain, ip) for ip in addresses or []}
    if addresses and results == {"pass"}:
        return Finding(
            SPF, Status.OK, where, f"authorizes the address(es) of smtp_host {shown(host)}", keys
        )
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
                    f"no SPF record: Gmail, Yahoo and Outlook.com reject or junk unauthenticated "
                    f"bulk mail. Publish one TXT record at {domain}, e.g. {_EXAMPLE}"
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
    findings = _record_findings(lookup, domain, found[0], where)
    for host, keys in sorted(smtp_hosts.items()):
        findings.append(_authorizes(lookup, domain, found[0], host, keys))
    return findings
