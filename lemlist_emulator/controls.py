"""What tests and the command line change in the emulator as lemlist's UI or billing would:
a mailbox's status, its warm-up, plan gates, failing connectivity checks. A mixin of
``Emulator`` (``emulator.py``), which owns the backend and the plan gates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lemlist_emulator.campaigns import Campaigns
from lemlist_emulator.model import Backend
from lemlist_emulator.plans import PlanGates

__all__ = ["Controls"]


class Controls:
    """The emulator's controls outside the API."""

    _backend: Backend
    _gates: PlanGates
    _campaigns: Campaigns
    default_team: str

    def add_campaign(
        self, user_id: str, name: str, status: str = "running", team: str | None = None
    ) -> str:
        """Seed a campaign ``user_id`` sends in (``GET /team/senders`` lists it); its id."""
        return self._campaigns.add(team or self.default_team, user_id, name, status)

    def rotate_key(self, old: str, new: str) -> str:
        """Regenerate an API key as lemlist's settings page does: ``new`` serves ``old``'s team
        and ``old`` is revoked (401). The team; KeyError when ``old`` is no key."""
        return self._backend.rotate_key(old, new)

    def set_status(self, target: str, status: str) -> int:
        """Set a mailbox's status (``CONNECTED``, ``ERROR`` as if its password changed,
        ``DISCONNECTED``) by id, or by address (now and for later connects); returns how many
        changed. A mailbox not CONNECTED also fails the test endpoint."""
        return self._backend.set_status(target, status)

    def update_account(self, account_id: str, **changes: Any) -> bool:
        """Change ``status``, ``email_limit`` or ``lemwarm_active``; False if no account."""
        unknown = set(changes) - {"status", "email_limit", "lemwarm_active"}
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
        return self._backend.update(account_id, **changes)

    def gate_plan(self, team: str | None = None, operations: Iterable[str] | None = None) -> None:
        """``team``'s plan (default team) lacks ``operations`` (None: all): they answer 402."""
        self._gates.gate(team or self.default_team, operations)

    def ungate_plan(self, team: str | None = None) -> None:
        """Lift ``team``'s plan gates (None: every team's)."""
        self._gates.ungate(team)

    def fail_check(
        self, host: str, protocol: str | None = None, error: str = "Authentication failed"
    ) -> None:
        """Make the test endpoint fail with ``error`` for accounts using ``host``, on
        ``protocol`` (``"smtp"``/``"imap"``) or on every side whose host matches (None)."""
        self._backend.fail_check(host, protocol, error)

    def clear_check_failures(self) -> None:
        """Every connectivity check succeeds again."""
        self._backend.clear_check_failures()

    def set_lemwarm(self, account_id: str, active: bool | None = None, **settings: Any) -> None:
        """Change a mailbox's lemwarm as in the lemlist UI: ``active``, and settings by
        lemlist's names (``warmEmailMax=25``). KeyError for an unknown mailbox."""
        self._backend.set_lemwarm(account_id, active, settings)

    def set_lemwarm_seat(self, available: bool, team: str | None = None) -> None:
        """With ``available=False``, lemwarm start answers 400 ``billing-error`` for ``team``
        (None: every team)."""
        self._backend.set_lemwarm_seat(available, team)
