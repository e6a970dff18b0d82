"""The EmailAccount resource: its args type and the resource class — nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi import Input, Output, ResourceOptions
from pulumi.dynamic import Resource

from .provider import EmailAccountProvider
from .schema import COMPUTED_OUTPUTS, FIELDS, SECRET_FIELDS


@dataclass(kw_only=True)
class EmailAccountArgs:
    """Inputs of a lemlist custom SMTP/IMAP mailbox. Every field accepts a Pulumi ``Input``.

    Changing any field but ``verify_connection`` disconnects the mailbox and connects it
    again (lemlist has no update), which unlinks it from campaigns and pauses warm-up.
    """

    sender_name: Input[str]
    sender_email: Input[str]
    smtp_host: Input[str]
    smtp_port: Input[int]
    smtp_login: Input[str]
    smtp_password: Input[str] = field(repr=False)
    imap_host: Input[str]
    imap_port: Input[int]
    imap_login: Input[str]
    imap_password: Input[str] = field(repr=False)
    smtp_secure: Input[bool] | None = field(default=None)
    imap_secure: Input[bool] | None = field(default=None)
    user_id: Input[str] | None = field(default=None)
    #: The lemlist team (a name under the ``lemlist:teams`` stack config) whose API key
    #: serves this mailbox; unset: the default team (``lemlist:apiKey``). Changing it moves
    #: the mailbox: connect in the new team first, then disconnect in the old one.
    team: Input[str] | None = field(default=None)
    #: Verify SMTP and IMAP (lemlist's test endpoint) right after connecting; on failure
    #: disconnect and fail the update.
    verify_connection: Input[bool] | None = field(default=None)
    #: Adopt a mailbox already connected in lemlist (its ``usm_…`` id) instead of connecting
    #: it again. Read only when the resource is created: setting, changing or removing it
    #: later changes nothing. lemlist cannot read settings back: the declared inputs are
    #: recorded as they are, so declare the mailbox's real settings.
    adopt_id: Input[str] | None = field(default=None)
    #: Adopt the custom mailbox lemlist lists under ``sender_email`` (its id found in lemlist's
    #: listing of the team) instead of connecting it; none or several is a refusal. Read only
    #: when the resource is created, like ``adopt_id`` (set one of the two).
    adopt: Input[bool] | None = field(default=None)


class EmailAccount(Resource, module="lemlist", name="EmailAccount"):
    """A lemlist email account (custom SMTP/IMAP sender); its id is lemlist's (``usm_…``)."""

    email: Output[str]
    provider: Output[str]
    smtp_ok: Output[bool | None]
    imap_ok: Output[bool | None]
    checked_at: Output[str | None]
    #: What lemlist's listing reports (refresh): CONNECTED, ERROR or DISCONNECTED (None: not
    #: read), the daily limit, whether warm-up runs, and what to do when not CONNECTED.
    status: Output[str | None]
    email_limit: Output[int | None]
    lemwarm_active: Output[bool | None]
    status_message: Output[str | None]
    sender_name: Output[str]
    sender_email: Output[str]
    smtp_host: Output[str]
    smtp_port: Output[int]
    smtp_login: Output[str]
    smtp_password: Output[str]
    smtp_secure: Output[bool]
    imap_host: Output[str]
    imap_port: Output[int]
    imap_login: Output[str]
    imap_password: Output[str]
    imap_secure: Output[bool]
    user_id: Output[str | None]
    team: Output[str | None]
    verify_connection: Output[bool]
    adopt_id: Output[str | None]
    adopt: Output[bool | None]

    def __init__(
        self,
        resource_name: str,
        args: EmailAccountArgs,
        opts: ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {f.name: getattr(args, f.name) for f in FIELDS}
        for name in SECRET_FIELDS:
            # Secret in state even when the caller passed a plain string.
            props[name] = pulumi.Output.secret(props[name])
        props.update(dict.fromkeys(COMPUTED_OUTPUTS))
        secret_opts = ResourceOptions(additional_secret_outputs=list(SECRET_FIELDS))
        super().__init__(
            EmailAccountProvider(),
            resource_name,
            props,
            ResourceOptions.merge(opts, secret_opts),
        )
