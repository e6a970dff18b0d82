"""The Warmup resource: lemwarm (lemlist's warm-up) of one mailbox, and its args type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi import Input, Output, ResourceOptions
from pulumi.dynamic import Resource

from .health import HEALTH_OUTPUTS
from .provider import WarmupProvider
from .rules import FIELD_NAMES


@dataclass(kw_only=True)
class WarmupArgs:
    """lemwarm of one lemlist mailbox. Every field accepts a Pulumi ``Input``.

    A setting left unset is not managed: lemlist keeps its value. Changing a setting or
    ``enabled`` updates in place (no disconnect); another ``mailbox_id`` or ``team`` replaces
    the warm-up. Ranges (lemlist's): ``warm_email_max`` and ``warm_email_rampup`` 1-40,
    ``internal_communication_percent`` and ``answer_percentage`` 0-100.
    """

    #: The mailbox to warm up: an ``EmailAccount``'s id, or any lemlist mailbox id (usm_…).
    mailbox_id: Input[str]
    #: Start (true, the default) or pause lemwarm.
    enabled: Input[bool] | None = field(default=None)
    warm_email_max: Input[int] | None = field(default=None)
    warm_email_rampup: Input[int] | None = field(default=None)
    internal_communication_percent: Input[int] | None = field(default=None)
    answer_percentage: Input[int] | None = field(default=None)
    plain_text: Input[bool] | None = field(default=None)
    daily_variance: Input[bool] | None = field(default=None)
    #: The lemlist team (a name under ``lemlist:teams``) that owns the mailbox; unset: the
    #: default team. Use the mailbox's own ``team``.
    team: Input[str] | None = field(default=None)


class Warmup(Resource, module="lemlist", name="Warmup"):
    """lemwarm of a lemlist mailbox; its id is the mailbox id. Destroying it pauses the
    warm-up, and lemlist keeps the settings."""

    mailbox_id: Output[str]
    team: Output[str | None]
    enabled: Output[bool]
    warm_email_max: Output[int | None]
    warm_email_rampup: Output[int | None]
    internal_communication_percent: Output[int | None]
    answer_percentage: Output[int | None]
    plain_text: Output[bool | None]
    daily_variance: Output[bool | None]
    #: lemwarm's deliverability score (0-100), as of the last ``pulumi refresh``; read-only.
    deliverability_score: Output[int | None]
    #: When lemwarm last checked deliverability (ISO 8601), as of the last refresh.
    deliverability_checked_at: Output[str | None]
    #: Since when lemwarm has been active (ISO 8601, lemlist's ``activeAt``).
    active_since: Output[str | None]

    def __init__(
        self, resource_name: str, args: WarmupArgs, opts: ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {name: getattr(args, name) for name in FIELD_NAMES}
        props.update(dict.fromkeys(HEALTH_OUTPUTS))  # read-only: set by refresh
        super().__init__(WarmupProvider(), resource_name, props, opts)
