"""lemwarm (warm-up) as lemlist documents it: start, pause, and the settings (GET / PATCH).

Written from the contract (../shared/lemlist-api.md, "lemwarm"), not from the provider.
``PATCH /lemwarm/{id}/settings`` takes any of ``warmEmailMax`` (1-40), ``warmEmailRampup``
(1-40), ``internalCommunicationPercent`` (0-100), ``answerPercentage`` (0-100),
``warmUsePlaintext`` and ``warmDailyVarianceEnabled`` (booleans), at least one; 200
``{"ok": true}``; 400 ``A provided field has the wrong type`` (a value of the wrong JSON type)
or ``Error updating settings`` (no field, or a number out of range). Where the contract is
silent on which word, the emulator's choices (docs/emulator.md), every one a 400 as the
spec (../shared/lemlist-openapi.json) gives these routes no other refusal status: start and
pause answer warmupToggle's words, ``mailbox-deleted`` (a disconnected mailbox),
``invalid-usermailbox`` (unknown, or another team's) and ``billing-error`` (start, no lemwarm
seat); GET settings answers ``Error retrieving settings`` and PATCH ``Error updating
settings`` for such a mailbox; a new mailbox starts paused with :data:`DEFAULT_SETTINGS`.
The mixin keeps each account's ``lemwarm_active`` and ``lemwarm_settings`` on its record
(``GET /users/{userId}`` reports ``lemwarm.active``).
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from lemlist_emulator.model import Principal
    from lemlist_emulator.store import MemoryStore

__all__ = [
    "DEFAULT_SETTINGS",
    "MSG_BILLING",
    "MSG_DELETED",
    "MSG_INVALID_MAILBOX",
    "MSG_READ_ERROR",
    "MSG_UPDATE_ERROR",
    "MSG_WRONG_TYPE",
    "LemwarmRoutes",
    "route",
]

MSG_WRONG_TYPE = "A provided field has the wrong type"
MSG_UPDATE_ERROR = "Error updating settings"
MSG_READ_ERROR = "Error retrieving settings"
MSG_BILLING = "billing-error"
MSG_DELETED = "mailbox-deleted"
MSG_INVALID_MAILBOX = "invalid-usermailbox"
_BAD_TEAM = "Bad team"

#: name -> (low, high), or None for a boolean.
RANGES: dict[str, tuple[int, int] | None] = {
    "warmEmailMax": (1, 40),
    "warmEmailRampup": (1, 40),
    "internalCommunicationPercent": (0, 100),
    "answerPercentage": (0, 100),
    "warmUsePlaintext": None,
    "warmDailyVarianceEnabled": None,
}
#: A new mailbox's settings (lemlist's GET example shows warmEmailMax 5, warmEmailRampup 5).
DEFAULT_SETTINGS: dict[str, Any] = {
    "warmEmailMax": 5,
    "warmEmailRampup": 5,
    "internalCommunicationPercent": 0,
    "answerPercentage": 30,
    "warmUsePlaintext": False,
    "warmDailyVarianceEnabled": False,
}

_ROUTE_RE = re.compile(r"/api/lemwarm/([^/]+)/(start|pause|settings)")
_METHODS = {"start": ("POST",), "pause": ("POST",), "settings": ("GET", "PATCH")}


def route(path: str) -> tuple[str, str, tuple[str, ...]] | None:
    """``("lemwarm_start"|"lemwarm_pause"|"lemwarm_settings", mailbox_id, methods)``."""
    match = _ROUTE_RE.fullmatch(path)
    if match is None:
        return None
    action = match.group(2)
    return f"lemwarm_{action}", unquote(match.group(1)), _METHODS[action]


class Refused(Exception):
    """A lemwarm refusal: status and lemlist's sentence (the backend turns it into its own)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message


def settings_update(body: bytes) -> dict[str, Any]:
    """The PATCH body's settings, by lemlist's rules (unknown keys are ignored)."""
    try:
        fields = json.loads(body) if body.strip() else {}
    except ValueError:
        raise Refused(400, MSG_WRONG_TYPE) from None
    if not isinstance(fields, dict):
        raise Refused(400, MSG_WRONG_TYPE)
    clean: dict[str, Any] = {}
    for name, bounds in RANGES.items():
        if name not in fields:
            continue
        value = fields[name]
        if bounds is None:
            if not isinstance(value, bool):
                raise Refused(400, MSG_WRONG_TYPE)
        elif isinstance(value, bool) or not isinstance(value, int):
            raise Refused(400, MSG_WRONG_TYPE)
        elif not bounds[0] <= value <= bounds[1]:
            raise Refused(400, MSG_UPDATE_ERROR)
        clean[name] = value
    if not clean:
        raise Refused(400, MSG_UPDATE_ERROR)
    return clean


class LemwarmRoutes:
    """The lemwarm routes of the backend (mixed into ``Backend``, which owns the lock,
    the store and the seat switch)."""

    _lock: threading.Lock
    _store: MemoryStore
    _no_lemwarm_seat: set[str | None]
    _deleted: set[str]

    def lemwarm(
        self, principal: Principal, operation: str, method: str, mailbox_id: str, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        """Serve one lemwarm route for ``principal``'s team."""
        team = principal.team
        if team is None:
            raise Refused(400, _BAD_TEAM)
        changes = settings_update(body) if method == "PATCH" else {}
        with self._lock:
            account = self._store.get(mailbox_id)
            if account is None or account["team"] != team:
                raise Refused(400, _unknown(operation, method, mailbox_id in self._deleted))
            if operation == "lemwarm_settings" and method == "GET":
                since = account.get("lemwarm_active_at")
                shown = {"activeAt": since} if since else {}
                return 200, {**DEFAULT_SETTINGS, **shown, **account.get("lemwarm_settings", {})}
            if operation == "lemwarm_start" and (team in self._no_lemwarm_seat or (
                None in self._no_lemwarm_seat
            )):
                raise Refused(400, MSG_BILLING)
            self._store.update(mailbox_id, _changed(account, operation, changes))
        return 200, {"ok": True}

    def set_lemwarm(self, mailbox_id: str, active: bool | None, settings: dict[str, Any]) -> None:
        """Change a mailbox's lemwarm outside the API (as in the lemlist UI); KeyError when
        there is no such mailbox. ``settings`` use lemlist's keys; ranges are not checked."""
        with self._lock:
            account = self._store.get(mailbox_id)
            if account is None:
                raise KeyError(mailbox_id)
            record: dict[str, Any] = {
                "lemwarm_settings": {**account.get("lemwarm_settings", {}), **settings}
            }
            if active is not None:
                record["lemwarm_active"] = active
            self._store.update(mailbox_id, record)

    def set_lemwarm_seat(self, available: bool, team: str | None = None) -> None:
        """Give (or take away) the lemwarm seat of ``team``, or of every team (None)."""
        with self._lock:
            if available:
                self._no_lemwarm_seat.discard(team)
            else:
                self._no_lemwarm_seat.add(team)


def _unknown(operation: str, method: str, deleted: bool) -> str:
    """lemlist's word for a mailbox the key's team does not have (gone, unknown, foreign)."""
    if operation != "lemwarm_settings":
        return MSG_DELETED if deleted else MSG_INVALID_MAILBOX
    return MSG_READ_ERROR if method == "GET" else MSG_UPDATE_ERROR


def _now() -> str:
    """The time as lemlist writes it: ISO 8601, milliseconds, UTC ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _changed(account: dict[str, Any], operation: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``account`` that ``operation`` changes."""
    if operation == "lemwarm_start":  # activeAt: since when it runs, as the GET example shows
        since = account.get("lemwarm_active_at") if account.get("lemwarm_active") else None
        return {"lemwarm_active": True, "lemwarm_active_at": since or _now()}
    if operation == "lemwarm_pause":
        return {"lemwarm_active": False}
    return {"lemwarm_settings": {**account.get("lemwarm_settings", {}), **changes}}
