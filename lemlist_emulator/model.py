"""The emulated lemlist model: teams, API keys, members and email accounts (the backend).

No HTTP here: operations take already-parsed inputs and return ``(status, json_body)`` or raise
``LemlistRefusal`` carrying the status and lemlist's exact error sentence; the field and host
rules live in ``rules.py``. Thread-safe: one lock guards the state, held only for the instant an
operation takes effect (the operation's latency is spent outside it, in the request pipeline).

Teams: every key belongs to one team, and a team sees only its own accounts. Another team's
account id answers as the contract's texts say: ``DELETE`` 403 ``You are not allowed to modify
this mailbox`` (the sentence the contract gives for a mailbox the caller may not modify), the
test route 404 ``Email account not found`` (its only documented refusal for an id).
"""

from __future__ import annotations

import json
import secrets
import string
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lemlist_emulator import rules
from lemlist_emulator.directory import DEFAULT_EMAIL_LIMIT, STATUSES
from lemlist_emulator.lemwarm import LemwarmRoutes
from lemlist_emulator.refusals import (
    MSG_BAD_AUTH,
    MSG_BAD_TEAM,
    MSG_DUPLICATE,
    MSG_FORBIDDEN_MAILBOX,
    MSG_MISSING,
    MSG_NOT_FOUND_ACCOUNT,
    MSG_NOT_MEMBER,
    BackendClosed,
    LemlistRefusal,
    Principal,
    fingerprint,
)
from lemlist_emulator.store import MemoryStore

__all__ = [
    "Backend",
    "BackendClosed",
    "LemlistRefusal",
    "Principal",
    "fingerprint",
    "validate_fields",
]

_ID_ALPHABET = string.ascii_letters + string.digits
#: Characters after the prefix: lemlist's listed ids (``usm_2mkqJNUjnJQiyVBht``) have 17,
#: connect's documented example (``umx_A1B2C3D4E5F6G7H8I9``) 20.
_ID_LENGTHS = {"usm": 17, "umx": 20}
ID_PREFIXES = tuple(_ID_LENGTHS)

Result = tuple[int, dict[str, Any]]


def _check_host(host: str) -> str:
    """``host`` normalized for matching check failures (case and trailing dot ignored)."""
    return host.strip().lower().rstrip(".")


def validate_fields(fields: object) -> dict[str, Any]:
    """lemlist's field rules (``rules.validate_fields``) with a refusal as lemlist answers it."""
    try:
        return rules.validate_fields(fields)
    except rules.Refusal as exc:
        raise LemlistRefusal(400, exc.message) from None


class Backend(LemwarmRoutes):
    """Teams, keys, members and accounts, with lemlist's rules. Every method is thread-safe."""

    def __init__(
        self,
        keys: Mapping[str, str],
        members: Mapping[str, Sequence[str]],
        bad_team_keys: Iterable[str] = (),
        store: MemoryStore | None = None,
        id_prefix: str = "usm",
    ) -> None:
        if id_prefix not in _ID_LENGTHS:
            raise ValueError(f"id_prefix must be one of {', '.join(ID_PREFIXES)}")
        self._id_prefix = id_prefix
        self._status_rules: dict[str, str] = {}
        self._lock = threading.Lock()
        self._keys, self._initial_keys = dict(keys), dict(keys)  # reset() undoes rotate_key
        self._bad_team_keys = frozenset(bad_team_keys)
        self._members = {team: tuple(users) for team, users in members.items()}
        self._store = store if store is not None else MemoryStore()
        self._check_failures: dict[tuple[str, str], str] = {}
        self._no_lemwarm_seat: set[str | None] = set()  # teams refused on lemwarm start
        self._deleted: set[str] = set()  # disconnected ids: lemwarm answers mailbox-deleted
        self._closed = False

    # ----- identity -------------------------------------------------------------------------

    def team_of(self, key: str | None) -> str | None:
        """The team a key belongs to (None: unknown key, or a "bad team" key)."""
        if not key or key in self._bad_team_keys:
            return None
        return self._keys.get(key)

    def authenticate(self, key: str | None) -> Principal:
        """The principal for ``key``; 401 ``The authentication you supplied is incorrect``."""
        if key:
            if key in self._bad_team_keys:
                return Principal(fingerprint(key)[:12], None)
            team = self._keys.get(key)
            if team is not None:
                return Principal(fingerprint(key)[:12], team)
        raise LemlistRefusal(401, MSG_BAD_AUTH)

    def rotate_key(self, old: str, new: str) -> str:
        """``new`` serves ``old``'s team, ``old`` answers 401 (see Controls.rotate_key)."""
        with self._lock:
            self._keys[new] = team = self._keys.pop(old)
            return team

    def members(self, team: str) -> tuple[str, ...]:
        """The team's member user ids, its owner first."""
        return self._members.get(team, ())

    @staticmethod
    def team_name(principal: Principal) -> str:
        """The principal's team; 400 ``Bad team`` for a "bad team" key."""
        return Backend._team(principal)

    @staticmethod
    def _team(principal: Principal) -> str:
        if principal.team is None:
            raise LemlistRefusal(400, MSG_BAD_TEAM)
        return principal.team

    # ----- the three routes -----------------------------------------------------------------

    def connect_json(self, principal: Principal, body: bytes, *, is_json: bool = True) -> Result:
        """``POST /user/email-accounts`` from a raw body (``is_json``: a JSON content type).

        A body that is not a JSON object (or not sent as JSON) has no fields: 400
        ``Missing required fields``.
        """
        team = self._team(principal)
        fields: object = {}
        if is_json and body.strip():
            try:
                fields = json.loads(body)
            except ValueError:
                raise LemlistRefusal(400, MSG_MISSING) from None
        return self.connect(team, fields)

    def connect(self, team: str, fields: object) -> Result:
        """Connect a mailbox for ``team``: 201 ``{"id", "email", "provider": "custom"}``."""
        clean = validate_fields(fields)
        with self._lock:
            self._ensure_open()
            user_id = clean.pop("userId")
            if user_id is not None and user_id not in self._members.get(team, ()):
                raise LemlistRefusal(403, MSG_NOT_MEMBER)
            if user_id is None:
                owners = self._members.get(team, ())
                user_id = owners[0] if owners else None
            wanted = clean["sender_email"].strip().lower()
            for other in self._store.all():
                if other["team"] == team and other["sender_email"].strip().lower() == wanted:
                    raise LemlistRefusal(400, MSG_DUPLICATE)
            account_id = self._new_id()
            account: dict[str, Any] = {"id": account_id, "team": team}
            for name, value in clean.items():
                if name.endswith("_password"):
                    account[name + "_sha256"] = fingerprint(value)
                else:
                    account[name] = value
            account["user_id"] = user_id
            account["status"] = self._status_rules.get(wanted, "CONNECTED")
            account["email_limit"] = DEFAULT_EMAIL_LIMIT
            account["lemwarm_active"] = False  # warm-up routes (lemwarm) set it
            self._store.add(account)
        return 201, {"id": account_id, "email": clean["sender_email"], "provider": "custom"}

    def disconnect(self, principal: Principal, account_id: str) -> Result:
        """``DELETE /user/email-accounts/{id}``: 200 ``{"ok": true}``, 404 or 403."""
        team = self._team(principal)
        with self._lock:
            self._ensure_open()
            account = self._store.get(account_id)
            if account is None:
                raise LemlistRefusal(404, MSG_NOT_FOUND_ACCOUNT)
            if account["team"] != team:
                raise LemlistRefusal(403, MSG_FORBIDDEN_MAILBOX)
            self._store.remove(account_id)
            self._deleted.add(account_id)
        return 200, {"ok": True}

    def test(self, principal: Principal, account_id: str) -> Result:
        """``POST /user/email-accounts/{id}/test``: 200 with each side's result, or 404."""
        team = self._team(principal)
        with self._lock:
            account = self._store.get(account_id)
            if account is None or account["team"] != team:
                raise LemlistRefusal(404, MSG_NOT_FOUND_ACCOUNT)
            body: dict[str, Any] = {}
            status = account.get("status", "CONNECTED")
            for protocol in ("smtp", "imap"):
                host = _check_host(account[f"{protocol}_host"])
                error = self._check_failures.get((host, protocol))
                if error is None and status != "CONNECTED":
                    error = f"The mailbox is {status}: lemlist could not log in"
                body[protocol] = {"success": True} if error is None else {
                    "success": False, "error": error}  # fmt: skip
        return 200, body

    # ----- administration (the in-process API) ----------------------------------------------

    def accounts(self) -> list[dict[str, Any]]:
        """Copies of every account, oldest first."""
        with self._lock:
            return [dict(account) for account in self._store.all()]

    def account(self, account_id: str) -> dict[str, Any] | None:
        """A copy of one account, or None."""
        with self._lock:
            account = self._store.get(account_id)
            return dict(account) if account is not None else None

    def update(self, account_id: str, **changes: Any) -> bool:
        """Change ``status``, ``email_limit`` or ``lemwarm_active``; False if unknown."""
        with self._lock:
            self._ensure_open()
            return self._store.update(account_id, changes)

    def set_status(self, target: str, status: str) -> int:
        """Set the status of the account ``target`` (an id), or of every account of the address
        ``target`` now and connected later; returns how many accounts changed."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        with self._lock:
            self._ensure_open()
            address = target.strip().lower()
            if "@" in address:
                self._status_rules[address] = status
                found = [a["id"] for a in self._store.all()
                         if a["sender_email"].strip().lower() == address]  # fmt: skip
            else:
                found = [target] if self._store.get(target) is not None else []
            for account_id in found:
                self._store.update(account_id, {"status": status})
            return len(found)

    def remove(self, account_id: str) -> bool:
        """Disconnect an account outside the API (as in the lemlist UI); False if unknown."""
        with self._lock:
            self._ensure_open()
            self._deleted.add(account_id)
            return self._store.remove(account_id)

    def fail_check(self, host: str, protocol: str | None, error: str) -> None:
        """Make the test endpoint report ``error`` for ``host`` on one side (or both)."""
        if protocol not in (None, "smtp", "imap"):
            raise ValueError(f"protocol must be 'smtp', 'imap' or None, got {protocol!r}")
        sides = ("smtp", "imap") if protocol is None else (protocol,)
        with self._lock:
            for side in sides:
                self._check_failures[(_check_host(host), side)] = error

    def clear_check_failures(self) -> None:
        """Every connectivity check succeeds again."""
        with self._lock:
            self._check_failures.clear()

    def reset(self) -> None:
        """Forget every account and check failure, restore the keys (ids keep counting)."""
        with self._lock:
            self._ensure_open()
            self._store.clear()
            self._keys = dict(self._initial_keys)
            self._check_failures.clear()
            self._no_lemwarm_seat.clear()
            self._deleted.clear()
            self._status_rules.clear()

    def close(self) -> None:
        """Refuse further changes and close the store (reads of the last state still work)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._store.close()

    def _ensure_open(self) -> None:
        if self._closed:
            raise BackendClosed("the emulator is stopped")

    def _new_id(self) -> str:
        while True:
            length = _ID_LENGTHS[self._id_prefix]
            tail = "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))
            account_id = f"{self._id_prefix}_{tail}"
            if self._store.get(account_id) is None:
                return account_id
