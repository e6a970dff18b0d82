"""The Pulumi program: one EmailAccount per sender of the stack's configuration, and a
Warmup (lemwarm) for each sender with a ``lemwarm`` block (its own or the stack default's).

The project's ``__main__.py`` only calls :func:`run`. Resource names are the inventory's
keys, so reordering or inserting senders changes nothing. Passwords come from the secret
``passwords`` object and stay secret Outputs all the way to the resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import pulumi

from ..config.names import KEY_CONFIG, TEAMS_CONFIG
from ..email_account.resource import EmailAccount, EmailAccountArgs
from ..warmup.resource import Warmup, WarmupArgs
from .model import (
    PROJECT,
    Inventory,
    Sender,
    build_inventory,
    password_hint,
)
from .passwords import split_password

LINT = "python -m lemlist_resource.inventory lint"


@dataclass
class Deployment:
    """What :func:`run` declared: the inventory, its resources and the exported outputs."""

    inventory: Inventory
    accounts: dict[str, EmailAccount]
    outputs: dict[str, dict[str, pulumi.Output[Any]]]
    warmups: dict[str, Warmup]


def sender_options(sender: Sender) -> pulumi.ResourceOptions:
    """``protect`` (stack-wide, or per sender): Pulumi refuses to disconnect the mailbox.

    A protected resource cannot be deleted, nor replaced unless the same update releases
    it. ``retain_on_delete`` is deliberately not used: on a replacement the engine honours
    the *old* state's flag, so the old mailbox would stay connected and lemlist would then
    refuse to connect it again (``This SMTP mailbox already exists``).
    """
    return pulumi.ResourceOptions(protect=sender.protect)


def password(passwords: Any, key: str, target: str) -> str:
    """The decrypted ``target`` password of sender ``key``; a clear error when it is missing."""
    entry = passwords.get(key) if isinstance(passwords, Mapping) else None
    value = split_password(entry)[0][target]
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
        return str(value)
    raise pulumi.RunError(f"lemlist sender '{key}' has no {target}: {password_hint(key)}.")


def declare(
    inventory: Inventory, passwords: pulumi.Output[Any], opts: pulumi.ResourceOptions | None = None
) -> dict[str, EmailAccount]:
    """Declare one EmailAccount per sender, named by its key."""
    accounts: dict[str, EmailAccount] = {}
    for key, sender in inventory.senders.items():
        # An unset field (None in the inventory) takes EmailAccountArgs' default, so the
        # program sends what check would fill in (verify_connection=True…): the engine shows
        # a refresh that runs the program as a diff of these inputs against the state's.
        inputs = {name: value for name, value in sender.inputs.items() if value is not None}
        args = EmailAccountArgs(
            **inputs,
            smtp_password=passwords.apply(partial(password, key=key, target="smtp_password")),
            imap_password=passwords.apply(partial(password, key=key, target="imap_password")),
        )
        options = pulumi.ResourceOptions.merge(opts, sender_options(sender))
        accounts[key] = EmailAccount(sender.resource_name, args, options)
    return accounts


def declare_warmups(
    inventory: Inventory, accounts: Mapping[str, EmailAccount]
) -> dict[str, Warmup]:
    """One Warmup per sender with a ``lemwarm`` block, on its mailbox's id and team, named
    ``<key>-lemwarm`` and a child of its EmailAccount: replacing the mailbox replaces it."""
    warmups: dict[str, Warmup] = {}
    for key, sender in inventory.senders.items():
        if sender.lemwarm is None:
            continue
        account = accounts[key]
        args = WarmupArgs(mailbox_id=account.id, team=sender.inputs.get("team"), **sender.lemwarm)
        options = pulumi.ResourceOptions(parent=account)
        warmups[key] = Warmup(f"{key}-lemwarm", args, options)
    return warmups


def stack_outputs(accounts: Mapping[str, EmailAccount]) -> dict[str, dict[str, pulumi.Output[Any]]]:
    """The inventory as deployed, free of secrets: per key, the id, address and provider."""
    return {
        key: {"id": account.id, "email": account.email, "provider": account.provider}
        for key, account in accounts.items()
    }


def plain_text_keys() -> list[str]:
    """The lemlist key settings the stack holds in plain text, as far as run time can tell.

    The engine tells the program which config values are secrets (any ``secure:`` leaf makes
    the whole value secret), not the provider: the dynamic provider host unwraps secrets
    before ``configure`` sees them. So a plain ``lemlist:apiKey``, and a ``lemlist:teams``
    without any secret (a JSON string, or keys written as text), are caught here; a
    ``lemlist:teams`` with one secret key beside a plain one is not: the lint reads each key.
    """
    found = []
    for name in (KEY_CONFIG, TEAMS_CONFIG):
        value = pulumi.runtime.get_config(name)
        if value not in (None, "", "{}") and not pulumi.runtime.is_config_secret(name):
            found.append(name)
    return found


def run(config: pulumi.Config | None = None) -> Deployment:
    """Read the stack's inventory, declare its senders and export ``senders``; refuse a
    lemlist key kept in plain text (:func:`plain_text_keys`)."""
    plain = plain_text_keys()
    if plain:
        raise pulumi.RunError(
            f"{' and '.join(plain)} of stack '{pulumi.get_stack()}' hold a lemlist key in plain "
            "text (not a Pulumi secret): remove it, store each key with `pulumi config set "
            f"--secret` (docs/teams.md), and rotate it in lemlist. `{LINT}` names each one."
        )
    cfg = config or pulumi.Config(PROJECT)
    inventory = build_inventory(
        cfg.get_object("senders"), cfg.get_object("defaults"), cfg.get("protect")
    )
    if inventory.problems:
        lines = "\n".join(f"  {p.render('stack configuration')}" for p in inventory.problems)
        raise pulumi.RunError(
            f"The sender inventory of stack '{pulumi.get_stack()}' has problems "
            f"(`{LINT}` explains them too):\n{lines}"
        )
    passwords = cfg.get_secret_object("passwords", {})
    accounts = declare(inventory, passwords)
    warmups = declare_warmups(inventory, accounts)
    outputs = stack_outputs(accounts)
    pulumi.export("senders", outputs)
    return Deployment(inventory, accounts, outputs, warmups)


__all__ = [
    "Deployment",
    "declare",
    "declare_warmups",
    "password",
    "run",
    "sender_options",
    "stack_outputs",
]
