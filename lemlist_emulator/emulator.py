"""The in-process emulator: the public ``Emulator`` class that assembles the model, the rate
limiter, faults, latency and the HTTP server, and offers the in-process API tests use."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from lemlist_emulator.app import BASE_PATH, LemlistApp
from lemlist_emulator.campaigns import Campaigns
from lemlist_emulator.controls import Controls
from lemlist_emulator.faults import Fault, FaultPlan, RandomFaults
from lemlist_emulator.latency import OPERATIONS, Latency, PerOperation
from lemlist_emulator.model import Backend
from lemlist_emulator.pipeline import Pipeline, RequestRecord
from lemlist_emulator.plans import PlanGates
from lemlist_emulator.ratelimit import LEMLIST_RATE, RateLimiter
from lemlist_emulator.server import LemlistHTTPServer
from lemlist_emulator.store import open_store
from lemlist_emulator.teams import Keys, Members, TeamKeys, team_setup

__all__ = ["Emulator"]

_UI_DEFAULTS: dict[str, Any] = {
    "smtp_host": "smtp.example.com",
    "smtp_port": 587,
    "smtp_secure": False,
    "imap_host": "imap.example.com",
    "imap_port": 993,
    "imap_secure": True,
    "smtp_password": "connected-in-the-ui",
    "imap_password": "connected-in-the-ui",
}


class Emulator(Controls):
    """A local lemlist email-accounts API on ``http://HOST:PORT/api``.

    Teams: ``api_keys`` (key -> team, or keys of the default team ``team_1``; default
    ``"test-key"`` unless ``teams`` is given) and ``teams`` (team -> key or keys) say which keys
    are accepted and for which team; each team sees only its own accounts. ``members``: the
    default team's user ids (first: the owner), or team -> user ids; other teams have one,
    ``usr_<team>_owner``. ``bad_team_keys``: keys answered ``400 Bad team``.
    ``rate_limit``: ``(requests, seconds)`` per key, or None.
    Latency: ``latency`` and ``jitter`` in seconds, a bare number for every operation or a
    mapping per operation (``{"connect": 1.0, "test": 2.0, "disconnect": 0.3}``), on top of a
    named ``profile`` (``"lemlist"``); spent by ``sleep`` (injectable), never under a lock;
    seeded by ``seed`` like the random faults. ``state_path``: a SQLite file that keeps
    accounts across restarts (None: memory only). ``id_prefix``: ``"usm"`` (as lemlist lists
    ids) or ``"umx"``. ``catch_all``: unknown paths answer 200 HTML and unknown users ``200
    {}``, as lemlist does (default); False: ``404 Not found`` for both."""

    def __init__(
        self,
        api_keys: Keys | None = None,
        members: Members | None = None,
        bad_team_keys: Sequence[str] = (),
        rate_limit: tuple[int, float] | None = LEMLIST_RATE,
        latency: PerOperation | None = None,
        jitter: PerOperation | None = None,
        random_faults: RandomFaults | None = None,
        seed: int = 0,
        state_path: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        teams: TeamKeys | None = None,
        profile: str | None = None,
        sleep: Callable[[float], None] | None = None,
        id_prefix: str = "usm",
        catch_all: bool = True,
        arrival_jitter: float = 0.0,
    ) -> None:
        setup = team_setup(api_keys, teams, members)
        self.default_team = setup.default
        self._teams = list(dict.fromkeys([setup.default, *setup.members]))
        store = open_store(state_path)
        state = quote(str(Path(state_path).resolve())) if state_path is not None else "-"
        self._identity = f"pid={os.getpid()}; state={state}"
        self._backend = Backend(setup.keys, setup.members, bad_team_keys, store, id_prefix)
        self._gates = PlanGates()
        self._limiter = RateLimiter(*rate_limit) if rate_limit is not None else None
        self._random_faults = random_faults
        self._stop = threading.Event()
        app = LemlistApp(self._backend, self._limiter, catch_all=catch_all, gates=self._gates)
        self._campaigns: Campaigns = app.reading.campaigns
        faults = FaultPlan(random_faults, seed)
        timing = Latency(latency, jitter, profile, seed)
        self._pipeline = Pipeline(app, faults, timing, self._stop, sleep, arrival_jitter, seed)
        self._host, self._port = host, port
        self._server: LemlistHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----- lifecycle -------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind and serve in a background thread; returns self. An emulator starts once."""
        if self._server is not None or self._stop.is_set():
            raise RuntimeError("this emulator was already started")
        self._server = LemlistHTTPServer((self._host, self._port), self._pipeline)
        self._port = int(self._server.server_address[1])
        self._server.identity = self._identity
        self._thread = threading.Thread(
            target=self._server.serve,
            name=f"lemlist-emulator:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: wake stalled and waiting requests, close connections, close the state
        file. Returns once every request it ended is in the request log (their handler threads
        record them after waking; without the wait a caller could read the log first)."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._pipeline.release_all()
        server = self._server
        if server is not None:
            server.halt()
            self._pipeline.wait_idle(timeout=5.0)
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._backend.close()

    def __enter__(self) -> Emulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """The address the server binds."""
        return self._host

    @property
    def port(self) -> int:
        """The bound port (the real one once started with port 0)."""
        return self._port

    @property
    def url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:8787/api``."""
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}{BASE_PATH}"

    # ----- state -----------------------------------------------------------------------------

    def accounts(self, team: str | None = None) -> list[dict[str, Any]]:
        """Copies of every account (only ``team``'s when given), oldest first."""
        accounts = self._backend.accounts()
        return accounts if team is None else [a for a in accounts if a["team"] == team]

    @property
    def latency(self) -> dict[str, tuple[float, float]]:
        """Each operation's ``(latency, jitter)`` in seconds, as configured."""
        table = self._pipeline.latency
        return {op: (table.latency.get(op, 0.0), table.jitter.get(op, 0.0)) for op in OPERATIONS}

    @property
    def teams(self) -> list[str]:
        """Every team the emulator serves, the default team first."""
        return list(self._teams)

    def account(self, account_id: str) -> dict[str, Any] | None:
        """A snapshot copy of one account, or None."""
        return self._backend.account(account_id)

    def connect(self, **fields: Any) -> str:
        """Connect a mailbox directly (as in the lemlist UI); returns its id.

        Takes the API's body fields (``sender_email`` required; hosts, ports and passwords
        default to plausible values), plus ``team`` (default: the default team) and
        ``userId``/``user_id``. The API's rules apply: raises ``LemlistRefusal`` when refused.
        """
        team = str(fields.pop("team", self.default_team))
        if "user_id" in fields:
            fields["userId"] = fields.pop("user_id")
        email = fields.get("sender_email")
        if not isinstance(email, str) or not email:
            raise ValueError("connect() needs sender_email")
        defaults = dict(_UI_DEFAULTS, sender_name=email.split("@", 1)[0])
        defaults.update(smtp_login=email, imap_login=email)
        _, body = self._backend.connect(team, {**defaults, **fields})
        return str(body["id"])

    def disconnect(self, account_id: str) -> bool:
        """Remove an account outside the API (as in the lemlist UI); False if there was none."""
        return self._backend.remove(account_id)

    # ----- faults ----------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Queue a scripted fault; queued faults are consumed in order when they match."""
        self._pipeline.faults.inject(fault)

    def pending_faults(self) -> list[Fault]:
        """Scripted faults not consumed yet."""
        return self._pipeline.faults.pending()

    def set_random_faults(self, random_faults: RandomFaults | None) -> None:
        """Turn random faults on (restarting their seeded sequence) or off (None)."""
        self._pipeline.faults.set_random(random_faults)

    def clear_faults(self) -> None:
        """Drop every scripted fault and turn random faults off."""
        self._pipeline.faults.clear()

    def release_stalls(self) -> None:
        """End every stall now: stalled requests go on as if their time had run out."""
        self._pipeline.release_stalls()

    # ----- request log -----------------------------------------------------------------------

    def request_log(self, team: str | None = None) -> list[RequestRecord]:
        """Every request handled so far (only ``team``'s when given), in the order their
        replies were decided."""
        records = self._pipeline.records()
        return records if team is None else [r for r in records if r.team == team]

    def count(
        self, status: int | None = None, method: str | None = None, path: str | None = None
    ) -> int:
        """How many logged requests match ``status``, ``method`` and a ``path`` substring."""
        return sum(
            1
            for record in self.request_log()
            if (status is None or record.status == status)
            and (method is None or record.method == method.upper())
            and (path is None or path in record.path)
        )

    def clear_log(self) -> None:
        """Forget the request log."""
        self._pipeline.clear_log()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until no request is being processed; False if ``timeout`` passed first."""
        return self._pipeline.wait_idle(timeout)

    def wait_stalled(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until at least ``count`` requests are held by a stall fault (for tests that
        must act while a request hangs); False if ``timeout`` passed first."""
        return self._pipeline.wait_stalled(count, timeout)

    def wait_waiting(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until at least ``count`` requests are spending their operation's latency (for
        tests that must act while a slow call is under way); False if ``timeout`` passed first."""
        return self._pipeline.wait_waiting(count, timeout)

    def reset(self) -> None:
        """Back to the state just after construction: no accounts, scripted faults, check
        failures, log or rate counts; random faults as configured and the seeded sequences
        (faults, jitter) restarted."""
        self._backend.reset()
        self._gates.ungate()
        self._campaigns.reset()
        self._pipeline.faults.clear()
        self._pipeline.faults.set_random(self._random_faults)
        self._pipeline.latency.reset()
        if self._limiter is not None:
            self._limiter.reset()
        self._pipeline.clear_log()
