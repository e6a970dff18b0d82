"""The in-process emulator: backend + rate limiter + faults + HTTP server + request log."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any

from lemlist_emulator.backend import (
    MSG_RATE_LIMITED,
    Backend,
    BackendClosed,
    fingerprint,
)
from lemlist_emulator.faults import Fault, FaultPlan, RandomFaults
from lemlist_emulator.ratelimit import RateLimiter
from lemlist_emulator.server import (
    BASE_PATH,
    JSON,
    LemlistApp,
    LemlistHTTPServer,
    Reply,
    Request,
    presented_key,
    success_status,
    text_reply,
)
from lemlist_emulator.store import open_store

__all__ = ["DEFAULT_TEAM", "Emulator", "RequestRecord"]

logger = logging.getLogger("lemlist_emulator")

DEFAULT_TEAM = "team_1"
_GARBAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
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


@dataclass(frozen=True)
class RequestRecord:
    """One handled request. ``status`` 0: the connection was dropped without a response.
    ``key_fingerprint``: first 12 hex digits of the presented key's sha256 (never the key).
    ``connection``: serial number of the TCP connection (equal numbers: keep-alive reuse)."""

    method: str
    path: str
    status: int
    fault: str | None
    started: float
    duration: float
    key_fingerprint: str | None
    connection: int = 0


class _Abandoned(Exception):
    """The emulator stopped while this request was waiting."""


def _normalize_keys(api_keys: Mapping[str, str] | Sequence[str] | str) -> dict[str, str]:
    if isinstance(api_keys, str):
        return {api_keys: DEFAULT_TEAM}
    if isinstance(api_keys, Mapping):
        return {str(key): str(team) for key, team in api_keys.items()}
    return {str(key): DEFAULT_TEAM for key in api_keys}


class Emulator:
    """A local lemlist email-accounts API on ``http://HOST:PORT/api``.

    ``api_keys``: key -> team, or a list of keys (all in ``team_1``). ``members``: the user ids
    of the default team (``team_1`` when it exists, else the first key's team; the first user
    is the owner), or team -> user ids. ``rate_limit``: ``(requests, seconds)`` per key, or
    None. ``latency``/``jitter``: seconds added server side to every response. ``state_path``:
    a SQLite file that keeps accounts across restarts (None: memory only).
    """

    def __init__(
        self,
        api_keys: Mapping[str, str] | Sequence[str] | str = ("test-key",),
        members: Sequence[str] | Mapping[str, Sequence[str]] = ("usr_owner", "usr_member"),
        bad_team_keys: Sequence[str] = (),
        rate_limit: tuple[int, float] | None = (20, 2.0),
        latency: float = 0.0,
        jitter: float = 0.0,
        random_faults: RandomFaults | None = None,
        seed: int = 0,
        state_path: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if latency < 0 or jitter < 0:
            raise ValueError("latency and jitter must not be negative")
        keys = _normalize_keys(api_keys)
        teams = list(dict.fromkeys(keys.values()))
        self.default_team = DEFAULT_TEAM if DEFAULT_TEAM in teams or not teams else teams[0]
        if isinstance(members, str):
            team_members: dict[str, Sequence[str]] = {self.default_team: (members,)}
        elif isinstance(members, Mapping):
            team_members = {str(team): tuple(users) for team, users in members.items()}
        else:
            team_members = {self.default_team: tuple(members)}
        self._backend = Backend(
            keys=keys,
            members=team_members,
            bad_team_keys=bad_team_keys,
            store=open_store(state_path),
        )
        self._limiter = RateLimiter(*rate_limit) if rate_limit is not None else None
        self._app = LemlistApp(self._backend, self._limiter)
        self._random_faults = random_faults
        self._faults = FaultPlan(random_faults, seed)
        self._latency = latency
        self._jitter = jitter
        self._seed = seed
        self._jitter_rng = random.Random(seed)  # noqa: S311 - simulation, not crypto
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._idle = threading.Condition(self._lock)
        self._inflight = 0
        self._stalled = 0
        self._stop = threading.Event()
        self._release = threading.Event()
        self._server: LemlistHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----- lifecycle -------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind and serve in a background thread; returns self. An emulator starts once."""
        if self._server is not None or self._stop.is_set():
            raise RuntimeError("this emulator was already started")
        self._server = LemlistHTTPServer((self._host, self._port), self)
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve,
            name=f"lemlist-emulator:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: wake stalled requests, close connections, close the state file."""
        if self._stop.is_set():
            return
        self._stop.set()
        with self._lock:
            self._release.set()
        server = self._server
        if server is not None:
            server.halt()
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

    def accounts(self) -> list[dict[str, Any]]:
        """Snapshot copies of every connected account, oldest first."""
        return self._backend.accounts()

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

    def fail_check(
        self, host: str, protocol: str | None = None, error: str = "Authentication failed"
    ) -> None:
        """Make the test endpoint fail with ``error`` for accounts using ``host``, on
        ``protocol`` (``"smtp"``/``"imap"``) or on every side whose host matches (None)."""
        self._backend.fail_check(host, protocol, error)

    def clear_check_failures(self) -> None:
        """Every connectivity check succeeds again."""
        self._backend.clear_check_failures()

    # ----- faults ----------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Queue a scripted fault; queued faults are consumed in order when they match."""
        self._faults.inject(fault)

    def pending_faults(self) -> list[Fault]:
        """Scripted faults not consumed yet."""
        return self._faults.pending()

    def set_random_faults(self, random_faults: RandomFaults | None) -> None:
        """Turn random faults on (restarting their seeded sequence) or off (None)."""
        self._faults.set_random(random_faults)

    def clear_faults(self) -> None:
        """Drop every scripted fault and turn random faults off."""
        self._faults.clear()

    def release_stalls(self) -> None:
        """End every stall now: stalled requests go on as if their time had run out."""
        with self._lock:
            self._release.set()
            self._release = threading.Event()

    # ----- request log -----------------------------------------------------------------------

    def request_log(self) -> list[RequestRecord]:
        """Every request handled so far, in the order their replies were decided."""
        with self._lock:
            return list(self._log)

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
        with self._lock:
            self._log.clear()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until no request is being processed; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._inflight == 0, timeout=timeout)

    def wait_stalled(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until at least ``count`` requests are held by a stall fault (for tests that
        must act while a request hangs); False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._stalled >= count, timeout=timeout)

    def reset(self) -> None:
        """Back to the state just after construction: no accounts, scripted faults, check
        failures, log or rate counts; random faults as configured, their sequence restarted."""
        self._backend.reset()
        self._faults.clear()
        self._faults.set_random(self._random_faults)
        if self._limiter is not None:
            self._limiter.reset()
        with self._lock:
            self._log.clear()
            self._jitter_rng = random.Random(self._seed)  # noqa: S311 - simulation, not crypto

    # ----- the request pipeline (called by the HTTP server) ----------------------------------

    def dispatch(self, request: Request) -> Reply:
        """Faults, processing, latency, then the log record: all before any byte is sent."""
        with self._lock:
            self._inflight += 1
        try:
            fault = self._faults.pick(request.method, request.path)
            try:
                reply = self._process(request, fault)
                self._wait(self._stop, self._delay())
            except (_Abandoned, BackendClosed):
                reply = Reply(0, mode="drop")
            except Exception:  # a bug here must still answer, and never echo the request
                logger.exception("emulator failure on %s %s", request.method, request.path)
                reply = text_reply(500, "Internal Server Error")
            self._record(request, reply, fault)
            return reply
        finally:
            with self._idle:
                self._inflight -= 1
                self._idle.notify_all()

    def malformed(self, method: str, path: str, status: int, started: float) -> None:
        """Log a request the HTTP layer refused before parsing it."""
        request = Request(method, path, "", _EMPTY_HEADERS, b"", started)
        self._record(request, Reply(status), None)

    def _process(self, request: Request, fault: Fault | None) -> Reply:
        if fault is None:
            return self._app.handle(request)
        if fault.kind == "stall":
            if fault.after_processing:
                reply = self._app.handle(request)
                self._stall(fault.seconds)
                return reply
            return self._app.handle(request, pause=lambda: self._stall(fault.seconds))
        if not fault.after_processing:
            return self._fault_reply(fault, request, None)
        return self._fault_reply(fault, request, self._app.handle(request))

    def _fault_reply(self, fault: Fault, request: Request, real: Reply | None) -> Reply:
        if fault.kind == "drop":
            return Reply(0, mode="drop")
        if fault.kind == "status":
            return text_reply(fault.status, HTTPStatus(fault.status).phrase)
        if fault.kind == "rate_limit":
            limit = self._limiter.limit if self._limiter is not None else 20
            return text_reply(
                429,
                MSG_RATE_LIMITED,
                [
                    ("Retry-After", str(fault.retry_after)),
                    ("X-RateLimit-Limit", str(limit)),
                    ("X-RateLimit-Remaining", "0"),
                    ("X-RateLimit-Reset", str(max(1, fault.retry_after))),
                ],
            )
        ok = real is not None and 200 <= real.status < 300
        status = (
            real.status if real is not None and ok else success_status(request.method, request.path)
        )
        if fault.kind == "garbage":
            return Reply(status, _GARBAGE, JSON)
        full = real.body if real is not None and ok else b'{"ok": true}'
        return Reply(
            status,
            full[: len(full) // 2],
            JSON,
            mode="truncate",
            declared_length=len(full),
        )

    def _delay(self) -> float:
        if not self._latency and not self._jitter:
            return 0.0
        with self._lock:
            offset = self._jitter_rng.uniform(-self._jitter, self._jitter) if self._jitter else 0.0
        return max(0.0, self._latency + offset)

    def _stall(self, seconds: float) -> None:
        with self._idle:
            release = self._release
            self._stalled += 1
            self._idle.notify_all()
        try:
            release.wait(seconds)
        finally:
            with self._idle:
                self._stalled -= 1
        if self._stop.is_set():
            raise _Abandoned

    def _wait(self, event: threading.Event, seconds: float) -> None:
        if seconds > 0 and event.wait(seconds):
            raise _Abandoned

    def _record(self, request: Request, reply: Reply, fault: Fault | None) -> None:
        key = presented_key(request) if request.headers is not _EMPTY_HEADERS else None
        status = 0 if reply.mode == "drop" else reply.status
        duration = time.monotonic() - request.started
        record = RequestRecord(
            request.method,
            request.path,
            status,
            fault.label if fault is not None else None,
            request.started,
            duration,
            fingerprint(key)[:12] if key else None,
            request.connection,
        )
        with self._lock:
            self._log.append(record)
        outcome = "dropped" if status == 0 else str(status)
        if reply.mode == "truncate":
            outcome += " truncated"
        logger.info(
            "%s %s -> %s in %.1f ms%s",
            request.method,
            request.path,
            outcome,
            duration * 1000,
            f" [fault {fault.label}]" if fault is not None else "",
        )


_EMPTY_HEADERS = Message()
