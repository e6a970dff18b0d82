"""Build validation arguments the way pulumi_policy's ``Analyze`` / ``AnalyzeStack`` do.

pulumi_policy/policy.py deserializes the engine's protobuf properties (numbers become
floats, secrets plain values) and wraps them with ``unknown_checking_proxy``; options become
``PolicyResourceOptions``. These helpers do exactly that, then run a policy through its
``validate`` method as pulumi-policy's own tests do (sdk/python/lib/test/test_policy.py).
"""

from __future__ import annotations

from typing import Any

from lemlist_policies import RESOURCE_TYPE, policies
from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

SMTP_PASSWORD = "policy-smtp-pw-61d0"
IMAP_PASSWORD = "policy-imap-pw-2b7e"


def account(**overrides: Any) -> dict[str, Any]:
    """A valid EmailAccount's inputs as the analyzer receives them (ports as floats)."""
    props: dict[str, Any] = {
        "sender_name": "Alice Martin",
        "sender_email": "alice@acme-mail.com",
        "smtp_host": "smtp.acme-mail.com",
        "smtp_port": 587.0,
        "smtp_login": "alice@acme-mail.com",
        "smtp_password": SMTP_PASSWORD,
        "smtp_secure": False,
        "imap_host": "imap.acme-mail.com",
        "imap_port": 993.0,
        "imap_login": "alice@acme-mail.com",
        "imap_password": IMAP_PASSWORD,
        "imap_secure": True,
        "verify_connection": True,
    }
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not None}


def options(protect: bool = False) -> PolicyResourceOptions:
    """Resource options as ``_get_resource_options`` builds them."""
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def urn(name: str, type_: str = RESOURCE_TYPE) -> str:
    return f"urn:pulumi:prod::lemlist-senders::{type_}::{name}"


def resource_args(
    props: dict[str, Any],
    *,
    name: str = "alice",
    config: dict[str, Any] | None = None,
    protect: bool = False,
    type_: str = RESOURCE_TYPE,
) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        type_, unknown_checking_proxy(props), urn(name, type_), name, options(protect), None, config
    )


def stack_resource(props: dict[str, Any], name: str, type_: str = RESOURCE_TYPE) -> PolicyResource:
    return PolicyResource(
        type_, unknown_checking_proxy(props), urn(name, type_), name, options(), None, None, [], {}
    )


def policy(name: str) -> Policy:
    (found,) = [p for p in policies() if p.name == name]
    return found


def _check(messages: list[str]) -> list[str]:
    for message in messages:
        assert SMTP_PASSWORD not in message and IMAP_PASSWORD not in message
    return messages


def violations(name: str, args: ResourceValidationArgs) -> list[str]:
    """The messages resource policy ``name`` reports for ``args``."""
    found = policy(name)
    assert isinstance(found, ResourceValidationPolicy)
    messages: list[str] = []
    result = found.validate(args, lambda message, _urn=None: messages.append(message))
    assert result is None  # synchronous validators
    return _check(messages)


def stack_violations(name: str, args: StackValidationArgs) -> list[tuple[str, str | None]]:
    """The (message, urn) pairs stack policy ``name`` reports for ``args``."""
    found = policy(name)
    assert isinstance(found, StackValidationPolicy)
    reported: list[tuple[str, str | None]] = []
    found.validate(args, lambda message, urn_=None: reported.append((message, urn_)))
    _check([m for m, _ in reported])
    return reported
