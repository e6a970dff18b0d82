"""Offline lint of stack files: the provider's own ``check`` rules plus inventory rules.

Every sender's merged inputs go through :func:`lemlist_resource.validation.validate`, the
function the provider's ``check`` calls, so CI refuses exactly what ``pulumi preview``
would. Passwords are never read: a stored secret stands in as a placeholder.
"""

from __future__ import annotations

from ..errors import ConfigurationError
from ..names import KEY_CONFIG, KEY_ENV, URL_CONFIG
from ..relays import SOURCE as RELAYS_SOURCE
from ..relays import unsupported_relay
from ..settings import check_api_url
from ..validation import validate
from .model import PASSWORD_PARTS, Problem, is_secure
from .stackfile import StackFile

#: Stands in for a stored password during validation; never a real value.
PLACEHOLDER = "<secret>"


def sender_problems(stack: StackFile) -> list[Problem]:
    """What the provider's ``check`` would refuse, per sender and field."""
    problems: list[Problem] = []
    for key, sender in stack.inventory.senders.items():
        props = dict(sender.inputs)
        props.update(dict.fromkeys(PASSWORD_PARTS.values(), PLACEHOLDER))
        _, failures = validate(props)
        problems += [Problem(key, f.field, f.reason) for f in failures]
    return problems


def provider_problems(stack: StackFile) -> list[Problem]:
    """Provider settings the provider would refuse: a plain-text key, an unusable URL."""
    problems: list[Problem] = []
    url = stack.config.get(URL_CONFIG)
    if isinstance(url, str):
        try:
            check_api_url(url)  # the provider's own rule: https, or http on loopback only
        except ConfigurationError as exc:
            problems.append(Problem(None, None, exc.message))
    value = stack.config.get(KEY_CONFIG)
    if value is None or is_secure(value):
        return problems
    problems.append(
        Problem(
            None,
            KEY_CONFIG,
            "is in plain text in the stack file: remove it and store it with "
            f"`pulumi config set --secret {KEY_CONFIG} <key>` (or use the {KEY_ENV} "
            "environment variable), then rotate the key in lemlist",
        )
    )
    return problems


def lint(stack: StackFile) -> list[Problem]:
    """Every problem of a parsed stack file, in a stable order (file, then per sender)."""
    problems = stack.problems + stack.inventory.problems + provider_problems(stack)
    problems += sender_problems(stack)
    order = {key: i for i, key in enumerate(stack.inventory.senders)}
    return sorted(
        problems, key=lambda p: (p.sender is not None, order.get(p.sender or "", len(order)))
    )


def relay_warnings(stack: StackFile) -> list[Problem]:
    """Senders whose SMTP host is a relay lemlist does not support (warnings, not problems)."""
    warnings: list[Problem] = []
    for key, sender in stack.inventory.senders.items():
        host = sender.inputs.get("smtp_host")
        provider = unsupported_relay(host) if isinstance(host, str) else None
        if provider:
            warnings.append(
                Problem(
                    key,
                    "smtp_host",
                    f"'{host}' is {provider}, an SMTP relay lemlist does not support for "
                    "sender mailboxes: connect the mailbox's own SMTP server instead "
                    f"({RELAYS_SOURCE})",
                )
            )
    return warnings
