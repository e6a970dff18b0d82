"""A scripted HTTP proxy in front of the emulator: what sits between a provider and lemlist.

The emulator answers as lemlist documents; this proxy answers as the things in between do —
a corporate proxy, a captive portal, a load balancer with a stale route, a half-migrated API.
It forwards every request to ``upstream`` unchanged, except those a queued :class:`Canned`
answer matches: those get the canned answer instead (the request never reaches lemlist), or,
with ``after_forwarding``, after lemlist processed it (its real answer is replaced).

With ``upstream=None`` it forwards nothing and only records: a redirect *trap*, to prove that
nothing is ever sent where a ``Location`` points.
"""

from __future__ import annotations

import gzip
import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

__all__ = ["Canned", "Proxy", "proxy"]


@dataclass(frozen=True)
class Canned:
    """One scripted answer for the next ``times`` requests with ``method`` whose path ends in
    ``path`` (None: any).

    ``content_type`` None sends no Content-Type; ``gzip`` declares ``Content-Encoding: gzip``
    (``body`` is sent as given: pass garbage to test a broken encoding, or :func:`gzipped`).
    """

    status: int
    body: bytes = b""
    content_type: str | None = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    method: str | None = None
    path: str | None = None
    after_forwarding: bool = False
    gzip: bool = False
    times: int = 1

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or path.split("?", 1)[0].endswith(self.path)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


class _QuietServer(ThreadingHTTPServer):
    """Drops connection errors (a client hanging up on a trap) without printing a traceback from
    a worker thread: on CPython 3.11.7 that formatting runs ``ast.parse``, which can race a parse
    in the test's own thread (cpython gh-106905)."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class Proxy:
    """The proxy server: ``url`` is the API base URL to give the provider."""

    def __init__(self, upstream: str | None) -> None:
        self.upstream = urlsplit(upstream) if upstream else None
        self._lock = threading.Lock()
        self._queue: list[Canned] = []
        self.received: list[tuple[str, str]] = []
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        path = self.upstream.path if self.upstream else "/api"
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def queue(self, *answers: Canned) -> None:
        with self._lock:
            self._queue.extend(answers)

    def pending(self) -> list[Canned]:
        with self._lock:
            return list(self._queue)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.received.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _pick(self, method: str, path: str) -> Canned | None:
        with self._lock:
            self.received.append((method, path))
            for index, canned in enumerate(self._queue):
                if canned.matches(method, path):
                    if canned.times > 1:
                        self._queue[index] = replace(canned, times=canned.times - 1)
                    else:
                        del self._queue[index]
                    return canned
        return None

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        assert self.upstream is not None and self.upstream.hostname is not None
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the test asserts on what it needs

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                canned = proxy._pick(self.command, self.path)
                if canned is None or canned.after_forwarding:
                    if proxy.upstream is None:
                        self._send(502, [("Content-Type", "text/plain")], b"trap")
                        return
                    keep = ("Authorization", "Content-Type", "Accept", "User-Agent")
                    headers = {k: v for k, v in self.headers.items() if k in keep}
                    status, got, data = proxy._forward(self.command, self.path, headers, body)
                    if canned is None:
                        drop = ("content-length", "connection", "transfer-encoding", "date")
                        self._send(status, [(k, v) for k, v in got if k.lower() not in drop], data)
                        return
                out = [("Content-Type", canned.content_type)] if canned.content_type else []
                if canned.gzip:
                    out.append(("Content-Encoding", "gzip"))
                self._send(canned.status, [*out, *canned.headers], canned.body)

            def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_DELETE = do_PUT = _serve

        return Handler


@contextmanager
def proxy(upstream: str | None) -> Iterator[Proxy]:
    server = Proxy(upstream)
    try:
        yield server
    finally:
        server.close()
