"""The MX check: the domain receives mail (replies must reach the mailbox), and its MX
agrees with the mailbox's ``imap_host`` where that can be judged."""

from __future__ import annotations

from collections.abc import Mapping

from ..echo import shown
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
                f"{domain} does not exist in DNS: register it, or fix sender_email",
            )
        ]
    hosts = [r.split()[-1] for r in answer.records]
    if not hosts or hosts == ["."]:
        what = "declares it receives no mail (null MX)" if hosts else "has no MX record"
        return [
            Finding(
                MX,
                Status.ERROR,
                where,
                (
                    f"{domain} {what}: replies to its senders bounce, and receivers distrust a "
                    "sender that cannot receive. Publish the MX records of your mail provider"
                ),
            )
        ]
    findings = [
        Finding(MX, Status.OK, where, f"mail is received by {', '.join(map(shown, hosts))}")
    ]
    for host, keys in sorted(imap_hosts.items()):
        findings.append(_agrees(hosts, host, keys, where))
    return findings
