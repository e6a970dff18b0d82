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
    """Inputs of a lemlist custom SMTP/IMAP mailbox. Every field accepts a Pulumi ``Input``
    (a plain value or an ``Output``); the defaults below are the ones the provider applies.

    Changing any field but ``verify_connection``, ``verify_on_refresh``, ``adopt_id`` and
    ``adopt`` disconnects the mailbox and connects it again (lemlist has no update), which
    unlinks it from campaigns and pauses warm-up; ``pulumi preview`` shows it as a
    replacement.

    Attributes:
        sender_name: Display name of the sender. Required.
        sender_email: Sender address (must be an email address). Required.
        smtp_host: SMTP server name. Required; lemlist refuses Gmail/Googlemail hosts
            (connect those through OAuth) and local, private or metadata addresses.
        smtp_port: SMTP port, 1-65535 (e.g. 587 for STARTTLS, 465 for TLS). Required.
        smtp_login: SMTP user name. Required.
        smtp_password: SMTP password. Required; always stored as a Pulumi secret.
        imap_host: IMAP server name. Required; same host rules as ``smtp_host``.
        imap_port: IMAP port, 1-65535 (e.g. 993). Required.
        imap_login: IMAP user name. Required.
        imap_password: IMAP password. Required; always stored as a Pulumi secret.
        smtp_secure: SSL/TLS from the start of the SMTP connection. Default ``False``
            (lemlist's default; STARTTLS on 587 needs no flag).
        imap_secure: SSL/TLS from the start of the IMAP connection. Default ``False``.
        user_id: The team member (``usr_…``) who owns the mailbox, sent as ``userId``.
            Default ``None``: the API key's creator or the team owner, as lemlist decides.
        team: The lemlist team (a name under the ``lemlist:teams`` stack config) whose API
            key serves this mailbox. Default ``None``: the default team (``lemlist:apiKey``
            or ``LEMLIST_API_KEY``). Changing it moves the mailbox: it is connected in the
            new team first, then disconnected in the old one.
        verify_connection: Run lemlist's connectivity test (SMTP and IMAP) right after
            connecting; on failure, disconnect and fail the update. Default ``True``.
            Changing it never replaces the mailbox.
        verify_on_refresh: Run lemlist's connectivity test on every refresh too. Default
            ``None`` (off): refresh reads lemlist's listing (status, daily limit, warm-up) and
            tests only a mailbox the listing cannot tell about (not listed, in ``ERROR``, no
            status), so ``smtp_ok``, ``imap_ok`` and ``checked_at`` keep the last test's
            values. On: one SMTP and one IMAP login on the mailbox's servers per refresh
            (some mail providers flag many such logins as suspicious). Changing it never
            replaces the mailbox.
        adopt_id: Adopt a mailbox already connected in lemlist (its id) instead of
            connecting it again. Default ``None``. Read only when the resource is created:
            setting, changing or removing it later changes nothing. lemlist cannot read
            settings back, so the declared inputs are recorded as they are: declare the
            mailbox's real settings.
        adopt: Adopt the custom mailbox lemlist lists under ``sender_email`` (its id found
            in the team's listing) instead of connecting it; none or several matches is a
            refusal. Default ``None``: connect a new mailbox. Read only when the resource is
            created, like ``adopt_id`` (set one of the two).
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
    smtp_secure: Input[bool] = False
    imap_secure: Input[bool] = False
    user_id: Input[str] | None = None
    team: Input[str] | None = None
    verify_connection: Input[bool] = True
    verify_on_refresh: Input[bool] | None = None
    adopt_id: Input[str] | None = None
    adopt: Input[bool] | None = None


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
    verify_on_refresh: Output[bool | None]
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
