"""The lemlist sender policies: validators for ``EmailAccount`` resources, and the policy list.

Importing this module has no side effect: only ``__main__.py`` (run by Pulumi) builds the
``PolicyPack``, which starts the policy gRPC server. Tests call the validators directly.
Inputs are read through :mod:`lemlist_inputs`: a value not known during preview skips its
check (it is never flagged), and no message quotes a password.
"""

from __future__ import annotations

from typing import Any, Final

import lemlist_inputs as inputs
from lemlist_deliverability import deliverability_policy
from lemlist_oauth import oauth_only_hosts
from lemlist_ownership import one_mailbox_per_address, one_owner_per_mailbox
from lemlist_transport import transport_security
from lemlist_warmup import warmup_policies
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from lemlist_resource.echo import shown
from lemlist_resource.rules.relays import SOURCE as RELAYS_SOURCE
from lemlist_resource.rules.relays import unsupported_relay
from lemlist_resource.rules.release import RELEASE, parse_release

RESOURCE_TYPE: Final = inputs.RESOURCE_TYPE

#: Config defaults: the policies' config schemas and the validators both read these.
DEFAULT_PROD_PATTERN: Final = "prod*"
DEFAULT_DEV_PATTERN: Final = "dev*"

# --- unsupported relays ---------------------------------------------------------------


def unsupported_relays(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """SMTP relays lemlist documents as unsupported for sender mailboxes."""
    if args.resource_type != RESOURCE_TYPE:
        return
    host = inputs.known(args.props, "smtp_host")
    if not isinstance(host, str):
        return
    provider = unsupported_relay(host)
    if provider:
        who = inputs.sender(args.props, args.name)
        report(
            f"{who}: smtp_host {shown(host)} is {provider}, an SMTP relay lemlist does not support "
            "for sender mailboxes (a transactional service has no inbox for lemlist to track "
            "replies): connect the mailbox's own SMTP server instead. Source: "
            f"{RELAYS_SOURCE}",
            None,
        )


# --- sender domains -------------------------------------------------------------------


def sender_domains(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Senders on allowed domains (``allowedDomains``), logins on the sender's own domain
    unless that login domain is allowed (``allowedLoginDomains``)."""
    if args.resource_type != RESOURCE_TYPE:
        return
    config = args.get_config()
    email = inputs.known(args.props, "sender_email")
    domain = inputs.domain(email) if isinstance(email, str) else None
    if domain is None:
        return
    allowed = inputs.strings(config, "allowedDomains")
    if allowed and domain not in allowed:
        report(
            f"sender {shown(email)}: its domain {shown(domain)} is not an allowed sender domain "
            f"({', '.join(allowed)}): use an address on an allowed domain, or add {shown(domain)} "
            "to allowedDomains in the policy configuration.",
            None,
        )
    allowed_logins = inputs.strings(config, "allowedLoginDomains")
    for field in ("smtp_login", "imap_login"):
        login = inputs.known(args.props, field)
        login_domain = inputs.domain(login) if isinstance(login, str) else None
        if login_domain is None or login_domain == domain or login_domain in allowed_logins:
            continue
        report(
            f"sender {shown(email)}: {field} {shown(login)} is on domain "
            f"{shown(login_domain)}, not the sender's domain {shown(domain)}: log in as the "
            "sender's own mailbox, or add "
            f"{shown(login_domain)} to allowedLoginDomains in the policy configuration.",
            None,
        )


# --- production protection ------------------------------------------------------------


def production_protection(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """On stacks matching ``stackPattern`` (default ``prod*``) every EmailAccount is protected,
    but a sender the stack file releases for one reviewed change (a valid ``release``, read
    by :mod:`lemlist_resource.rules.release`'s rule, as the program and the lint read it)."""
    if args.resource_type != RESOURCE_TYPE:
        return
    stack, pattern, matches = inputs.stack_matches(
        args.get_config(), "stackPattern", DEFAULT_PROD_PATTERN
    )
    if not matches or args.opts.protect:
        return
    who = inputs.sender(args.props, args.name)
    entry = inputs.stack_sender(args.name)
    raw = entry.get(RELEASE) if entry is not None else None
    if raw is not None:
        release, problem = parse_release(raw)
        if release is not None:
            return  # released for one reviewed change, until release.until
        report(
            f"{who} is not protected on stack '{stack}' and its `{RELEASE}` {problem} "
            f"(sender '{args.name}' in the stack file; docs/gitops.md, \"Changing or removing "
            "a protected (prod) sender\").",
            None,
        )
        return
    report(
        f"{who} is not protected on stack '{stack}' (matches "
        f"'{pattern}'): deleting or replacing it disconnects the mailbox from its "
        "campaigns and pauses its warm-up. Protect it: `protect: true` in the sender "
        "inventory, or ResourceOptions(protect=True). To replace or remove it through "
        f"review, release it for that change instead: `{RELEASE}: <YYYY-MM-DD> <reason>` on "
        "the sender (docs/gitops.md, \"Changing or removing a protected (prod) sender\").",
        None,
    )


# --- verify_connection outside dev ----------------------------------------------------


def verify_connection_outside_dev(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """``verify_connection`` stays on, except on stacks matching ``devStackPattern``."""
    if args.resource_type != RESOURCE_TYPE:
        return
    stack, pattern, is_dev = inputs.stack_matches(
        args.get_config(), "devStackPattern", DEFAULT_DEV_PATTERN
    )
    if is_dev:
        return
    verify = inputs.known(args.props, "verify_connection")
    if verify is False:
        who = inputs.sender(args.props, args.name)
        report(
            f"{who}: verify_connection is false on stack '{stack}' "
            f"(only stacks matching '{pattern}' may turn it off): without it a wrong password "
            "or host is found by a failing campaign instead of a failing update. Remove "
            "verify_connection: false (it defaults to true).",
            None,
        )


# --- the policies ---------------------------------------------------------------------

_STRING_LIST: Final = {"type": "array", "items": {"type": "string"}, "default": []}
_MANDATORY, _ADVISORY = EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY

#: name, description, validator, default enforcement level, config schema properties.
_RESOURCE_POLICIES: Final[tuple[tuple[str, str, Any, EnforcementLevel, dict[str, Any]], ...]] = (
    (
        "lemlist-transport-tls",
        "lemlist mailboxes send and read over TLS: SMTP on 465 with smtp_secure or STARTTLS "
        "on 587, IMAP on 993 with imap_secure.",
        transport_security,
        _MANDATORY,
        {},
    ),
    (
        "lemlist-oauth-only-hosts",
        "Gmail and Microsoft 365 / Outlook mailboxes connect through lemlist's OAuth, never as "
        "custom SMTP/IMAP with a password.",
        oauth_only_hosts,
        _MANDATORY,
        {},
    ),
    (
        "lemlist-unsupported-relay",
        "lemlist does not support transactional SMTP relays as sender mailboxes.",
        unsupported_relays,
        _ADVISORY,
        {},
    ),
    (
        "lemlist-sender-domains",
        "Senders use allowed domains, and log in as a mailbox on their own domain.",
        sender_domains,
        _MANDATORY,
        {"allowedDomains": _STRING_LIST, "allowedLoginDomains": _STRING_LIST},
    ),
    (
        "lemlist-production-protect",
        "Sender mailboxes on production stacks are protected from deletion.",
        production_protection,
        _MANDATORY,
        {"stackPattern": {"type": "string", "default": DEFAULT_PROD_PATTERN}},
    ),
    (
        "lemlist-verify-connection",
        "Outside dev stacks, a mailbox is tested right after it is connected.",
        verify_connection_outside_dev,
        _MANDATORY,
        {"devStackPattern": {"type": "string", "default": DEFAULT_DEV_PATTERN}},
    ),
)


_STACK_POLICIES: Final = (
    ("lemlist-one-mailbox-per-address",
     "A sender address is connected by one EmailAccount per team and stack.",
     one_mailbox_per_address),
    ("lemlist-one-owner-per-mailbox",
     "A mailbox adopted with adopt_id has one EmailAccount in the stack.",
     one_owner_per_mailbox),
)  # fmt: skip


def policies() -> list[Policy]:
    """Every policy of the pack with its default enforcement level and config schema."""
    found: list[Policy] = [
        ResourceValidationPolicy(
            name=name,
            description=description,
            validate=validate,
            enforcement_level=level,
            config_schema=PolicyConfigSchema(dict(schema)) if schema else None,
        )
        for name, description, validate, level, schema in _RESOURCE_POLICIES
    ]
    found += [
        StackValidationPolicy(name=name, description=description, validate=validate,
                              enforcement_level=_MANDATORY)
        for name, description, validate in _STACK_POLICIES
    ]  # fmt: skip
    return [*found, deliverability_policy(), *warmup_policies()]
