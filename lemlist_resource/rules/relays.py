"""SMTP relays lemlist does not support for custom mailboxes: the one list, and its matcher.

Source: lemlist's help article "Connect my email provider to lemlist"
(https://intercom.help/lemlist-/en/articles/4536030-connect-my-email-provider-to-lemlist),
section "Unsupported providers": SendGrid, Mailgun, Sendinblue (now Brevo), Mailjet,
O2switch, Amazon SES, Postmark, Cloudmark, HostGator. lemlist's reason: these are
transactional sending services, not mailboxes, and lemlist needs a real inbox to track
replies. The article names providers, not hosts: the host names below are each provider's
documented SMTP endpoints (or its servers' domain), matched by domain suffix.

Used by the policy pack (``policy/``) and the inventory lint. Standard library only, so
both import it without loading Pulumi.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SOURCE", "UNSUPPORTED_RELAYS", "Relay", "unsupported_relay"]

SOURCE = "https://intercom.help/lemlist-/en/articles/4536030-connect-my-email-provider-to-lemlist"


@dataclass(frozen=True)
class Relay:
    """One unsupported provider: its name and the hosts that identify it."""

    name: str
    #: Host names equal to, or ending in ``.`` + one of, these domains.
    domains: tuple[str, ...] = ()
    #: Host names matching this pattern (for providers whose hosts share a generic domain).
    pattern: re.Pattern[str] | None = None

    def matches(self, host: str) -> bool:
        """Whether ``host`` (lower case, no trailing dot) is one of this provider's hosts."""
        if any(host == d or host.endswith("." + d) for d in self.domains):
            return True
        return self.pattern is not None and self.pattern.fullmatch(host) is not None


UNSUPPORTED_RELAYS: tuple[Relay, ...] = (
    Relay("SendGrid", ("sendgrid.net",)),  # smtp.sendgrid.net
    Relay("Mailgun", ("mailgun.org",)),  # smtp.mailgun.org, smtp.eu.mailgun.org
    # smtp-relay.brevo.com, smtp-relay.sendinblue.com (Sendinblue renamed itself Brevo)
    Relay("Sendinblue (Brevo)", ("sendinblue.com", "brevo.com")),
    Relay("Mailjet", ("mailjet.com",)),  # in-v3.mailjet.com, in.mailjet.com
    Relay("O2switch", ("o2switch.net",)),  # the shared servers' host names
    # email-smtp.<region>.amazonaws.com (and the -fips endpoints); not all of amazonaws.com
    Relay("Amazon SES", pattern=re.compile(r"email-smtp(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com")),
    Relay("Postmark", ("postmarkapp.com",)),  # smtp.postmarkapp.com, smtp-broadcasts.…
    Relay("Cloudmark", ("cloudmark.com",)),
    Relay("HostGator", ("hostgator.com",)),  # gatorNNNN.hostgator.com
)


def unsupported_relay(host: str) -> str | None:
    """The provider name when ``host`` belongs to an SMTP relay lemlist does not support."""
    name = host.strip().lower().rstrip(".")
    for relay in UNSUPPORTED_RELAYS:
        if relay.matches(name):
            return relay.name
    return None
