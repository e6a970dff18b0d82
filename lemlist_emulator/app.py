"""lemlist's HTTP surface over the model: auth, rate limit, routes, and lemlist's answers.

``Request`` and ``Reply`` are the values exchanged with the HTTP server (``server.py``), which
only frames bytes. Errors are ``text/plain`` sentences, successes JSON, as the contract says.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Literal
from urllib.parse import parse_qs, unquote

from lemlist_emulator import lemwarm
from lemlist_emulator.campaigns import Campaigns
from lemlist_emulator.directory import MSG_PLAN
from lemlist_emulator.model import Backend
from lemlist_emulator.plans import PlanGates
from lemlist_emulator.ratelimit import RateLimiter
from lemlist_emulator.reading import Reading
from lemlist_emulator.refusals import (
    MSG_BAD_METHOD,
    MSG_METHOD,
    MSG_NO_KEY,
    MSG_NOT_FOUND,
    MSG_RATE_LIMITED,
    LemlistRefusal,
    Principal,
)

__all__ = [
    "BASE_PATH",
    "JSON",
    "LemlistApp",
    "Reply",
    "Request",
    "json_reply",
    "presented_key",
    "success_status",
    "text_reply",
]

BASE_PATH = "/api"
_ACCOUNTS = BASE_PATH + "/user/email-accounts"
_ACCOUNT_RE = re.compile(re.escape(_ACCOUNTS) + r"/([^/]+)")
_TEST_RE = re.compile(re.escape(_ACCOUNTS) + r"/([^/]+)/test")
_USER_RE = re.compile(re.escape(BASE_PATH) + r"/users/([^/]+)")
_READING = {
    BASE_PATH + "/user/channels": "channels",
    BASE_PATH + "/team": "team",
    BASE_PATH + "/team/senders": "senders",
}
TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"
#: What lemlist's web app answers for a path that is not an API route (200, its HTML page).
WEB_APP_PAGE = (
    b"<!DOCTYPE html><html><head><title>lemlist</title></head>"
    b'<body><div id="root"></div></body></html>'
)
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
    if path in _READING:
        return _READING[path], None, ("GET",)
    match = _USER_RE.fullmatch(path)
    if match:
        return "user", unquote(match.group(1)), ("GET",)
    match = _TEST_RE.fullmatch(path)
    if match:
        return "test", unquote(match.group(1)), ("POST",)
    match = _ACCOUNT_RE.fullmatch(path)
    if match:
        return "disconnect", unquote(match.group(1)), ("DELETE",)
    return lemwarm.route(path)


def success_status(method: str, path: str) -> int:
    """The status a successful call of this route answers (201 for connect, else 200)."""
    found = route(path)
    return 201 if found is not None and found[0] == "connect" and method == "POST" else 200


def _is_json(request: Request) -> bool:
    ctype = request.headers.get_content_type()
    return ctype == "application/json" or ctype.endswith("+json")


class LemlistApp:
    """lemlist's HTTP surface over a ``Backend``: auth, rate limit, routes, lemlist's errors.

    ``catch_all`` (lemlist's real behaviour, the default): a path that is not a route answers
    200 with the web app's HTML page, an unknown user id ``200 {}``; off: ``404 Not found``.
    ``gates``: the routes each team's plan lacks (402)."""

    def __init__(
        self,
        backend: Backend,
        limiter: RateLimiter | None,
        *,
        catch_all: bool = True,
        gates: PlanGates | None = None,
        campaigns: Campaigns | None = None,
    ) -> None:
        self.backend = backend
        self.limiter = limiter
        self.gates = gates if gates is not None else PlanGates()
        self.reading = Reading(backend, self.gates, catch_all, campaigns or Campaigns())

    @property
    def catch_all(self) -> bool:
        """Whether unknown paths and users answer as lemlist really does (200)."""
        return self.reading.catch_all

    def handle(self, request: Request, admitted: Callable[[str], None] | None = None) -> Reply:
        """Answer one request. Checks run in lemlist's order: auth, rate limit, route and
        method, then the operation's own rules. ``admitted(operation)`` runs once the request
        is admitted and routed, right before it takes effect (the operation's latency, a stall):
        refusals before that point (401, 429, 404, 405, 402) answer at once. A path that is
        not a route is the web app's, whatever the key (with ``catch_all``)."""
        found = route(request.path)
        if found is None and self.catch_all:
            return Reply(200, WEB_APP_PAGE, HTML)
        key = presented_key(request)
        if not key and found is not None and found[0] == "team":
            return text_reply(400, MSG_NO_KEY)
        try:
            principal = self.backend.authenticate(key)
        except LemlistRefusal as exc:
            return text_reply(exc.status, exc.message)
        headers: list[tuple[str, str]] = []
        if self.limiter is not None:
            decision = self.limiter.hit(principal.key_fingerprint)
            headers = decision.headers()
            if not decision.allowed:
                return text_reply(429, MSG_RATE_LIMITED, headers)
        if found is None:
            return text_reply(404, MSG_NOT_FOUND, headers)
        operation, account_id, methods = found
        if request.method not in methods:
            said = MSG_BAD_METHOD if operation == "channels" else MSG_METHOD  # the spec's words
            return text_reply(405, said, [*headers, ("Allow", ", ".join(methods))])
        if self.gates.gated(principal.team, operation):
            return text_reply(402, MSG_PLAN, headers)
        if admitted is not None:
            admitted(operation)
        try:
            status, body = self._operate(request, principal, operation, account_id or "")
        except (LemlistRefusal, lemwarm.Refused) as exc:
            return text_reply(exc.status, exc.message, headers)
        return json_reply(status, body, headers)

    def _operate(
        self, request: Request, principal: Principal, operation: str, account_id: str
    ) -> tuple[int, Any]:
        if operation == "connect":
            return self.backend.connect_json(principal, request.body, is_json=_is_json(request))
        if operation == "disconnect":
            return self.backend.disconnect(principal, account_id)
        if operation.startswith("lemwarm_"):
            return self.backend.lemwarm(
                principal, operation, request.method, account_id, request.body
            )
        if operation == "channels":
            return self.reading.channels(principal)
        if operation == "team":
            return self.reading.team(principal, request.query)
        if operation == "senders":
            return self.reading.senders(principal, parse_qs(request.query).get("state"))
        if operation == "user":
            return self.reading.user(principal, account_id)
        return self.backend.test(principal, account_id)
