"""The DMARC check of a sender domain (RFC 7489): a record at ``_dmarc.<domain>``, or at
the organizational domain's, that parses; its policy shown (``p=none`` is a warning) and
where its aggregate reports (``rua``) go."""

from __future__ import annotations

from ..echo import shown
from .domains import organizational_domain
from .findings import Finding, Status
from .lookup import Answer, Lookup, Outcome

DMARC = "DMARC"
POLICIES = ("none", "quarantine", "reject")


def is_dmarc(text: str) -> bool:
    """Whether a TXT string is a DMARC record (starts with ``v=DMARC1``)."""
    return text.replace(" ", "").upper().startswith("V=DMARC1")


def parse_tags(record: str) -> dict[str, str]:
    """A ``tag=value; …`` record (DMARC, DKIM) as a map; tag names in lower case."""
    tags: dict[str, str] = {}
    for part in record.split(";"):
        name, eq, value = part.partition("=")
        if eq and name.strip():
            tags.setdefault(name.strip().lower(), value.strip())
    return tags


def _lookup(lookup: Lookup, domain: str) -> tuple[list[str], Answer, bool]:
    """The DMARC records that apply to ``domain``, their answer, and whether they are the
    organizational domain's (the fallback of RFC 7489 §6.6.3)."""
    answer = lookup.query(f"_dmarc.{domain}", "TXT")
    found = [t.strip() for t in answer.records if is_dmarc(t)]
    org = organizational_domain(domain)
    if found or answer.outcome is Outcome.FAILED or org == domain:
        return found, answer, False
    answer = lookup.query(f"_dmarc.{org}", "TXT")
    return [t.strip() for t in answer.records if is_dmarc(t)], answer, True


def _reports(tags: dict[str, str]) -> str:
    rua = tags.get("rua")
    if rua:
        return f"aggregate reports go to {shown(rua)}"
    return (
        "no rua: nobody receives aggregate reports; add rua=mailto:<address> to see who "
        "sends as this domain"
    )


def _judge(record: str, where: str, fallback: bool) -> Finding:
    tags = parse_tags(record)
    first = record.split(";", 1)[0].replace(" ", "")
    policy = (tags.get("sp") if fallback else None) or tags.get("p", "")
    if first.upper() != "V=DMARC1" or policy.lower() not in POLICIES:
        return Finding(
            DMARC,
            Status.ERROR,
            where,
            (
                f"{shown(record)} does not parse: it must start with 'v=DMARC1;' and set "
                "p=none, p=quarantine or p=reject; receivers ignore it as it is"
            ),
        )
    applies = f"policy {policy.lower()}" + (" (the organizational domain's)" if fallback else "")
    if policy.lower() == "none":
        return Finding(
            DMARC,
            Status.WARNING,
            where,
            (
                f"{applies}: monitoring only. It meets Gmail's and Yahoo's bulk-sender rule, but "
                "spoofed mail is still delivered; move to p=quarantine once the reports show only "
                f"your own senders; {_reports(tags)}"
            ),
        )
    return Finding(DMARC, Status.OK, where, f"{applies}; {_reports(tags)}")


def dmarc_findings(lookup: Lookup, domain: str) -> list[Finding]:
    """The DMARC finding of ``domain``."""
    found, answer, fallback = _lookup(lookup, domain)
    where = answer.record
    if answer.outcome is Outcome.FAILED:
        return [Finding(DMARC, Status.NOT_CHECKED, where, answer.reason)]
    if not found:
        org = organizational_domain(domain)
        at = f"_dmarc.{domain}" + (f" nor at _dmarc.{org}" if org != domain else "")
        return [
            Finding(
                DMARC,
                Status.ERROR,
                where,
                (
                    f"no DMARC record at {at}: Gmail and Yahoo require one from bulk senders, "
                    f"Outlook.com too. Publish TXT _dmarc.{org} 'v=DMARC1; p=none; "
                    f"rua=mailto:dmarc-reports@{org}', then tighten p once the reports are clean"
                ),
            )
        ]
    if len(found) > 1:
        return [
            Finding(
                DMARC,
                Status.ERROR,
                where,
                (
                    f"{len(found)} DMARC records: receivers then apply none (RFC 7489 §6.6.3); "
                    "keep exactly one"
                ),
            )
        ]
    return [_judge(found[0], where, fallback)]
