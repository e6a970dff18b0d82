"""The provider's validation and the emulator's rules, fed the same inputs.

They are written apart (the emulator from lemlist's contract, /work/shared/lemlist-api.md; the
provider in ``lemlist_resource``), so each checks the other. Agreed cases are asserted equal;
every known difference is asserted explicitly, with the contract's words saying who follows
lemlist. A new difference fails here until it is fixed on one side or listed below.
"""

from __future__ import annotations

from typing import Any

import pytest

from lemlist_emulator import rules
from lemlist_resource.rules.validation import validate

from .helpers import mailbox

AGREED_HOSTS = {
    # host: refused by both (True) or accepted by both (False)
    "smtp.acme-mail.com": False,
    "SMTP.ACME-MAIL.COM.": False,
    " smtp.acme-mail.com ": False,
    "8.8.8.8": False,
    "2606:4700:4700::1111": False,
    "::ffff:8.8.8.8": False,
    "gmail.com.example.net": False,
    "": True,
    "127.0.0.1": True,
    "127.1": True,
    "2130706433": True,
    "0x7f000001": True,
    "0177.0.0.1": True,
    "0.0.0.0": True,
    "10.1.2.3": True,
    "172.16.0.1": True,
    "192.168.1.1": True,
    "100.64.0.1": True,  # carrier-grade NAT
    "169.254.169.254": True,  # cloud metadata
    "224.0.0.1": True,
    "255.255.255.255": True,
    "192.0.2.1": True,
    "::1": True,
    "[::1]": True,
    "::ffff:127.0.0.1": True,
    "::ffff:10.0.0.1": True,
    "fe80::1": True,
    "fd00:ec2::254": True,  # AWS metadata over IPv6
    "localhost": True,
    "mail.localhost": True,
    "metadata.google.internal": True,
    "smtp.gmail.com": True,  # "Gmail SMTP/IMAP is refused: Gmail must be connected with OAuth"
    "imap.gmail.com": True,
    "smtp.googlemail.com": True,
    "smtp.acme.com:587": True,
    "smtp_acme.com": True,
    "a..com": True,
    "-smtp.acme.com": True,
    "exämple.com": True,
    # Once only the emulator refused these (issue 10): NAT64 / 6to4 / IPv4-compatible forms of
    # private addresses, names that resolve only privately, an empty label.
    "64:ff9b::7f00:1": True,
    "2002:7f00:1::": True,
    "2002:a00:1::": True,
    "::127.0.0.1": True,
    "smtp.corp.internal": True,
    "printer.local": True,
    "smtp.acme.com..": True,
}

# Hosts the emulator refuses and the provider (today) lets through. The contract: lemlist checks
# hosts with "SSRF checks (private, loopback, link-local and metadata addresses)". Each of these
# reaches such an address, so lemlist answers 400 Invalid host and the emulator follows it; the
# provider would pass them at preview and fail at `pulumi up`.
# Hosts the emulator refuses and the provider lets through: none any more. The provider's
# explicit networks decode NAT64, 6to4 and IPv4-compatible forms and refuse .internal / .local
# names (issue 10), so every case above is agreed.


def provider_refuses_host(host: str) -> bool:
    _, failures = validate(mailbox(smtp_host=host))
    return any(failure.field == "smtp_host" for failure in failures)


def emulator_refusal(fields: Any) -> str | None:
    try:
        rules.validate_fields(fields)
    except rules.Refusal as exc:
        return exc.message
    return None


@pytest.mark.parametrize(("host", "refused"), sorted(AGREED_HOSTS.items()))
def test_hosts_both_sides_agree_on(host: str, refused: bool) -> None:
    assert provider_refuses_host(host) is refused
    assert rules.host_refused(host) is refused


def api_body(props: dict[str, Any]) -> dict[str, Any]:
    """What the provider sends for inputs it accepted (its normalized values)."""
    normalized, failures = validate(props)
    assert failures == []
    body = {k: v for k, v in normalized.items() if k not in ("user_id", "verify_connection")}
    if normalized.get("user_id"):
        body["userId"] = normalized["user_id"]
    return body


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"smtp_port": 465, "smtp_secure": True},
        {"smtp_secure": ...},  # optional, default false on both sides
        {"smtp_port": 587.0},  # Pulumi sends numbers as doubles; the provider sends an int
        {"imap_port": "993"},  # stack configuration is text; the provider sends an int
        {"imap_secure": "true"},
        {"user_id": "usr_member"},
    ],
)
def test_what_the_provider_accepts_and_sends_the_emulator_accepts(
    overrides: dict[str, Any],
) -> None:
    assert emulator_refusal(api_body(mailbox(**overrides))) is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"sender_email": ...},
        {"smtp_host": ...},
        {"smtp_password": ""},
        {"imap_port": 0},
        {"imap_port": 70000},
        {"smtp_port": True},
        {"smtp_secure": "yes"},
    ],
)
def test_both_refuse(overrides: dict[str, Any]) -> None:
    _, failures = validate(mailbox(**overrides))
    assert failures
    assert emulator_refusal(mailbox(**overrides)) == "Missing required fields"


@pytest.mark.parametrize(
    "overrides",
    [
        # The contract types sender_email as "string (email)" but documents no refusal for a
        # malformed one; the provider refuses it at preview on purpose (a typo found before
        # any API call). The emulator accepts what the contract does not say lemlist refuses.
        {"sender_email": "not-an-address"},
        # Whitespace-only text is a non-empty JSON string: lemlist's "Missing required fields"
        # is about absent or empty fields; the provider trims and refuses it as empty.
        {"sender_name": "   "},
    ],
)
def test_provider_stricter_than_the_contract(overrides: dict[str, Any]) -> None:
    _, failures = validate(mailbox(**overrides))
    assert failures
    assert emulator_refusal(mailbox(**overrides)) is None
