"""The DKIM check: the inventory names a selector (selectors cannot be discovered from
DNS); its record ``<selector>._domainkey.<domain>`` holds a public key that receivers accept.

dkimpy reads the key record as a verifier does (``dkim.evaluate_pk``: tags, version, key
type, the RSA key itself and its size); RFC 8301 §3.2 judges the size: under 1024 bits
verifiers must not accept the signatures (error), 1024 is the least signers may use where
2048 is asked for (warning). The record comes from the run's Lookup; dkimpy is handed its
text and makes no query of its own.
"""

from __future__ import annotations

import dkim as dkimpy
from dkim.util import InvalidTagValueList, parse_tag_value

from ..echo import plain, shown
from .findings import Finding, Status
from .lookup import Lookup, Outcome

DKIM = "DKIM"
#: RFC 8301 §3.2: verifiers MUST NOT accept RSA keys under this many bits ...
MIN_BITS = 1024
#: ... and signers SHOULD use keys of at least this many.
ADVISED_BITS = 2048
HOW_TO_NAME = (
    "name it in the stack file: `dkim_selector: <selector>` under the sender, or "
    "`lemlist-senders:dkim: {<domain>: <selector>}` (your mail provider's DKIM settings "
    "show it, e.g. 'selector1' for Microsoft 365, 'google' for Google Workspace)"
)
_PUBLISH = "publish the 2048-bit key your mail provider generates and sign with it"


def _key(name: str, record: str) -> tuple[int | None, str | None]:
    """The key's size in bits (None for a key type without one dkimpy parses), or why the
    record holds no usable key."""
    try:
        tags = parse_tag_value(record.encode("utf-8"))
    except InvalidTagValueList as exc:
        return None, f"its tags do not parse ({plain(str(exc))})"
    if tags.get(b"p", None) == b"":
        return None, (
            "its key is empty (p=): the key was revoked (RFC 6376 §3.6.1), so every signature "
            "fails"
        )
    try:
        _, bits, _, _ = dkimpy.evaluate_pk(name.encode("utf-8"), record.encode("utf-8"))
    except dkimpy.NaClNotFoundError:
        return None, None  # an Ed25519 key (RFC 8463): dkimpy needs PyNaCl to read it
    except (dkimpy.KeyFormatError, ValueError) as exc:
        return None, _format_problem(str(exc))
    return int(bits), None


def _format_problem(reason: str) -> str:
    """dkimpy's reason in a sentence (its own words when none fits; they quote the key)."""
    if reason.startswith("bad version"):
        return "its v= tag must be DKIM1"
    if reason.startswith("incomplete RSA public key"):
        return "it has no p= tag (the public key)"
    if reason.startswith("could not parse RSA public key") or "base64" in reason.lower():
        return "its p= tag is not a base64 RSA public key (RFC 6376 §3.6.1)"
    return plain(reason)


def _judge(selector: str, bits: int | None, where: str, keys: tuple[str, ...]) -> Finding:
    """The finding for a key that parses: RFC 8301 §3.2 on its size."""
    if bits is None:
        message = (
            f"selector {shown(selector)} publishes an Ed25519 key (RFC 8463), which this check "
            "does not read; not every receiver verifies Ed25519, so sign with an RSA key of "
            f"{ADVISED_BITS} bits under a second selector too"
        )
        return Finding(DKIM, Status.CANNOT_TELL, where, message, keys)
    if bits < MIN_BITS:
        message = (
            f"selector {shown(selector)} publishes a {bits}-bit RSA key: RFC 8301 §3.2 says "
            f"verifiers must not accept keys under {MIN_BITS} bits, so receivers fail these "
            f"signatures; {_PUBLISH}"
        )
        return Finding(DKIM, Status.ERROR, where, message, keys)
    if bits < ADVISED_BITS:
        message = (
            f"selector {shown(selector)} publishes a {bits}-bit RSA key: RFC 8301 §3.2 asks "
            f"signers for {ADVISED_BITS} bits, and {bits} is the least receivers still "
            f"accept; {_PUBLISH}"
        )
        return Finding(DKIM, Status.WARNING, where, message, keys)
    message = f"selector {shown(selector)} publishes a {bits}-bit RSA key"
    return Finding(DKIM, Status.OK, where, message, keys)


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
                f"no DKIM key for selector {shown(selector)}, so receivers fail its signatures "
                f"(RFC 6376 §6.1.2): publish the record your mail provider gives you at "
                f"{selector}._domainkey.{domain} (TXT or CNAME), and turn signing on; or fix "
                "the selector in the stack file"
            ),
            keys,
        )
    bits, problem = _key(answer.name, records[0])
    if len(records) > 1 or problem:
        reason = problem or (
            f"{len(records)} records answer for one selector, and then the result is undefined "
            "(RFC 6376 §3.6.2.2)"
        )
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
    return _judge(selector, bits, where, keys)


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
