"""The request pipeline between the HTTP server and lemlist's answers: faults, the operation's
latency, stalls, and the request log. Nothing here holds a lock while a request waits, so
concurrent requests overlap (only the log, the in-flight counts and random draws are locked).
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from http import HTTPStatus

from lemlist_emulator.app import (
    JSON,
    LemlistApp,
    Reply,
    Request,
    presented_key,
    route,
    success_status,
    text_reply,
)
from lemlist_emulator.faults import Fault, FaultPlan
from lemlist_emulator.latency import Latency
from lemlist_emulator.refusals import MSG_RATE_LIMITED, BackendClosed, fingerprint

__all__ = ["Abandoned", "Pipeline", "RequestRecord"]

logger = logging.getLogger("lemlist_emulator")

_GARBAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
_EMPTY_HEADERS = Message()


@dataclass(frozen=True)
class RequestRecord:
    """One handled request. ``status`` 0: the connection was dropped without a response.
    ``key_fingerprint``: first 12 hex digits of the presented key's sha256 (never the key).
    ``connection``: serial number of the TCP connection (equal numbers: keep-alive reuse).
    ``team``: the presented key's team (None: no valid key); ``operation``: ``connect``,
    ``test``, ``disconnect`` or None (no route); ``latency``: the seconds of operation
    latency this request spent (0 when refused before the operation, a 429 included)."""

    method: str
    path: str
    status: int
    fault: str | None
    started: float
    duration: float
    key_fingerprint: str | None
    connection: int = 0
    team: str | None = None
    operation: str | None = None
    latency: float = 0.0


class Abandoned(Exception):
    """The emulator stopped while this request was waiting."""


class Pipeline:
    """Turns a parsed request into its reply and log record (the HTTP server's dispatcher).

    ``sleep(seconds)`` spends an operation's latency; the default waits on ``stop`` so that
    stopping the emulator ends every wait at once (tests inject a recorder instead).
    """

    def __init__(
        self,
        app: LemlistApp,
        faults: FaultPlan,
        latency: Latency,
        stop: threading.Event,
        sleep: Callable[[float], None] | None = None,
        arrival_jitter: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.app = app
        self.faults = faults
        self.latency = latency
        #: Up to this many seconds (uniform, seeded) between accepting a request and counting
        #: it against the rate window: the network and proxies on the way to lemlist.
        self.arrival_jitter = arrival_jitter
        self._arrivals = random.Random(f"{seed}:arrival")  # noqa: S311 - simulation
        self._stop = stop
        self._sleep = sleep or self._wait_unless_stopped
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._log: list[RequestRecord] = []
        #: requests being processed ("inflight"), held by a stall ("stalled"), spending
        #: their latency ("waiting"): what the wait_* methods let tests wait for.
        self._count: Counter[str] = Counter()
        self._release = threading.Event()

    # ----- the dispatcher interface ----------------------------------------------------------

    def dispatch(self, request: Request) -> Reply:
        """Faults, processing (with the operation's latency), then the log record: all before
        any byte is sent."""
        slept: list[float] = []
        with self._counted("inflight"):
            if self.arrival_jitter > 0:
                with self._lock:
                    delay = self._arrivals.uniform(0.0, self.arrival_jitter)
                try:
                    self._sleep(delay)
                except Abandoned:
                    return Reply(0, mode="drop")
            fault = self.faults.pick(request.method, request.path)
            try:
                reply = self._process(request, fault, slept)
            except (Abandoned, BackendClosed):
                reply = Reply(0, mode="drop")
            except Exception:  # a bug here must still answer, and never echo the request
                logger.exception("emulator failure on %s %s", request.method, request.path)
                reply = text_reply(500, "Internal Server Error")
            self._record(request, reply, fault, sum(slept))
            return reply

    def malformed(self, method: str, path: str, status: int, started: float) -> None:
        """Log a request the HTTP layer refused before parsing it."""
        request = Request(method, path, "", _EMPTY_HEADERS, b"", started)
        self._record(request, Reply(status), None, 0.0)

    # ----- processing ------------------------------------------------------------------------

    def _process(self, request: Request, fault: Fault | None, slept: list[float]) -> Reply:
        def admitted(operation: str) -> None:
            if fault is not None and fault.kind == "stall" and not fault.after_processing:
                self._stall(fault.seconds)
            seconds = self.latency.delay(operation)
            if seconds > 0:
                slept.append(seconds)
                self._spend(seconds)

        if fault is None or fault.kind == "stall":
            reply = self.app.handle(request, admitted)
            if fault is not None and fault.after_processing:
                self._stall(fault.seconds)
            return reply
        if not fault.after_processing:
            return self._fault_reply(fault, request, None)
        return self._fault_reply(fault, request, self.app.handle(request, admitted))

    def _fault_reply(self, fault: Fault, request: Request, real: Reply | None) -> Reply:
        if fault.kind == "drop":
            return Reply(0, mode="drop")
        if fault.kind == "status":
            return text_reply(fault.status, HTTPStatus(fault.status).phrase)
        if fault.kind == "rate_limit":
            limit = self.app.limiter.limit if self.app.limiter is not None else 20
            headers = [
                ("Retry-After", str(fault.retry_after)),
                ("X-RateLimit-Limit", str(limit)),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", str(max(1, fault.retry_after))),
            ]
            return text_reply(429, MSG_RATE_LIMITED, headers)
        if real is None or not 200 <= real.status < 300:
            real = Reply(success_status(request.method, request.path), b'{"ok": true}', JSON)
        if fault.kind == "garbage":
            return Reply(real.status, _GARBAGE, JSON)
        full = real.body
        half = full[: len(full) // 2]
        return Reply(real.status, half, JSON, mode="truncate", declared_length=len(full))

    def _spend(self, seconds: float) -> None:
        """Spend an operation's latency, counted so tests can act while a request waits."""
        with self._counted("waiting"):
            self._sleep(seconds)

    def _wait_unless_stopped(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise Abandoned

    # ----- stalls ----------------------------------------------------------------------------

    def _stall(self, seconds: float) -> None:
        # Taken before counting: a release_stalls() in between has set this very event.
        with self._lock:
            release = self._release
        with self._counted("stalled"):
            release.wait(seconds)
        if self._stop.is_set():
            raise Abandoned

    def release_stalls(self) -> None:
        """End every stall now: stalled requests go on as if their time had run out."""
        with self._lock:
            self._release.set()
            self._release = threading.Event()

    def release_all(self) -> None:
        """Wake every stalled request for good (the emulator is stopping)."""
        with self._lock:
            self._release.set()

    @contextlib.contextmanager
    def _counted(self, state: str) -> Iterator[None]:
        """Count this request as being in ``state`` for the duration of the block."""
        with self._changed:
            self._count[state] += 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._count[state] -= 1
                self._changed.notify_all()

    def _wait_for(self, done: Callable[[Counter[str]], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: done(self._count), timeout=timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Block until no request is being processed; False if ``timeout`` passed first."""
        return self._wait_for(lambda n: n["inflight"] == 0, timeout)

    def wait_waiting(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` requests are spending their operation's latency."""
        return self._wait_for(lambda n: n["waiting"] >= count, timeout)

    def wait_stalled(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` requests are held by a stall fault."""
        return self._wait_for(lambda n: n["stalled"] >= count, timeout)

    # ----- the request log -------------------------------------------------------------------

    def records(self) -> list[RequestRecord]:
        """Every request handled so far, in the order their replies were decided."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        """Forget the request log."""
        with self._lock:
            self._log.clear()

    def _record(self, request: Request, reply: Reply, fault: Fault | None, slept: float) -> None:
        key = presented_key(request) if request.headers is not _EMPTY_HEADERS else None
        status = 0 if reply.mode == "drop" else reply.status
        found = route(request.path)
        record = RequestRecord(
            request.method,
            request.path,
            status,
            fault.label if fault is not None else None,
            request.started,
            time.monotonic() - request.started,
            fingerprint(key)[:12] if key else None,
            request.connection,
            self.app.backend.team_of(key),
            found[0] if found is not None else None,
            slept,
        )
        with self._lock:
            self._log.append(record)
        _log_line(record, reply)


def _log_line(record: RequestRecord, reply: Reply) -> None:
    outcome = "dropped" if record.status == 0 else str(record.status)
    if reply.mode == "truncate":
        outcome += " truncated"
    logger.info(
        "%s %s -> %s in %.1f ms%s%s",
        record.method,
        record.path,
        outcome,
        record.duration * 1000,
        f" [team {record.team}]" if record.team is not None else "",
        f" [fault {record.fault}]" if record.fault is not None else "",
    )
