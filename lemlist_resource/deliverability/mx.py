"""The MX check: the domain receives mail (replies must reach the mailbox), as RFC 5321 §5.1
finds where (its MX hosts, else its own address: the implicit MX), its MX names hosts and not
aliases, and its MX agrees with the mailbox's ``imap_host`` where that can be judged."""

from __future__ import annotations

from collections.abc import Mapping

from ..echo import plain, shown
from .domains import organizational_domain
from .findings import Finding, Status
from .lookup import Lookup, Outcome
from .providers import by_imap_host, by_mx_host

MX = "MX"


def _agrees(hosts: list[str], imap_host: str, keys: tuple[str, ...], where: str) -> Finding:
    """Whether the MX hosts and ``imap_host`` look like one mail service."""
    provider = by_imap_host(imap_host)
    inbound = {p.name for p in map(by_mx_host, hosts) if p is not None}
    if provider is not None:
        if provider.name in inbound:
            return Finding(
                MX,
                Status.OK,
                where,
                f"{provider.name} receives the mail imap_host {shown(imap_host)} reads",
                keys,
            )
        return Finding(
            MX,
            Status.WARNING,
            where,
            (
                f"imap_host {shown(imap_host)} is {provider.name}, but MX points at "
                f"{', '.join(map(shown, hosts))}: replies land there, not in the mailbox lemlist "
                f"reads. Point MX at {provider.name} (its admin center shows the records), or "
                "fix imap_host"
            ),
            keys,
        )
    imap_org = organizational_domain(imap_host)
    if any(h.lower() == imap_host.lower() or organizational_domain(h) == imap_org for h in hosts):
        return Finding(
            MX, Status.OK, where, f"imap_host {shown(imap_host)} is on the MX's domain", keys
        )
    return Finding(
        MX,
        Status.CANNOT_TELL,
        where,
        (
            f"cannot tell whether imap_host {shown(imap_host)} reads the mail that "
            f"{', '.join(map(shown, hosts))} receive(s); check that replies reach the mailbox"
        ),
        keys,
    )


def _no_mx(lookup: Lookup, domain: str, where: str, null: bool) -> Finding:
    """No MX record (RFC 5321 §5.1: the domain's own address is then its implicit MX), or a
    null MX (RFC 7505: it receives no mail)."""
    publish = "Publish the MX records of your mail provider"
    if null:
        message = (
            f"{domain} declares it receives no mail (null MX, RFC 7505): replies to its senders "
            f"bounce, and receivers distrust a sender that cannot receive. {publish}"
        )
        return Finding(MX, Status.ERROR, where, message)
    for rdtype in ("A", "AAAA"):
        answer = lookup.query(domain, rdtype)
        if answer.outcome is Outcome.FAILED:
            return Finding(MX, Status.NOT_CHECKED, where, f"no MX record; {answer.reason}")
        if answer.records:
            message = (
                f"{domain} has no MX record, so mail to it goes to its {rdtype} record "
                f"{shown(answer.records[0])} (the implicit MX, RFC 5321 §5.1): replies reach the "
                f"mailbox only if that host receives mail. {publish}"
            )
            return Finding(MX, Status.WARNING, where, message)
    message = (
        f"{domain} has no MX record (nor an address to fall back to, RFC 5321 §5.1): replies "
        f"to its senders bounce, and receivers distrust a sender that cannot receive. {publish}"
    )
    return Finding(MX, Status.ERROR, where, message)


def _aliases(lookup: Lookup, hosts: list[str], where: str) -> list[Finding]:
    """MX hosts that are aliases (CNAME): RFC 5321 §5.1 and RFC 2181 §10.3 ask for the
    host's own name."""
    findings: list[Finding] = []
    for host in hosts:
        answer = lookup.query(host, "CNAME")
        if answer.outcome is Outcome.FAILED:
            findings.append(Finding(MX, Status.NOT_CHECKED, answer.record, answer.reason))
        elif answer.records:
            target = answer.records[0].rstrip(".")
            message = (
                f"MX host {shown(host)} is an alias of {shown(target)}: an MX must name the host "
                "itself, not a CNAME (RFC 5321 §5.1, RFC 2181 §10.3), and some senders refuse "
                f"to deliver to it. Publish the MX as {plain(target)}"
            )
            findings.append(Finding(MX, Status.WARNING, where, message))
    return findings


def mx_findings(
    lookup: Lookup, domain: str, imap_hosts: Mapping[str, tuple[str, ...]]
) -> list[Finding]:
    """The MX findings of ``domain``; ``imap_hosts`` maps each IMAP host to its senders."""
    answer = lookup.query(domain, "MX")
    where = answer.record
    if answer.outcome is Outcome.FAILED:
        return [Finding(MX, Status.NOT_CHECKED, where, answer.reason)]
    if answer.outcome is Outcome.NXDOMAIN:
        return [
            Finding(
                MX,
                Status.ERROR,
                where,
                (
                    f"{domain} does not exist in DNS, so no reply can reach it (RFC 5321 §5.1): "
                    "register it, or fix sender_email"
                ),
            )
        ]
    hosts = [r.split()[-1] for r in answer.records]
    if not hosts or hosts == ["."]:
        return [_no_mx(lookup, domain, where, null=bool(hosts))]
    findings = [
        Finding(MX, Status.OK, where, f"mail is received by {', '.join(map(shown, hosts))}"),
        *_aliases(lookup, hosts, where),
    ]
    for host, keys in sorted(imap_hosts.items()):
        findings.append(_agrees(hosts, host, keys, where))
    return findings
