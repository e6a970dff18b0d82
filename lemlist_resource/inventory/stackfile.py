"""Reading a ``Pulumi.<stack>.yaml`` file offline, as the lint and the review do.

The file is parsed with a safe YAML loader that notices duplicate keys (plain YAML keeps
the last one silently); the inventory is built with :func:`.model.build_inventory`, the
function the Pulumi program uses; passwords are kept as the file stores them
(:class:`StoredSecret`: ciphertext, or plain text that should not be there) and never
decrypted. Standard library and PyYAML only: no Pulumi runtime.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..echo import clip, plain, shown
from . import yamlread
from .model import (
    CONFIG_KEYS,
    DEFAULTS_KEY,
    PASSWORDS_KEY,
    PROJECT,
    PROTECT_KEY,
    SENDERS_KEY,
    Inventory,
    Problem,
    build_inventory,
    password_hint,
    set_password_command,
    unknown_name,
)
from .passwords import PASSWORD_PARTS, is_secure, split_password


class StackFileError(Exception):
    """A stack file that cannot be read or is not a Pulumi stack configuration."""


@dataclass(frozen=True)
class StoredSecret:
    """A password as the stack file holds it: ciphertext, or (wrongly) plain text.

    The value is compared, never shown: ``repr`` hides it.
    """

    value: str = field(repr=False)
    encrypted: bool


def stored_secret(value: object) -> StoredSecret | None:
    """A password value of a stack file: encrypted, plain text (any form that is not a
    Pulumi secret), or None when missing or empty."""
    if is_secure(value):
        assert isinstance(value, Mapping)
        ciphertext = value["secure"]
        if isinstance(ciphertext, str) and ciphertext.strip():
            return StoredSecret(ciphertext.strip(), encrypted=True)
        return None
    if value is None or isinstance(value, bool) or value == "" or value == [] or value == {}:
        return None
    # Any other form (text, number, list, map) is plain text in git; compared, never shown.
    text = value if isinstance(value, str) else plain(value, 4096)
    return StoredSecret(text, encrypted=False)


@dataclass
class StackFile:
    """A parsed ``Pulumi.<stack>.yaml``: its config, inventory, passwords and problems."""

    source: str
    config: dict[str, Any]
    inventory: Inventory
    passwords: dict[str, dict[str, StoredSecret | None]]
    problems: list[Problem]

    @property
    def stack(self) -> str:
        """The stack name, from a ``Pulumi.<stack>.yaml`` file name (else the source)."""
        name = self.source.replace("\\", "/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", name)
        return match.group(1) if match else self.source


# -- YAML --------------------------------------------------------------------------------


def _load_yaml(text: str, source: str) -> tuple[object, list[Problem]]:
    """The YAML document (read within :mod:`.yamlread`'s bounds) and one problem per
    duplicate key. Raises :class:`StackFileError`: one line naming the file and the line."""
    try:
        document, duplicates = yamlread.load(text)
    except yamlread.YamlRefusal as exc:
        where = f" (line {exc.line})" if exc.line is not None else ""
        raise StackFileError(f"{source}: {exc.reason}{where}") from None
    problems = [
        Problem(
            None,
            f"line {line}",
            f"key '{key}' appears twice (first on line {first}); only the last one would count",
        )
        for key, first, line in duplicates
    ]
    return document, problems


def _config(document: object, source: str) -> dict[str, Any]:
    """The ``config`` map of a stack file's document. Raises :class:`StackFileError`."""
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise StackFileError(f"{source}: not a Pulumi stack file (expected a map with 'config')")
    config = document.get("config") or {}
    if not isinstance(config, Mapping):
        raise StackFileError(f"{source}: 'config' must be a map of key: value")
    return {str(k): v for k, v in config.items()}


# -- settings and passwords --------------------------------------------------------------


def _settings_problems(config: Mapping[str, Any]) -> list[Problem]:
    """Unknown inventory settings, and an inventory stored as a secret."""
    known = tuple(k.split(":", 1)[1] for k in CONFIG_KEYS)
    problems = [
        Problem(None, name, unknown_name(name.split(":", 1)[1], known, "an inventory setting"))
        for name in config
        if name.startswith(f"{PROJECT}:") and name not in CONFIG_KEYS
    ]
    if is_secure(config.get(SENDERS_KEY)) or is_secure(config.get(DEFAULTS_KEY)):
        problems.append(
            Problem(
                None,
                SENDERS_KEY,
                f"must not be a secret: only {PASSWORDS_KEY} holds secrets, so the inventory "
                "stays readable in review",
            )
        )
    return problems


def _password_problems(
    key: str, entry: object
) -> tuple[dict[str, StoredSecret | None], list[Problem]]:
    """One sender's stored passwords, and what is wrong with them."""
    values, unknown = split_password(entry)
    problems = [
        Problem(key, f"passwords.{key}.{part}", "is not a password part; use 'smtp' and 'imap'")
        for part in unknown
    ]
    secrets: dict[str, StoredSecret | None] = {}
    for target, value in values.items():
        secret = stored_secret(value)
        secrets[target] = secret
        if secret is None:
            problems.append(Problem(key, target, f"is missing or empty: {password_hint(key)}"))
        elif not secret.encrypted:
            problems.append(
                Problem(
                    key,
                    target,
                    "is in plain text in the stack file, where anyone with the repository can "
                    f"read it: remove it, store it with `{set_password_command(key)}`, and "
                    "change the password (it is in the git history)",
                )
            )
    return secrets, problems


def _password_entries(config: Mapping[str, Any], problems: list[Problem]) -> Mapping[Any, Any]:
    """The ``passwords`` map, or an empty one (with its problem) when it is not a map."""
    entries = config.get(PASSWORDS_KEY)
    if entries is None:
        return {}
    if not isinstance(entries, Mapping) or is_secure(entries):
        problems.append(
            Problem(
                None,
                PASSWORDS_KEY,
                "must be a map from sender key to a secret; set each one with "
                f"`{set_password_command('<key>')}`",
            )
        )
        return {}
    return entries


def _passwords(
    config: Mapping[str, Any], inventory: Inventory
) -> tuple[dict[str, dict[str, StoredSecret | None]], list[Problem]]:
    """Every sender's stored passwords: leftovers and missing ones are problems."""
    problems: list[Problem] = []
    entries = _password_entries(config, problems)
    raw_senders = config.get(SENDERS_KEY)
    declared = {str(k) for k in raw_senders} if isinstance(raw_senders, Mapping) else set()
    passwords: dict[str, dict[str, StoredSecret | None]] = {}
    for raw_key, entry in entries.items():
        key = str(raw_key)
        if key in inventory.senders:
            passwords[key], entry_problems = _password_problems(key, entry)
            problems += entry_problems
        elif key not in declared:  # a declared but unusable sender has its own problem
            problems.append(
                Problem(
                    None,
                    f"{PASSWORDS_KEY}.{clip(key, 60)}",
                    f"is the password of no sender (no {shown(key)} under {SENDERS_KEY}): a typo, "
                    "or a leftover of a removed sender",
                )
            )
    for key in inventory.senders:
        if key not in entries:
            passwords[key] = dict.fromkeys(PASSWORD_PARTS.values())
            problems.append(Problem(key, "passwords", f"no password: {password_hint(key)}"))
    return passwords, problems


# -- entry points ------------------------------------------------------------------------


def parse_stack(text: str, source: str) -> StackFile:
    """Parse a stack file's text. Raises :class:`StackFileError` when it is not YAML or not
    a stack configuration; every other problem is collected."""
    document, problems = _load_yaml(text, source)
    config = _config(document, source)
    problems += _settings_problems(config)
    inventory = build_inventory(
        config.get(SENDERS_KEY), config.get(DEFAULTS_KEY), config.get(PROTECT_KEY)
    )
    passwords, password_problems = _passwords(config, inventory)
    return StackFile(source, config, inventory, passwords, problems + password_problems)


def read_stack(path: str) -> StackFile:
    """Read and parse a stack file. Raises :class:`StackFileError` when it is unusable
    (never more than :data:`.yamlread.MAX_CHARS` bytes are read)."""
    try:
        with open(path, "rb") as handle:
            size = min(os.fstat(handle.fileno()).st_size, yamlread.MAX_CHARS)
            data = handle.read(size + 1)  # read(n) allocates n: never the whole ceiling
    except OSError as exc:
        raise StackFileError(f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise StackFileError(f"{path}: cannot read: not UTF-8 text (line {line})") from None
    return parse_stack(text, path)
