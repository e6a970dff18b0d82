"""Warm-up policies for ``Warmup`` resources (lemwarm): advisory by default.

* ``lemlist-warmup-outside-dev``: outside stacks matching ``devStackPattern``, a sender's
  warm-up stays on (``enabled: false`` is flagged).
* ``lemlist-warmup-rampup``: a ramp-up more aggressive than ``maxWarmEmails`` warm-up emails a
  day or ``maxRampup`` more each day is flagged. The defaults, 30 and 5, are the values
  lemlist's own API reference uses as its example of these settings (developer.lemlist.com,
  "Update lemwarm settings": ``warmEmailMax: 30``, ``warmEmailRampup: 5``); lemlist's hard
  limits are 40 and 40, enforced by the provider's check, not here. Tune both per stack.

Both read values through :mod:`lemlist_inputs` (unknown during preview: skipped) and judge
numbers with the provider's own rule (:func:`lemlist_resource.warmup.rules.check_setting`).
"""

from __future__ import annotations

from typing import Any, Final

import lemlist_inputs as inputs
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from lemlist_resource.warmup.rules import SETTINGS_BY_NAME, check_setting

#: The type token of ``lemlist_resource.Warmup`` (``module="lemlist", name="Warmup"``).
WARMUP_TYPE: Final = "pulumi-python:dynamic/lemlist:Warmup"
DEFAULT_DEV_PATTERN: Final = "dev*"
#: lemlist's API reference example values (see the module docstring).
DEFAULT_MAX_WARM_EMAILS: Final = 30
DEFAULT_MAX_RAMPUP: Final = 5
SOURCE: Final = (
    "lemlist's API reference example, developer.lemlist.com/api-reference/endpoints/lemwarm/"
    "update-lemwarm-settings"
)


def _who(args: ResourceValidationArgs) -> str:
    mailbox = inputs.known(args.props, "mailbox_id")
    shown = f" (mailbox {mailbox})" if isinstance(mailbox, str) else ""
    return f"Warmup '{args.name}'{shown}"


def warmup_outside_dev(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Warm-up on (``enabled`` true, its default) except on stacks matching the pattern."""
    if args.resource_type != WARMUP_TYPE:
        return
    stack, pattern, is_dev = inputs.stack_matches(
        args.get_config(), "devStackPattern", DEFAULT_DEV_PATTERN
    )
    if not is_dev and inputs.known(args.props, "enabled") is False:
        report(
            f"{_who(args)}: warm-up is off on stack '{stack}' (only stacks matching "
            f"'{pattern}' may pause it): a mailbox that is not warmed up lands in spam once "
            "campaigns start. Set enabled: true (the default).",
            None,
        )


def _number(props: Any, name: str) -> int | None:
    value = inputs.known(props, name)
    if value is None or value is inputs.UNKNOWN:
        return None
    number, problem = check_setting(SETTINGS_BY_NAME[name], value)
    return None if problem is not None else int(number)


def aggressive_rampup(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """``warm_email_max`` and ``warm_email_rampup`` within the configured ceilings."""
    if args.resource_type != WARMUP_TYPE:
        return
    config = args.get_config()
    limits = {
        "warm_email_max": int(config.get("maxWarmEmails") or DEFAULT_MAX_WARM_EMAILS),
        "warm_email_rampup": int(config.get("maxRampup") or DEFAULT_MAX_RAMPUP),
    }
    for name, limit in limits.items():
        value = _number(args.props, name)
        if value is not None and value > limit:
            report(
                f"{_who(args)}: {name} {value} is above {limit}, an aggressive ramp-up for a new "
                f"mailbox: lower it, or raise this policy's limit for a mailbox with a sending "
                f"history. Source of the default: {SOURCE}.",
                None,
            )


_ADVISORY: Final = EnforcementLevel.ADVISORY


def warmup_policies() -> list[Policy]:
    """The warm-up policies, advisory by default (a stack's policy config can raise them)."""
    return [
        ResourceValidationPolicy(
            name="lemlist-warmup-outside-dev",
            description="Outside dev stacks, every managed sender warm-up is on.",
            validate=warmup_outside_dev,
            enforcement_level=_ADVISORY,
            config_schema=PolicyConfigSchema(
                {"devStackPattern": {"type": "string", "default": DEFAULT_DEV_PATTERN}}
            ),
        ),
        ResourceValidationPolicy(
            name="lemlist-warmup-rampup",
            description="Warm-up ramps up gently: daily maximum and daily increase capped.",
            validate=aggressive_rampup,
            enforcement_level=_ADVISORY,
            config_schema=PolicyConfigSchema(
                {
                    "maxWarmEmails": {"type": "integer", "default": DEFAULT_MAX_WARM_EMAILS},
                    "maxRampup": {"type": "integer", "default": DEFAULT_MAX_RAMPUP},
                }
            ),
        ),
    ]
