"""The settings a provider was configured with, and one lemlist client per team.

Both providers (``EmailAccount``'s and ``Warmup``'s) resolve a mailbox's ``team`` to its key
here, so a team's calls share one client, hence one pacer, and a team without a key is
refused with the same sentence everywhere. The clients live only inside the provider host:
the providers pickle by reference and never carry this object into state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..errors import ConfigurationError
from ..host import hostpool
from .settings import Settings, resolve

C = TypeVar("C")


class TeamClients(Generic[C]):
    """``make(api_url, api_key, read_timeout=…, key_hint=…)`` builds a team's client."""

    def __init__(self, make: Callable[..., C]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._settings: Settings | None = None
        self._clients: dict[str | None, C] = {}

    def configure(self, config: Callable[[str], Any]) -> None:
        """Read the ``lemlist:*`` settings (``config``: a stack-config getter, the
        environment as fallback), size the host's pool, forget the previous clients."""
        settings = resolve(config)
        hostpool.resize(settings.concurrency)
        with self._lock:
            self._settings, self._clients = settings, {}

    def settings(self) -> Settings:
        """The configured settings (the environment's when ``configure`` never ran)."""
        with self._lock:
            if self._settings is None:
                self._settings = resolve(lambda _key: None)
            return self._settings

    def client(self, team: str | None, what: str | None = None) -> C:
        """The client of ``team`` (None: the default team), made on first use; ``what``
        prefixes a configuration error (e.g. the mailbox being disconnected)."""
        settings = self.settings()
        with self._lock:
            client = self._clients.get(team)
            if client is None:
                missing = settings.missing_key(team)
                if missing is not None:
                    raise ConfigurationError(f"{what}: {missing}" if what else missing)
                problem = settings.team_problem(team)
                if problem is not None:
                    raise ConfigurationError(
                        f"{what}: team {problem}" if what else f"Team {problem}"
                    )
                found = settings.team(team)
                assert found.api_key is not None  # team_problem refuses a team without a key
                client = self._make(
                    found.api_url,
                    found.api_key,
                    read_timeout=settings.read_timeout,
                    key_hint=settings.refused_key_hint(team),
                )
                self._clients[team] = client
            return client
