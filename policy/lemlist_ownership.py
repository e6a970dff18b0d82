"""One mailbox, one owner, across a stack: one EmailAccount per address and team, and no two
EmailAccounts adopting the same lemlist mailbox (``adopt_id``).

A stack policy, because only the stack's view holds every resource at once: the provider's
``check`` sees one resource at a time, without its name (pulumi/dynamic/__main__.py
``Check`` passes only olds and news), so it cannot tell a second owner from the same
resource checked twice (the engine checks a replacement again). The rule's words and the
id comparison (no prefix assumed) are :mod:`lemlist_resource.email_account.adoption`'s, as in
the lint.
"""

from __future__ import annotations

import lemlist_inputs as inputs
from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs

from lemlist_resource.echo import shown
from lemlist_resource.email_account.adoption import adopted_mailbox, shared_mailbox_reason

#: The type token of ``lemlist_resource.EmailAccount`` (as in lemlist_policies).
RESOURCE_TYPE = "pulumi-python:dynamic/lemlist:EmailAccount"


def one_owner_per_mailbox(args: StackValidationArgs, report: ReportViolation) -> None:
    """Report every EmailAccount whose ``adopt_id`` another EmailAccount adopts too."""
    owners: dict[str, list[PolicyResource]] = {}
    for resource in args.resources:
        if resource.resource_type != RESOURCE_TYPE:
            continue
        mailbox = adopted_mailbox(inputs.known(resource.props, "adopt_id"))
        if mailbox is not None:
            owners.setdefault(mailbox, []).append(resource)
    for mailbox, resources in sorted(owners.items()):
        if len(resources) < 2:
            continue
        names = [shown(r.name) for r in sorted(resources, key=lambda r: r.name)]
        for resource in resources:
            report(f"adopt_id {shown(mailbox)} {shared_mailbox_reason(names)}", resource.urn)


def one_mailbox_per_address(args: StackValidationArgs, report: ReportViolation) -> None:
    """At most one EmailAccount per sender address and lemlist team across the stack.

    A mailbox lives in a team (its ``team`` input; unset: the default team), and lemlist
    refuses an address twice within one team; in two teams it is two mailboxes.
    """
    by_mailbox: dict[tuple[str, str], list[PolicyResource]] = {}
    for resource in args.resources:
        if resource.resource_type != RESOURCE_TYPE:
            continue
        email, team = (
            inputs.known(resource.props, "sender_email"),
            inputs.known(resource.props, "team"),
        )
        if isinstance(email, str) and email.strip() and (team is None or isinstance(team, str)):
            key = (team or "", email.strip().lower())
            by_mailbox.setdefault(key, []).append(resource)
    for (team, address), resources in sorted(by_mailbox.items()):
        if len(resources) < 2:
            continue
        names = ", ".join(sorted(r.name for r in resources))
        where = f"team {shown(team)}" if team else "the default team"
        for resource in resources:
            report(
                f"sender {shown(address)} is declared by {len(resources)} EmailAccounts in {where} "
                f"({names}): lemlist connects one mailbox per address and refuses the second "
                "('This SMTP mailbox already exists'). Keep one of them and remove the others.",
                resource.urn,
            )
