"""Mail providers whose SMTP, IMAP and MX hosts are known, so a check can judge them.

For any other host the checks say "cannot tell" rather than guess. Sources (each
provider's own setup page for custom domains):

* Microsoft 365: https://learn.microsoft.com/en-us/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider
  (MX ``<domain>.mail.protection.outlook.com``, SPF ``include:spf.protection.outlook.com``);
* Google Workspace: https://support.google.com/a/answer/10685031 (SPF
  ``include:_spf.google.com``) and https://support.google.com/a/answer/174125 (MX);
* Zoho Mail: https://www.zoho.com/mail/help/adminconsole/spf-configuration.html
  (SPF ``include:zohomail.com``, MX ``mx.zoho.com``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    """A provider's host names (matched by suffix) and the SPF domain it sends from."""

    name: str
    smtp_hosts: tuple[str, ...]
    imap_hosts: tuple[str, ...]
    mx_hosts: tuple[str, ...]
    spf_include: str


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "Microsoft 365",
        ("smtp.office365.com",),
        ("outlook.office365.com", "outlook.office.com"),
        ("mail.protection.outlook.com",),
        "spf.protection.outlook.com",
    ),
    Provider(
        "Google Workspace",
        ("smtp.gmail.com", "smtp-relay.gmail.com"),
        ("imap.gmail.com",),
        ("google.com", "googlemail.com"),
        "_spf.google.com",
    ),
    Provider(
        "Zoho Mail",
        ("smtp.zoho.com", "smtppro.zoho.com"),
        ("imap.zoho.com", "imappro.zoho.com"),
        ("zoho.com",),
        "zohomail.com",
    ),
)


def under(host: str, suffix: str) -> bool:
    """Whether ``host`` is ``suffix`` or a name below it (case-insensitive)."""
    host, suffix = host.lower().rstrip("."), suffix.lower().rstrip(".")
    return host == suffix or host.endswith("." + suffix)


def by_smtp_host(host: str) -> Provider | None:
    """The provider whose SMTP server ``host`` is."""
    return next((p for p in PROVIDERS if any(under(host, h) for h in p.smtp_hosts)), None)


def by_imap_host(host: str) -> Provider | None:
    """The provider whose IMAP server ``host`` is."""
    return next((p for p in PROVIDERS if any(under(host, h) for h in p.imap_hosts)), None)


def by_mx_host(host: str) -> Provider | None:
    """The provider whose inbound server ``host`` is."""
    return next((p for p in PROVIDERS if any(under(host, h) for h in p.mx_hosts)), None)
