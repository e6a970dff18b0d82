"""The lemlist sender policies: validators for ``EmailAccount`` resources, and the policy list.

Importing this module has no side effect: only ``__main__.py`` (run by Pulumi) builds the
``PolicyPack``, which starts the policy gRPC server. Tests call the validators directly.

How Pulumi presents a resource to a validator (pulumi_policy/policy.py, ``Analyze``):
``args.props`` are the resource's inputs, deserialized from protobuf, so numbers are floats
(``587.0``) and secrets arrive as plain values (never print one: messages name the sender,
hosts, ports and logins only); values not known during preview are sentinel strings behind a
proxy that raises ``UnknownValueError`` when read. Every validator here reads through
:func:`known`, and a value not known yet skips its check: it is never flagged.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any, Final

import pulumi
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from lemlist_resource.relays import SOURCE as RELAYS_SOURCE
from lemlist_resource.relays import unsupported_relay
from lemlist_resource.schema import DEFAULTS
from lemlist_resource.validation import normalize_port

#: The type token of ``lemlist_resource.EmailAccount`` (a dynamic resource registered with
#: ``module="lemlist", name="EmailAccount"``; pulumi/dynamic/dynamic.py builds the token).
RESOURCE_TYPE: Final = "pulumi-python:dynamic/lemlist:EmailAccount"

#: Stands for a value Pulumi does not know during preview.
UNKNOWN: Final = object()

#: Config defaults: the policies' config schemas and the validators both read these.
DEFAULT_PROD_PATTERN: Final = "prod*"
DEFAULT_DEV_PATTERN: Final = "dev*"

SMTP_TLS_PORT, SMTP_STARTTLS_PORT, SMTP_PLAIN_PORT = 465, 587, 25
IMAP_TLS_PORT, IMAP_PLAIN_PORT = 993, 143
_FIX_SMTP = (
    f"use port {SMTP_TLS_PORT} with smtp_secure: true (TLS on connect), or port "
    f"{SMTP_STARTTLS_PORT} with smtp_secure: false (STARTTLS)"
)
_FIX_IMAP = f"use port {IMAP_TLS_PORT} with imap_secure: true (TLS on connect)"


def known(props: Mapping[str, Any], name: str) -> Any:
    """``props[name]``; None when absent, :data:`UNKNOWN` when not known during preview."""
    try:
        return props.get(name)
    except UnknownValueError:
        return UNKNOWN


def _flag(value: Any, name: str) -> bool | None:
    """A boolean input, its schema default when absent; None when unknown or not a bool."""
    if value is None:
        default = DEFAULTS[name]
        assert isinstance(default, bool)
        return default
    return value if isinstance(value, bool) else None


def _port(value: Any) -> int | None:
    """A port as an int (Pulumi sends numbers as floats); None when unknown or invalid."""
    if value is UNKNOWN:
        return None
    port, _ = normalize_port(value)
    return port


def _sender(props: Mapping[str, Any], name: str) -> str:
    """How messages name the sender: its address when known, else the resource name."""
    email = known(props, "sender_email")
    return f"sender '{email}'" if isinstance(email, str) else f"EmailAccount '{name}'"


def _domain(address: str) -> str | None:
    """The domain of ``name@domain``, lower case; None for a login that is not an address."""
    _, at, domain = address.strip().rpartition("@")
    return domain.lower().rstrip(".") if at and domain else None


def _strings(config: Mapping[str, Any], key: str) -> list[str]:
    """A config list of names, lower case (the engine validated it against the schema)."""
    value = config.get(key) or []
    return [str(v).strip().lower() for v in value if str(v).strip()]


def _stack_matches(config: Mapping[str, Any], key: str, default: str) -> tuple[str, str, bool]:
    """The current stack, the configured pattern and whether the stack matches it.

    The stack name comes from ``pulumi.get_stack()``: pulumi_policy configures the Pulumi
    runtime from the ``PULUMI_STACK`` variable the engine sets for the policy process.
    """
    pattern = str(config.get(key) or default)
    stack = pulumi.get_stack()
    return stack, pattern, fnmatch.fnmatchcase(stack, pattern)


# --- transport security ---------------------------------------------------------------


def smtp_transport_problem(port: int, secure: bool) -> str | None:
    """Why this SMTP setting does not send over TLS, or None when it does.

    lemlist's ``smtp_secure`` means TLS on connect (implicit TLS, port 465); with
    ``smtp_secure: false`` on port 587 the client upgrades with STARTTLS.
    """
    if port == SMTP_PLAIN_PORT:
        return f"smtp_port {port} is plain SMTP (server-to-server relay): {_FIX_SMTP}"
    if port == SMTP_TLS_PORT and not secure:
        return (
            f"smtp_port {port} expects TLS on connect but smtp_secure is false: "
            "set smtp_secure: true"
        )
    if port == SMTP_STARTTLS_PORT and secure:
        return (
            f"smtp_port {port} speaks STARTTLS, so TLS on connect (smtp_secure: true) cannot "
            f"work there: set smtp_secure: false (STARTTLS still encrypts), or use port "
            f"{SMTP_TLS_PORT}"
        )
    if port != SMTP_STARTTLS_PORT and not secure:
        return f"smtp_port {port} with smtp_secure: false is not a known TLS setup: {_FIX_SMTP}"
    return None


def imap_transport_problem(port: int, secure: bool) -> str | None:
    """Why this IMAP setting does not read over TLS, or None when it does."""
    if port == IMAP_PLAIN_PORT:
        return f"imap_port {port} is plain IMAP: {_FIX_IMAP}"
    if not secure:
        return f"imap_secure is false on imap_port {port}, so IMAP is not over TLS: {_FIX_IMAP}"
    return None


def transport_security(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """SMTP over TLS (465 + smtp_secure, or STARTTLS on 587) and IMAP over TLS (993)."""
    if args.resource_type != RESOURCE_TYPE:
        return
    props = args.props
    who = _sender(props, args.name)
    for side, check in (("smtp", smtp_transport_problem), ("imap", imap_transport_problem)):
        port = _port(known(props, f"{side}_port"))
        secure = _flag(known(props, f"{side}_secure"), f"{side}_secure")
        if port is None or secure is None:
            continue  # unknown during preview, or refused by the provider's check anyway
        problem = check(port, secure)
        if problem:
            report(f"{who}: {problem}.", None)


# --- unsupported relays ---------------------------------------------------------------


def unsupported_relays(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """SMTP relays lemlist documents as unsupported for sender mailboxes."""
    if args.resource_type != RESOURCE_TYPE:
        return
    host = known(args.props, "smtp_host")
    if not isinstance(host, str):
        return
    provider = unsupported_relay(host)
    if provider:
        report(
            f"{_sender(args.props, args.name)}: smtp_host '{host}' is {provider}, an SMTP relay "
            "lemlist does not support for sender mailboxes (a transactional service has no "
            "inbox for lemlist to track replies): connect the mailbox's own SMTP server "
            f"instead. Source: {RELAYS_SOURCE}",
            None,
        )


# --- sender domains -------------------------------------------------------------------


def sender_domains(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Senders on allowed domains (``allowedDomains``), logins on the sender's own domain
    unless that login domain is allowed (``allowedLoginDomains``)."""
    if args.resource_type != RESOURCE_TYPE:
        return
    config = args.get_config()
    email = known(args.props, "sender_email")
    domain = _domain(email) if isinstance(email, str) else None
    if domain is None:
        return
    allowed = _strings(config, "allowedDomains")
    if allowed and domain not in allowed:
        report(
            f"sender '{email}': its domain '{domain}' is not an allowed sender domain "
            f"({', '.join(allowed)}): use an address on an allowed domain, or add '{domain}' "
            "to allowedDomains in the policy configuration.",
            None,
        )
    allowed_logins = _strings(config, "allowedLoginDomains")
    for field in ("smtp_login", "imap_login"):
        login = known(args.props, field)
        login_domain = _domain(login) if isinstance(login, str) else None
        if login_domain is None or login_domain == domain or login_domain in allowed_logins:
            continue
        report(
            f"sender '{email}': {field} '{login}' is on domain '{login_domain}', not the "
            f"sender's domain '{domain}': log in as the sender's own mailbox, or add "
            f"'{login_domain}' to allowedLoginDomains in the policy configuration.",
            None,
        )


# --- production protection ------------------------------------------------------------


def production_protection(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """On stacks matching ``stackPattern`` (default ``prod*``) every EmailAccount is protected."""
    if args.resource_type != RESOURCE_TYPE:
        return
    stack, pattern, matches = _stack_matches(
        args.get_config(), "stackPattern", DEFAULT_PROD_PATTERN
    )
    if matches and not args.opts.protect:
        report(
            f"{_sender(args.props, args.name)} is not protected on stack '{stack}' (matches "
            f"'{pattern}'): deleting or replacing it disconnects the mailbox from its "
            "campaigns and pauses its warm-up. Protect it: `protect: true` in the sender "
            "inventory, or ResourceOptions(protect=True).",
            None,
        )


# --- verify_connection outside dev ----------------------------------------------------


def verify_connection_outside_dev(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """``verify_connection`` stays on, except on stacks matching ``devStackPattern``."""
    if args.resource_type != RESOURCE_TYPE:
        return
    stack, pattern, is_dev = _stack_matches(
        args.get_config(), "devStackPattern", DEFAULT_DEV_PATTERN
    )
    if is_dev:
        return
    verify = known(args.props, "verify_connection")
    if verify is False:
        report(
            f"{_sender(args.props, args.name)}: verify_connection is false on stack '{stack}' "
            f"(only stacks matching '{pattern}' may turn it off): without it a wrong password "
            "or host is found by a failing campaign instead of a failing update. Remove "
            "verify_connection: false (it defaults to true).",
            None,
        )


# --- one mailbox per address (stack) --------------------------------------------------


def one_mailbox_per_address(args: StackValidationArgs, report: ReportViolation) -> None:
    """At most one EmailAccount per sender address across the stack."""
    by_address: dict[str, list[PolicyResource]] = {}
    for resource in args.resources:
        if resource.resource_type != RESOURCE_TYPE:
            continue
        email = known(resource.props, "sender_email")
        if isinstance(email, str) and email.strip():
            by_address.setdefault(email.strip().lower(), []).append(resource)
    for address, resources in sorted(by_address.items()):
        if len(resources) < 2:
            continue
        names = ", ".join(sorted(r.name for r in resources))
        for resource in resources:
            report(
                f"sender '{address}' is declared by {len(resources)} EmailAccounts ({names}): "
                "lemlist connects one mailbox per address and refuses the second ('This SMTP "
                "mailbox already exists'). Keep one of them and remove the others.",
                resource.urn,
            )


# --- the policies ---------------------------------------------------------------------

_STRING_LIST: Final = {"type": "array", "items": {"type": "string"}, "default": []}


def policies() -> list[Policy]:
    """Every policy of the pack with its default enforcement level and config schema."""
    mandatory, advisory = EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY
    return [
        ResourceValidationPolicy(
            name="lemlist-transport-tls",
            description=(
                "lemlist mailboxes send and read over TLS: SMTP on 465 with smtp_secure or "
                "STARTTLS on 587, IMAP on 993 with imap_secure."
            ),
            validate=transport_security,
            enforcement_level=mandatory,
        ),
        ResourceValidationPolicy(
            name="lemlist-unsupported-relay",
            description="lemlist does not support transactional SMTP relays as sender mailboxes.",
            validate=unsupported_relays,
            enforcement_level=advisory,
        ),
        ResourceValidationPolicy(
            name="lemlist-sender-domains",
            description=(
                "Senders use allowed domains, and log in as a mailbox on their own domain."
            ),
            validate=sender_domains,
            enforcement_level=mandatory,
            config_schema=PolicyConfigSchema(
                {
                    "allowedDomains": dict(_STRING_LIST),
                    "allowedLoginDomains": dict(_STRING_LIST),
                }
            ),
        ),
        ResourceValidationPolicy(
            name="lemlist-production-protect",
            description="Sender mailboxes on production stacks are protected from deletion.",
            validate=production_protection,
            enforcement_level=mandatory,
            config_schema=PolicyConfigSchema(
                {"stackPattern": {"type": "string", "default": DEFAULT_PROD_PATTERN}}
            ),
        ),
        ResourceValidationPolicy(
            name="lemlist-verify-connection",
            description="Outside dev stacks, a mailbox is tested right after it is connected.",
            validate=verify_connection_outside_dev,
            enforcement_level=mandatory,
            config_schema=PolicyConfigSchema(
                {"devStackPattern": {"type": "string", "default": DEFAULT_DEV_PATTERN}}
            ),
        ),
        StackValidationPolicy(
            name="lemlist-one-mailbox-per-address",
            description="A sender address is connected by one EmailAccount per stack.",
            validate=one_mailbox_per_address,
            enforcement_level=mandatory,
        ),
    ]
