"""Plan gates: which routes a team's lemlist plan lacks (402 ``route is available starting
emailPro plan``), switchable per team from tests and the command line."""

from __future__ import annotations

import threading
from collections.abc import Iterable

__all__ = ["ALL_ROUTES", "PlanGates"]

#: Stands for every route of the API (a team on a plan without API access to any of them).
ALL_ROUTES = "*"


class PlanGates:
    """Team -> the operations its plan lacks (``connect``, ``test``, ``disconnect``,
    ``channels``, ``team``, ``user``, or :data:`ALL_ROUTES`). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gated: dict[str, frozenset[str]] = {}

    def gate(self, team: str, operations: Iterable[str] | None = None) -> None:
        """Refuse ``operations`` (None: every route) to ``team`` with 402."""
        names = frozenset([ALL_ROUTES] if operations is None else operations)
        with self._lock:
            self._gated[team] = self._gated.get(team, frozenset()) | names

    def ungate(self, team: str | None = None) -> None:
        """Lift ``team``'s gates (None: every team's)."""
        with self._lock:
            if team is None:
                self._gated.clear()
            else:
                self._gated.pop(team, None)

    def gated(self, team: str | None, operation: str) -> bool:
        """Whether ``team``'s plan lacks ``operation``."""
        if team is None:
            return False
        with self._lock:
            names = self._gated.get(team, frozenset())
        return ALL_ROUTES in names or operation in names

    def plan(self, team: str) -> str:
        """The plan name ``GET /user/channels`` reports for ``team``."""
        with self._lock:
            return "free" if self._gated.get(team) else "emailPro"
