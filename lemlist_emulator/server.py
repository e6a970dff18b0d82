"""The HTTP layer: a keep-alive HTTP/1.1 ``ThreadingHTTPServer`` that frames requests and writes
(or sabotages) replies. It hands every parsed request to a ``Dispatcher`` (the emulator's request
pipeline: faults, lemlist's answer, latency, the request log) and writes the ``Reply`` it gets.
"""

from __future__ import annotations

import logging
import selectors
import socket
import sys
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from lemlist_emulator.app import Reply, Request, text_reply

logger = logging.getLogger("lemlist_emulator")

__all__ = ["IDENTITY_HEADER", "MAX_BODY", "Dispatcher", "LemlistHTTPServer"]

MAX_BODY = 1 << 20
#: Not lemlist's: names the emulator's process and state file (``pid=N; state=PATH``, the path
#: percent-quoted) so that scripts/pulumi tells its own dev emulator from another checkout's.
IDENTITY_HEADER = "X-Lemlist-Emulator"


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

    def __getattr__(self, name: str) -> Any:
        """Every other method (TRACE, CONNECT, …) is dispatched too, so a route answers it
        405 as lemlist does, where the stdlib would answer 501 for want of a ``do_X``."""
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

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
            if self.server.identity:  # whose emulator this is (scripts/pulumi tells them apart)
                lines.append(f"{IDENTITY_HEADER}: {self.server.identity}")
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
        self.identity = ""
        self.stopping = False
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._connection_count = 0
        self._halt = False
        self._halted = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line for a connection that failed outside a request (a client that hung up).

        Not socketserver's default, which prints a whole traceback from the worker thread: the
        log stays one line per event, and CPython 3.11.7 formats tracebacks with ``ast.parse``,
        whose shared recursion counter can then fail a parse running in another thread
        (cpython gh-106905, fixed in 3.11.8).
        """
        exc = sys.exc_info()[1]
        logger.info("connection from %s ended: %s", client_address[0], type(exc).__name__)

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
