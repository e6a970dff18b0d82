"""The OAuth-only providers policy: Gmail and Microsoft 365 / Outlook hosts.

lemlist connects those mailboxes only through the provider's OAuth (Gmail's hosts it refuses;
Microsoft 365 / Outlook cannot pass its test with a password since Exchange Online ended Basic
auth). The rule and its sentence are the provider's own
(:func:`lemlist_resource.rules.validation.oauth_host_problem`, which ``check`` and the lint apply),
so the pack, ``pulumi preview`` and the lint refuse the same hosts with the same advice.
"""

from __future__ import annotations

from typing import Final

import lemlist_inputs as inputs
from pulumi_policy import ReportViolation, ResourceValidationArgs

from lemlist_resource.rules.validation import oauth_host_problem

#: The type token of ``lemlist_resource.EmailAccount`` (as in lemlist_policies).
RESOURCE_TYPE: Final = "pulumi-python:dynamic/lemlist:EmailAccount"


def oauth_only_hosts(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """SMTP and IMAP hosts of providers lemlist connects only through OAuth."""
    if args.resource_type != RESOURCE_TYPE:
        return
    who = inputs.sender(args.props, args.name)
    for field in ("smtp_host", "imap_host"):
        host = inputs.known(args.props, field)
        problem = oauth_host_problem(host) if isinstance(host, str) else None
        if problem:
            report(f"{who}: {field} {problem}.", None)
