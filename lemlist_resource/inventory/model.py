"""A stack's sender inventory: its configuration parsed into :class:`Sender` records.

The configuration lives in the project's namespace (``lemlist-senders:``):

* ``defaults`` — inputs shared by every sender of the stack (hosts, ports, flags…);
* ``senders`` — a map from a stable key to one sender's inputs (any EmailAccount input but
  the passwords, plus ``protect``); the key is the resource name;
* ``passwords`` — a map from the same keys to one secret used for SMTP and IMAP, or to
  ``{smtp: secret, imap: secret}``; kept apart so that ``senders`` stays a plain value;
* ``protect`` — protect every sender of the stack (a sender's own ``protect`` wins).

A sender's input is its own value, else the stack default; ``smtp_login`` and
``imap_login`` fall back to the sender address. This module only needs the standard
library and PyYAML, so the lint and the review never load the Pulumi runtime.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..schema import FIELDS, SECRET_FIELDS

PROJECT = "lemlist-senders"
SENDERS_KEY = f"{PROJECT}:senders"
DEFAULTS_KEY = f"{PROJECT}:defaults"
PASSWORDS_KEY = f"{PROJECT}:passwords"
PROTECT_KEY = f"{PROJECT}:protect"
CONFIG_KEYS = (DEFAULTS_KEY, SENDERS_KEY, PASSWORDS_KEY, PROTECT_KEY)

#: EmailAccount inputs a sender entry may set (passwords live under ``passwords``).
INPUT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.name not in SECRET_FIELDS)
#: Inputs a stack default may set: all but the sender address, which is per sender.
DEFAULT_FIELDS: tuple[str, ...] = tuple(n for n in INPUT_FIELDS if n != "sender_email")
#: Per-sender settings that are not EmailAccount inputs.
SENDER_OPTIONS: tuple[str, ...] = ("protect",)
#: Logins fall back to the sender address.
LOGIN_FIELDS: tuple[str, ...] = ("smtp_login", "imap_login")
#: The parts of a ``passwords`` entry given as ``{smtp: …, imap: …}``.
PASSWORD_PARTS: dict[str, str] = {"smtp": "smtp_password", "imap": "imap_password"}

KEY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62})$")
KEY_RULE = (
    "lower-case letters, digits, '-' and '_', starting with a letter or digit, at most "
    "63 characters"
)


def set_password_command(key: str) -> str:
    """The command that stores a sender's password as a Pulumi secret."""
    return f"pulumi config set --secret --path 'passwords.{key}' '<password>'"


@dataclass(frozen=True)
class Problem:
    """One inventory problem: which sender and field (when it is about one), and why."""

    sender: str | None
    field: str | None
    message: str

    def render(self, source: str) -> str:
        """The problem as one line: ``FILE: sender 'KEY': FIELD: message``."""
        parts = [source]
        if self.sender is not None:
            parts.append(f"sender '{self.sender}'")
        if self.field is not None:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class Sender:
    """One sender: its stable key and its non-secret EmailAccount inputs, merged."""

    key: str
    inputs: dict[str, Any]
    protect: bool

    @property
    def resource_name(self) -> str:
        """The Pulumi resource name: the key itself, so list order never matters."""
        return self.key

    @property
    def email(self) -> str:
        """The sender address as written (empty when missing)."""
        value = self.inputs.get("sender_email")
        return value.strip() if isinstance(value, str) else ""


@dataclass
class Inventory:
    """The senders of one stack, its defaults and protection, and what is wrong with it."""

    senders: dict[str, Sender] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class StoredSecret:
    """A password as the stack file holds it: ciphertext, or (wrongly) plain text.

    The value is compared, never shown: ``repr`` hides it.
    """

    value: str = field(repr=False)
    encrypted: bool


def _unknown(name: str, allowed: tuple[str, ...], what: str) -> str:
    """Explain an unknown field, with the closest known name when there is one."""
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(allowed)}"
    return f"is not {what}{hint}"


def _misplaced_password(key: str | None) -> str:
    target = key or "<key>"
    return (
        f"passwords do not go here: store them as secrets under {PASSWORDS_KEY} with "
        f"`{set_password_command(target)}`, and change any password written here (it is in "
        "the git history)"
    )


def _fields(
    entry: Mapping[str, Any], allowed: tuple[str, ...], key: str | None, what: str
) -> tuple[dict[str, Any], list[Problem]]:
    """Keep the allowed fields of ``entry``; explain every other one."""
    kept: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in entry.items():
        name = str(name)
        if name in allowed:
            kept[name] = value
        elif name in SECRET_FIELDS or re.search(r"pass|pasw|pwd", name, re.IGNORECASE):
            problems.append(Problem(key, name, _misplaced_password(key)))
        else:
            problems.append(Problem(key, name, _unknown(name, allowed, what)))
    return kept, problems


def parse_flag(value: object) -> bool | None:
    """``true``/``false`` as YAML booleans or as the strings ``pulumi config set`` writes
    for top-level keys; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _email_key(value: object) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def build_inventory(senders: object, defaults: object = None, protect: object = None) -> Inventory:
    """Parse the ``senders``, ``defaults`` and ``protect`` values of a stack's configuration.

    Problems (bad keys, unknown or misplaced fields, wrong types, one address under two
    keys) are collected, never raised; senders with a usable entry are kept either way.
    """
    inv = Inventory()
    stack_protect = False if protect is None else parse_flag(protect)
    if stack_protect is None:
        inv.problems.append(Problem(None, PROTECT_KEY, "must be true or false"))
    inv.protect = bool(stack_protect)
    if defaults is not None:
        if isinstance(defaults, Mapping):
            inv.defaults, problems = _fields(defaults, DEFAULT_FIELDS, None, "a default field")
            inv.problems += [
                Problem(None, f"{DEFAULTS_KEY}.{p.field}", p.message) for p in problems
            ]
        else:
            inv.problems.append(Problem(None, DEFAULTS_KEY, "must be a map of field: value"))
    if senders is None:
        inv.problems.append(
            Problem(
                None,
                SENDERS_KEY,
                "is missing: declare the senders as a map of key: {sender_name, sender_email}",
            )
        )
        return inv
    if not isinstance(senders, Mapping):
        inv.problems.append(
            Problem(None, SENDERS_KEY, "must be a map from a stable key to a sender (not a list)")
        )
        return inv
    seen: dict[str, str] = {}
    for raw_key, entry in senders.items():
        key = str(raw_key)
        if not isinstance(raw_key, str) or not KEY_RE.match(key):
            inv.problems.append(Problem(key, None, f"invalid key: use {KEY_RULE}"))
            continue
        if not isinstance(entry, Mapping):
            inv.problems.append(
                Problem(key, None, "must be a map with at least sender_name and sender_email")
            )
            continue
        allowed = INPUT_FIELDS + SENDER_OPTIONS
        own, problems = _fields(entry, allowed, key, "an EmailAccount field")
        inv.problems += problems
        sender_protect = parse_flag(own.pop("protect", inv.protect))
        if sender_protect is None:
            inv.problems.append(Problem(key, "protect", "must be true or false"))
            sender_protect = inv.protect
        inputs: dict[str, Any] = dict.fromkeys(INPUT_FIELDS)
        inputs.update(inv.defaults)
        inputs.update(own)
        for login in LOGIN_FIELDS:
            if inputs.get(login) is None or inputs.get(login) == "":
                inputs[login] = inputs.get("sender_email")
        sender = Sender(key, inputs, sender_protect)
        email = _email_key(sender.email)
        if email and email in seen:
            inv.problems.append(
                Problem(
                    key,
                    "sender_email",
                    f"'{sender.email}' is also the address of sender '{seen[email]}': "
                    "lemlist connects a mailbox once",
                )
            )
        elif email:
            seen[email] = key
        inv.senders[key] = sender
    return inv


def is_secure(value: object) -> bool:
    """Whether ``value`` is a stack file's encrypted value: a map ``{secure: ciphertext}``."""
    return isinstance(value, Mapping) and list(value) == ["secure"]


def split_password(entry: object) -> tuple[dict[str, object], list[str]]:
    """One ``passwords`` entry as ``{"smtp_password": value, "imap_password": value}``.

    A map of ``smtp`` and ``imap`` gives one value each; anything else (a secret) serves
    both. Returns the values (``None`` when absent) and the names of unknown parts.
    """
    if isinstance(entry, Mapping) and not is_secure(entry):
        values = {target: entry.get(part) for part, target in PASSWORD_PARTS.items()}
        unknown = [str(part) for part in entry if part not in PASSWORD_PARTS]
        return values, unknown
    return dict.fromkeys(PASSWORD_PARTS.values(), entry), []


def stored_secret(value: object) -> StoredSecret | None:
    """A password value of a stack file: encrypted, plain text, or None when unusable."""
    if is_secure(value):
        assert isinstance(value, Mapping)
        ciphertext = value["secure"]
        if isinstance(ciphertext, str) and ciphertext.strip():
            return StoredSecret(ciphertext.strip(), encrypted=True)
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value):
        return StoredSecret(str(value), encrypted=False)
    return None


# -- stack files -------------------------------------------------------------------------


class StackFileError(Exception):
    """A stack file that cannot be read or is not a Pulumi stack configuration."""


def _construct_mapping(loader: Any, node: Any) -> dict[Any, Any]:
    """Build a mapping like the safe loader, recording duplicate keys on the loader."""
    seen: dict[object, int] = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            if key in seen:
                loader.duplicates.append((str(key), seen[key], line))
            seen[key] = line
        except TypeError:  # an unhashable key: construct_mapping explains it
            pass
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    return mapping


#: A safe YAML loader that records duplicate keys (plain YAML keeps only the last one).
_Loader: Any = type("_DuplicateKeyLoader", (yaml.SafeLoader,), {})
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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


def _password_problems(
    key: str, entry: object
) -> tuple[dict[str, StoredSecret | None], list[Problem]]:
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
            problems.append(
                Problem(
                    key,
                    target,
                    f"is missing or empty: set it with `{set_password_command(key)}` (one "
                    "password for SMTP and IMAP) or with a path ending in .smtp and .imap",
                )
            )
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


def parse_stack(text: str, source: str) -> StackFile:
    """Parse a stack file's text. Raises :class:`StackFileError` when it is not YAML or not
    a stack configuration; every other problem is collected."""
    loader = _Loader(text)
    loader.duplicates = []  # (key, first line, repeated line)
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" (line {mark.line + 1}, column {mark.column + 1})"
        reason = getattr(exc, "problem", None) or str(exc)
        raise StackFileError(f"{source}: not valid YAML: {reason}{where}") from None
    finally:
        loader.dispose()
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise StackFileError(f"{source}: not a Pulumi stack file (expected a map with 'config')")
    problems = [
        Problem(
            None,
            f"line {line}",
            f"key '{key}' appears twice (first on line {first}); only the last one would count",
        )
        for key, first, line in loader.duplicates
    ]
    config = document.get("config") or {}
    if not isinstance(config, Mapping):
        raise StackFileError(f"{source}: 'config' must be a map of key: value")
    config = {str(k): v for k, v in config.items()}
    for name in config:
        if name.startswith(f"{PROJECT}:") and name not in CONFIG_KEYS:
            short = name.split(":", 1)[1]
            known = tuple(k.split(":", 1)[1] for k in CONFIG_KEYS)
            problems.append(Problem(None, name, _unknown(short, known, "an inventory setting")))
    inventory = build_inventory(
        config.get(SENDERS_KEY), config.get(DEFAULTS_KEY), config.get(PROTECT_KEY)
    )
    if is_secure(config.get(SENDERS_KEY)) or is_secure(config.get(DEFAULTS_KEY)):
        problems.append(
            Problem(
                None,
                SENDERS_KEY,
                f"must not be a secret: only {PASSWORDS_KEY} holds secrets, so the inventory "
                "stays readable in review",
            )
        )
    passwords: dict[str, dict[str, StoredSecret | None]] = {}
    raw_passwords = config.get(PASSWORDS_KEY)
    if raw_passwords is None:
        raw_passwords = {}
    if not isinstance(raw_passwords, Mapping) or is_secure(raw_passwords):
        problems.append(
            Problem(
                None,
                PASSWORDS_KEY,
                "must be a map from sender key to a secret; set each one with "
                f"`{set_password_command('<key>')}`",
            )
        )
        raw_passwords = {}
    raw_senders = config.get(SENDERS_KEY)
    declared = {str(k) for k in raw_senders} if isinstance(raw_senders, Mapping) else set()
    for raw_key, entry in raw_passwords.items():
        key = str(raw_key)
        if key in declared and key not in inventory.senders:
            continue  # an unusable sender entry: its own problem says why
        if key not in inventory.senders:
            problems.append(
                Problem(
                    None,
                    f"{PASSWORDS_KEY}.{key}",
                    f"is the password of no sender (no '{key}' under {SENDERS_KEY}): a typo, "
                    "or a leftover of a removed sender",
                )
            )
            continue
        passwords[key], entry_problems = _password_problems(key, entry)
        problems += entry_problems
    for key in inventory.senders:
        if key not in raw_passwords:
            passwords[key] = dict.fromkeys(PASSWORD_PARTS.values())
            problems.append(
                Problem(
                    key,
                    "passwords",
                    f"no password: set it with `{set_password_command(key)}` (one password "
                    "for SMTP and IMAP) or with a path ending in .smtp and .imap",
                )
            )
    return StackFile(source, config, inventory, passwords, problems)


def read_stack(path: str) -> StackFile:
    """Read and parse a stack file. Raises :class:`StackFileError` when it is unusable."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StackFileError(f"{path}: cannot read: {reason}") from None
    return parse_stack(text, path)
