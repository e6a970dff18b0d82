"""The HTTP layer: request framing, lemlist's routes and auth, and writing (or sabotaging) replies.

``LemlistApp`` maps an HTTP request onto the backend (auth, rate limit, routing, errors as
``text/plain``, successes as JSON). ``LemlistHTTPServer`` is a keep-alive HTTP/1.1
``ThreadingHTTPServer`` that hands every parsed request to a ``Dispatcher`` (the emulator,
which adds faults, latency and the request log) and writes the ``Reply`` it gets back.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, unquote

from lemlist_emulator.backend import (
    MSG_METHOD,
    MSG_NOT_FOUND,
    MSG_RATE_LIMITED,
    Backend,
    LemlistRefusal,
)
from lemlist_emulator.ratelimit import RateLimiter

__all__ = [
    "BASE_PATH",
    "Dispatcher",
    "LemlistApp",
    "LemlistHTTPServer",
    "Reply",
    "Request",
    "json_reply",
    "presented_key",
    "success_status",
    "text_reply",
]

logger = logging.getLogger("lemlist_emulator")

BASE_PATH = "/api"
MAX_BODY = 1 << 20
_ACCOUNTS = BASE_PATH + "/user/email-accounts"
_ACCOUNT_RE = re.compile(re.escape(_ACCOUNTS) + r"/([^/]+)")
_TEST_RE = re.compile(re.escape(_ACCOUNTS) + r"/([^/]+)/test")
TEXT = "text/plain; charset=utf-8"
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request. ``path`` excludes the query string."""

    method: str
    path: str
    query: str
    headers: Message
    body: bytes
    started: float
    connection: int = 0
    """Serial number of the TCP connection it came on (keep-alive reuse shows here)."""


@dataclass
class Reply:
    """What to send back. ``mode``: ``send`` it, ``drop`` the connection without a response, or
    ``truncate`` (announce ``declared_length`` bytes, send ``body``, close)."""

    status: int
    body: bytes = b""
    content_type: str = TEXT
    headers: list[tuple[str, str]] = field(default_factory=list)
    mode: Literal["send", "drop", "truncate"] = "send"
    declared_length: int | None = None


def text_reply(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Reply:
    """An error as lemlist sends it: ``text/plain``, one sentence."""
    return Reply(status, message.encode("utf-8"), TEXT, list(headers or []))


def json_reply(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
    """A JSON success body."""
    return Reply(status, json.dumps(body).encode("utf-8"), JSON, list(headers or []))


def presented_key(request: Request) -> str | None:
    """The API key: HTTP Basic with an empty user name, else ``?access_token=``.

    A Basic header with a non-empty user name carries no key (lemlist's documented form is
    ``base64(":" + key)``).
    """
    auth = request.headers.get("Authorization")
    if auth is not None:
        scheme, _, value = auth.strip().partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return password if sep and not user and password else None
    tokens = parse_qs(request.query).get("access_token")
    return tokens[0] if tokens else None


def route(path: str) -> tuple[str, str | None, tuple[str, ...]] | None:
    """``(operation, account_id, allowed_methods)`` for a path, or None for an unknown one."""
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    if path == _ACCOUNTS:
        return "connect", None, ("POST",)
    match = _TEST_RE.fullmatch(path)
    if match:
        return "test", unquote(match.group(1)), ("POST",)
    match = _ACCOUNT_RE.fullmatch(path)
    if match:
        return "disconnect", unquote(match.group(1)), ("DELETE",)
    return None


def success_status(method: str, path: str) -> int:
    """The status a successful call of this route answers (201 for connect, else 200)."""
    found = route(path)
    return 201 if found is not None and found[0] == "connect" and method == "POST" else 200


def _is_json(request: Request) -> bool:
    ctype = request.headers.get_content_type()
    return ctype == "application/json" or ctype.endswith("+json")


class LemlistApp:
    """lemlist's HTTP surface over a ``Backend``: auth, rate limit, routes, lemlist's errors."""

    def __init__(self, backend: Backend, limiter: RateLimiter | None) -> None:
        self.backend = backend
        self.limiter = limiter

    def handle(self, request: Request, pause: Callable[[], None] | None = None) -> Reply:
        """Answer one request. Checks run in lemlist's order: auth, rate limit, route and
        method, then the operation's own rules. ``pause`` runs once the request is admitted
        and routed, right before it takes effect (a stall)."""
        try:
            principal = self.backend.authenticate(presented_key(request))
        except LemlistRefusal as exc:
            return text_reply(exc.status, exc.message)
        headers: list[tuple[str, str]] = []
        if self.limiter is not None:
            decision = self.limiter.hit(principal.key_fingerprint)
            headers = decision.headers()
            if not decision.allowed:
                return text_reply(429, MSG_RATE_LIMITED, headers)
        found = route(request.path)
        if found is None:
            return text_reply(404, MSG_NOT_FOUND, headers)
        operation, account_id, methods = found
        if request.method not in methods:
            return text_reply(405, MSG_METHOD, [*headers, ("Allow", ", ".join(methods))])
        if pause is not None:
            pause()
        try:
            if operation == "connect":
                status, body = self.backend.connect_json(
                    principal, request.body, is_json=_is_json(request)
                )
            elif operation == "disconnect":
                assert account_id is not None
                status, body = self.backend.disconnect(principal, account_id)
            else:
                assert account_id is not None
                status, body = self.backend.test(principal, account_id)
        except LemlistRefusal as exc:
            return text_reply(exc.status, exc.message, headers)
        return json_reply(status, body, headers)


class Dispatcher(Protocol):
    """What the HTTP server hands requests to."""

    def dispatch(self, request: Request) -> Reply:
        """Produce the reply (and record the request) before anything is written."""
        ...

    def malformed(self, method: str, path: str, status: int, started: float) -> None:
        """Record a request the server refused before it could be parsed."""
        ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lemlist-emulator"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    server: LemlistHTTPServer
    connection_number = 0

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover - not a TCP socket
            pass
        self.connection_number = self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.untrack(self.connection)

    def parse_request(self) -> bool:
        """As http.server's, minus the previous request's path lingering on a keep-alive
        connection (it would mislabel the log line of a malformed request)."""
        self.path = ""
        return super().parse_request()

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: http.server would log the raw request line, query string (key) included."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Refusals of unparseable requests: a text body, a sanitized log line, then close."""
        started = time.monotonic()
        self.close_connection = True
        command = getattr(self, "command", None)
        method = command if isinstance(command, str) and command.isalpha() else "-"
        raw_path = getattr(self, "path", None)
        path = raw_path.split("?", 1)[0][:200] if isinstance(raw_path, str) and raw_path else "-"
        self.server.dispatcher.malformed(method, path, code, started)
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self._write(text_reply(code, phrase), head=False)

    def _read_body(self) -> bytes | None:
        """The request body; None after answering a framing error."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    self.send_error(400)
                    return None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    self.send_error(413)
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            self.send_error(400)
            return None
        if length < 0:
            self.send_error(400)
            return None
        if length > MAX_BODY:
            self.send_error(413)
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        started = time.monotonic()
        body = self._read_body()
        if body is None:
            return
        path, _, query = self.path.partition("?")
        request = Request(
            self.command, path, query, self.headers, body, started, self.connection_number
        )
        reply = self.server.dispatcher.dispatch(request)
        self._write(reply, head=self.command == "HEAD")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _write(self, reply: Reply, head: bool) -> None:
        if self.server.stopping:
            self.close_connection = True
        try:
            if reply.mode == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            body = b"" if head else reply.body
            declared = len(reply.body)
            if reply.mode == "truncate":
                self.close_connection = True
                declared = reply.declared_length or len(reply.body) + 1
            try:
                phrase = HTTPStatus(reply.status).phrase
            except ValueError:
                phrase = ""
            lines = [
                f"HTTP/1.1 {reply.status} {phrase}",
                f"Server: {self.server_version}",
                f"Date: {formatdate(usegmt=True)}",
                f"Content-Type: {reply.content_type}",
                f"Content-Length: {declared}",
                *(f"{name}: {value}" for name, value in reply.headers),
            ]
            if self.close_connection:
                lines.append("Connection: close")
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            if reply.mode == "truncate":
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            self.close_connection = True


class LemlistHTTPServer(ThreadingHTTPServer):
    """Threaded HTTP/1.1 server (daemon threads) that can close its open connections on stop."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    timeout = 1.0  # bounds handle_request() should a ready connection vanish before accept

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.dispatcher = dispatcher
        self.stopping = False
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._connection_count = 0
        self._halt = False
        self._halted = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        super().__init__(address, _Handler)

    def serve(self) -> None:
        """Accept connections until ``halt()``; unlike ``serve_forever`` it wakes up at once."""
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake_r, selectors.EVENT_READ)
                while not self._halt:
                    ready = selector.select()
                    if self._halt:
                        break
                    if any(key.fileobj is self for key, _ in ready):
                        self.handle_request()  # readable: accepts without blocking
        finally:
            self._halted.set()

    def halt(self, timeout: float = 5.0) -> None:
        """Stop the accept loop of ``serve()`` (from another thread) and wait for it."""
        self._halt = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        self._halted.wait(timeout)

    def server_close(self) -> None:
        """Close the listening socket and the wake-up pair."""
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()

    def track(self, connection: socket.socket) -> int:
        """Remember an open client connection; returns its serial number (from 1)."""
        with self._connections_lock:
            self._connections.add(connection)
            self._connection_count += 1
            return self._connection_count

    def untrack(self, connection: socket.socket) -> None:
        """Forget a closed client connection."""
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut every open client connection (idle keep-alive ones included)."""
        self.stopping = True
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
