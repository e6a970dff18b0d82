"""The ``lemlist-deliverability`` policy: the inventory's online DNS checks, per EmailAccount.

Off by default (``disabled``): DNS during every preview is a choice a team makes. It runs
:func:`lemlist_resource.deliverability.check_domain`, the rule ``lint --dns`` uses, and
reports errors and warnings; a lookup that fails (SERVFAIL, timeout) is no violation, and
"cannot tell" neither. Reports are cached per domain for the life of the policy process
(one preview). Config: ``nameservers`` (addresses, ``ADDRESS:PORT``; default the system's),
``timeoutSeconds``, ``budgetSeconds``, ``dkimSelectors`` (sender domain → selectors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import dns.resolver
import lemlist_inputs as inputs
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from lemlist_resource.deliverability import (
    DEFAULT_BUDGET,
    DEFAULT_TIMEOUT,
    Checker,
    Lookup,
    Mailbox,
    Status,
    selectors,
    sender_domain,
)
from lemlist_resource.rules.validation import email_problem

CONFIG_SCHEMA: Final[dict[str, Any]] = {
    "nameservers": {"type": "array", "items": {"type": "string"}, "default": []},
    "timeoutSeconds": {"type": "number", "default": DEFAULT_TIMEOUT},
    "budgetSeconds": {"type": "number", "default": DEFAULT_BUDGET},
    "dkimSelectors": {"type": "object", "default": {}},
}
_REPORTED: Final = (Status.ERROR, Status.WARNING)
_checkers: dict[tuple[Any, ...], Checker] = {}


def checker(config: Mapping[str, Any]) -> Checker | None:
    """The process's checker for this configuration; None when no resolver is usable."""
    servers = tuple(inputs.strings(config, "nameservers"))
    timeout = float(config.get("timeoutSeconds") or DEFAULT_TIMEOUT)
    budget = float(config.get("budgetSeconds") or DEFAULT_BUDGET)
    key = (servers, timeout, budget)
    if key not in _checkers:
        try:
            _checkers[key] = Checker(Lookup(list(servers) or None, timeout, budget))
        except (dns.resolver.NoResolverConfiguration, ValueError):
            return None
    return _checkers[key]


def _text(props: Mapping[str, Any], name: str) -> str | None:
    value = inputs.known(props, name)
    return value if isinstance(value, str) else None


def check_deliverability(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Report the sender domain's DNS errors and warnings (an EmailAccount's inputs)."""
    email = _text(args.props, "sender_email")
    # Only an address the provider's check accepts: a message never quotes a raw value.
    domain = sender_domain(email) if email and email_problem(email) is None else None
    config = args.get_config()
    found = checker(config)
    if domain is None or found is None:
        return
    table = config.get("dkimSelectors") or {}
    named = selectors(table.get(domain)) if isinstance(table, Mapping) else ()
    smtp, imap = _text(args.props, "smtp_host"), _text(args.props, "imap_host")
    result = found.domain(domain, [Mailbox(args.name, domain, smtp, imap, named)])
    for finding in result.findings:
        if finding.status in _REPORTED:
            report(
                f"sender '{email}': {finding.check} ({finding.record}): {finding.message}.",
                None,
            )


def deliverability(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """The sender domain's MX, SPF, DMARC and DKIM, as ``lint --dns`` checks them."""
    if args.resource_type == inputs.RESOURCE_TYPE:
        check_deliverability(args, report)


def deliverability_policy() -> ResourceValidationPolicy:
    """The policy, disabled by default (a stack's policy config enables it)."""
    return ResourceValidationPolicy(
        name="lemlist-deliverability",
        description="Sender domains publish MX, SPF, DMARC and DKIM (DNS lookups; off by "
        "default: enable it as advisory, docs/deliverability.md).",
        validate=deliverability,
        enforcement_level=EnforcementLevel.DISABLED,
        config_schema=PolicyConfigSchema(dict(CONFIG_SCHEMA)),
    )
