"""The DKIM check: the inventory names a selector (selectors cannot be discovered from
DNS); its record ``<selector>._domainkey.<domain>`` exists and holds a public key."""

from __future__ import annotations

import base64
import binascii

from ..echo import shown
from .dmarc import parse_tags
from .findings import Finding, Status
from .lookup import Lookup, Outcome

DKIM = "DKIM"
HOW_TO_NAME = (
    "name it in the stack file: `dkim_selector: <selector>` under the sender, or "
    "`lemlist-senders:dkim: {<domain>: <selector>}` (your mail provider's DKIM settings "
    "show it, e.g. 'selector1' for Microsoft 365, 'google' for Google Workspace)"
)


def _key_problem(record: str) -> str | None:
    """Why a DKIM record holds no usable key, or None."""
    tags = parse_tags(record)
    if "v" in tags and tags["v"] != "DKIM1":
        return "its v= tag must be DKIM1"
    key = tags.get("p")
    if key is None:
        return "it has no p= tag (the public key)"
    if not key:
        return "its key is empty (p=): the key was revoked, so every signature fails"
    try:
        base64.b64decode("".join(key.split()), validate=True)
    except (binascii.Error, ValueError):
        return "its p= tag is not a base64 key"
    return None


def _selector(lookup: Lookup, domain: str, selector: str, keys: tuple[str, ...]) -> Finding:
    answer = lookup.query(f"{selector}._domainkey.{domain}", "TXT")
    where = answer.record
    if answer.outcome is Outcome.FAILED:
        return Finding(DKIM, Status.NOT_CHECKED, where, answer.reason, keys)
    records = [r for r in answer.records if "p=" in r.replace(" ", "")]
    if not records:
        return Finding(
            DKIM,
            Status.ERROR,
            where,
            (
                f"no DKIM key for selector {shown(selector)}: publish the record your mail "
                f"provider gives you at {selector}._domainkey.{domain} (TXT or CNAME), and turn "
                "signing on; or fix the selector in the stack file"
            ),
            keys,
        )
    problems = [p for p in map(_key_problem, records) if p]
    if len(records) > 1 or problems:
        reason = problems[0] if problems else f"{len(records)} records answer for one selector"
        return Finding(
            DKIM,
            Status.ERROR,
            where,
            (
                f"selector {shown(selector)} has no usable key: {reason}; publish the key your "
                "mail provider shows"
            ),
            keys,
        )
    return Finding(DKIM, Status.OK, where, f"selector {shown(selector)} publishes a key", keys)


def dkim_findings(
    lookup: Lookup, domain: str, selectors: dict[str, tuple[str, ...]], unnamed: tuple[str, ...]
) -> list[Finding]:
    """DKIM findings: ``selectors`` maps each selector to its senders; ``unnamed`` are the
    senders for which the inventory names none."""
    findings = [_selector(lookup, domain, s, keys) for s, keys in sorted(selectors.items())]
    if unnamed:
        findings.append(
            Finding(
                DKIM,
                Status.CANNOT_TELL,
                f"<selector>._domainkey.{domain} TXT",
                (
                    f"cannot tell: no DKIM selector for {domain}, and selectors cannot be "
                    f"discovered; {HOW_TO_NAME}"
                ),
                unnamed,
            )
        )
    return findings
