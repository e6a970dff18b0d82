"""A stack's sender inventory: its configuration parsed into :class:`Sender` records.

The configuration lives in the project's namespace (``lemlist-senders:``):

* ``defaults`` — inputs shared by every sender of the stack (hosts, ports, flags…);
* ``senders`` — a map from a stable key to one sender's inputs (any EmailAccount input but
  the passwords, plus ``protect``; ``adopt_id: usm_…``, or ``adopt: true`` to find it by
  its address, adopts a mailbox already connected in lemlist); the key is the resource name;
* ``passwords`` — a map from the same keys to one secret used for SMTP and IMAP, or to
  ``{smtp: secret, imap: secret}``; kept apart so that ``senders`` stays a plain value;
* ``protect`` — protect every sender of the stack (a sender's own ``protect`` wins).

A sender's input is its own value, else the stack default; ``smtp_login`` and
``imap_login`` fall back to the sender address. This is the inventory ``pulumi up`` runs
on (standard library only); reading a stack *file* offline, as the lint and the review
do, is :mod:`.stackfile`'s concern.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..echo import clip, shown
from ..email_account.adoption import adopted_mailbox, shared_mailbox_reason
from ..email_account.schema import FIELDS, SECRET_FIELDS
from ..rules.release import RELEASE, Release, parse_release
from ..rules.validation import parse_flag
from .lemwarm import LEMWARM, default_issues
from .lemwarm import merge as merge_lemwarm

PROJECT = "lemlist-senders"
SENDERS_KEY = f"{PROJECT}:senders"
DEFAULTS_KEY = f"{PROJECT}:defaults"
PASSWORDS_KEY = f"{PROJECT}:passwords"
PROTECT_KEY = f"{PROJECT}:protect"
#: DKIM selectors per sender domain, for the online checks (docs/deliverability.md).
DKIM_KEY = f"{PROJECT}:dkim"
CONFIG_KEYS = (DEFAULTS_KEY, SENDERS_KEY, PASSWORDS_KEY, PROTECT_KEY, DKIM_KEY)

#: EmailAccount inputs a sender entry may set (passwords live under ``passwords``).
INPUT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.name not in SECRET_FIELDS)
#: Inputs that only make sense per sender: its address, and the mailbox it adopts (by id, or
#: by its address with ``adopt: true``).
PER_SENDER_FIELDS: tuple[str, ...] = ("sender_email", "adopt_id", "adopt")
#: Inputs a stack default may set: all but the per-sender ones.
DEFAULT_FIELDS: tuple[str, ...] = tuple(n for n in INPUT_FIELDS if n not in PER_SENDER_FIELDS)
#: Per-sender settings that are not EmailAccount inputs.
SENDER_OPTIONS: tuple[str, ...] = ("protect", "dkim_selector", LEMWARM, RELEASE)
#: Logins fall back to the sender address.
LOGIN_FIELDS: tuple[str, ...] = ("smtp_login", "imap_login")

KEY_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")  # always used with fullmatch
KEY_RULE = (
    "lower-case letters, digits, '-' and '_', starting with a letter or digit, at most "
    "63 characters"
)


def set_password_command(key: str) -> str:
    """The command that stores a sender's password as a Pulumi secret (pulumi prompts for the
    value, so the password stays out of shell history)."""
    return f"pulumi config set --secret --path 'passwords.{key}'"


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
            parts.append(f"sender {shown(self.sender)}")
        if self.field is not None:  # may be a field name as the file wrote it: the echo rule
            parts.append(clip(self.field))
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class Sender:
    """One sender: its stable key and its non-secret EmailAccount inputs, merged."""

    key: str
    inputs: dict[str, Any]
    protect: bool  # its (or the stack's) ``protect``, unless released
    #: ``dkim_selector`` as written (a name or a list), for the online checks only.
    dkim_selector: object = None
    #: Its ``lemwarm`` block over the stack default's; None: no Warmup is declared.
    lemwarm: dict[str, Any] | None = None
    #: ``release`` (:mod:`..rules.release`): protection lifted for one reviewed change.
    release: Release | None = None

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


def unknown_name(name: str, allowed: tuple[str, ...], what: str) -> str:
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
            problems.append(Problem(key, name, unknown_name(name, allowed, what)))
    return kept, problems


def password_hint(key: str) -> str:
    """How to store sender ``key``'s password(s): the one sentence every message uses."""
    return (
        f"set it with `{set_password_command(key)}` (one password for SMTP and IMAP) or with "
        "a path ending in .smtp and .imap"
    )


def _email_key(value: object) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def _stack_protect(protect: object, problems: list[Problem]) -> bool:
    """The stack-wide ``protect`` flag (off when unset or unusable)."""
    flag = False if protect is None else parse_flag(protect)
    if flag is None:
        problems.append(Problem(None, PROTECT_KEY, "must be true or false"))
    return bool(flag)


def _stack_defaults(defaults: object, problems: list[Problem]) -> dict[str, Any]:
    """The stack's default inputs; unknown or misplaced fields are explained."""
    if defaults is None:
        return {}
    if not isinstance(defaults, Mapping):
        problems.append(Problem(None, DEFAULTS_KEY, "must be a map of field: value"))
        return {}
    kept, found = _fields(defaults, (*DEFAULT_FIELDS, LEMWARM), None, "a default field")
    problems += [Problem(None, f"{DEFAULTS_KEY}.{p.field}", p.message) for p in found]
    issues = default_issues(kept.get(LEMWARM))
    problems += [Problem(None, f"{DEFAULTS_KEY}.{name}", message) for name, message in issues]
    return kept


def _sender_entries(senders: object, problems: list[Problem]) -> Mapping[Any, Any]:
    """The ``senders`` map, or an empty one (with its problem) when it is missing or a list."""
    if senders is None:
        problems.append(
            Problem(
                None,
                SENDERS_KEY,
                "is missing: declare the senders as a map of key: {sender_name, sender_email}",
            )
        )
        return {}
    if not isinstance(senders, Mapping):
        problems.append(
            Problem(None, SENDERS_KEY, "must be a map from a stable key to a sender (not a list)")
        )
        return {}
    return senders


def _sender(
    raw_key: object, entry: object, inv: Inventory, on: date | None = None
) -> Sender | None:
    """One sender entry merged over the stack defaults; None when the entry is unusable."""
    key = str(raw_key)
    if not isinstance(raw_key, str) or not KEY_RE.fullmatch(key):
        inv.problems.append(Problem(key, None, f"invalid key: use {KEY_RULE}"))
        return None
    if not isinstance(entry, Mapping):
        inv.problems.append(
            Problem(key, None, "must be a map with at least sender_name and sender_email")
        )
        return None
    own, problems = _fields(entry, INPUT_FIELDS + SENDER_OPTIONS, key, "an EmailAccount field")
    inv.problems += problems
    dkim_selector = own.pop("dkim_selector", None)
    protect = parse_flag(own.pop("protect", inv.protect))
    if protect is None:
        inv.problems.append(Problem(key, "protect", "must be true or false"))
        protect = inv.protect
    release, refused = parse_release(own[RELEASE], on) if RELEASE in own else (None, None)
    own.pop(RELEASE, None)
    inv.problems += [Problem(key, RELEASE, refused)] if refused else []
    lemwarm, issues = merge_lemwarm(inv.defaults.get(LEMWARM), own.pop(LEMWARM, None), LEMWARM)
    inv.problems += [Problem(key, name, message) for name, message in issues]
    inputs: dict[str, Any] = dict.fromkeys(INPUT_FIELDS)
    inputs.update({k: v for k, v in inv.defaults.items() if k != LEMWARM})
    inputs.update(own)
    for login in LOGIN_FIELDS:
        if inputs.get(login) is None or inputs.get(login) == "":
            inputs[login] = inputs.get("sender_email")
    return Sender(key, inputs, protect and release is None, dkim_selector, lemwarm, release)


def _address_taken(sender: Sender, seen: dict[tuple[str, str], str]) -> Problem | None:
    """A problem when another sender of the same team already has this address; else
    remember it. lemlist refuses an address twice within a team; in two teams (``team``)
    it is two mailboxes, as the policy pack's one-mailbox-per-address rule also says."""
    email = _email_key(sender.email)
    if not email:
        return None
    team = sender.inputs.get("team")
    mailbox = (team if isinstance(team, str) else "", email)
    if mailbox in seen:
        return Problem(
            sender.key,
            "sender_email",
            f"{shown(sender.email)} is also the address of sender '{seen[mailbox]}' in the same "
            "team: lemlist connects a mailbox once per team",
        )
    seen[mailbox] = sender.key
    return None


def build_inventory(
    senders: object, defaults: object = None, protect: object = None, on: date | None = None
) -> Inventory:
    """Parse a stack's ``senders``, ``defaults`` and ``protect`` (a ``release`` read on day
    ``on``, default today UTC). Problems (bad keys, unknown or misplaced fields, wrong types,
    one address under two keys) are collected, never raised; usable senders are kept.
    """
    inv = Inventory()
    inv.protect = _stack_protect(protect, inv.problems)
    inv.defaults = _stack_defaults(defaults, inv.problems)
    seen: dict[tuple[str, str], str] = {}  # (team, address) -> the first sender key with it
    for raw_key, entry in _sender_entries(senders, inv.problems).items():
        sender = _sender(raw_key, entry, inv, on)
        if sender is None:
            continue
        taken = _address_taken(sender, seen)
        if taken is not None:
            inv.problems.append(taken)
        inv.senders[sender.key] = sender
    inv.problems += _shared_adoptions(inv.senders)
    return inv


def _shared_adoptions(senders: Mapping[str, Sender]) -> list[Problem]:
    """One problem per sender whose ``adopt_id`` another sender adopts too."""
    owners: dict[str, list[str]] = {}
    for key, sender in senders.items():
        mailbox = adopted_mailbox(sender.inputs.get("adopt_id"))
        if mailbox is not None:
            owners.setdefault(mailbox, []).append(key)
    return [
        Problem(key, "adopt_id", f"{shown(mailbox)} {shared_mailbox_reason(keys)}")
        for mailbox, keys in owners.items()
        if len(keys) > 1
        for key in keys
    ]
