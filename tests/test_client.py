"""Unit tests of the lemlist client: a scripted transport adapter, no network, no sleeping."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from lemlist_resource.email_account.client import LemlistClient
from lemlist_resource.errors import (
    LemlistAPIError,
    LemlistUnavailableError,
    OutcomeUnknownError,
)
from lemlist_resource.lemlist.ratelimit import Pacer
from lemlist_resource.lemlist.transport import USER_AGENT

KEY = "key-0123456789abcdef"
BODY = {"sender_email": "alice@example.com", "smtp_password": "hunter2-smtp"}
Reply = Callable[[requests.PreparedRequest], requests.Response] | BaseException


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    def make(req: requests.PreparedRequest) -> requests.Response:
        resp = requests.Response()
        resp.status_code = status
        resp.request = req
        resp.url = req.url or ""
        if isinstance(body, dict):
            import json

            resp._content = json.dumps(body).encode()
            resp.headers["Content-Type"] = "application/json"
        else:
            resp._content = (body or "").encode()
            resp.headers["Content-Type"] = "text/plain"
        resp.headers.update(headers or {})
        resp._content_consumed = True  # the body is already in _content
        return resp

    return make


class Script(BaseAdapter):
    """Answers requests from a list of scripted replies, recording each request."""

    def __init__(self, replies: list[Reply]) -> None:
        super().__init__()
        self.replies = list(replies)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.requests.append(request)
        self.timeout = kwargs.get("timeout")
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply(request)

    def close(self) -> None:
        pass


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(replies: list[Reply], **kwargs: Any) -> tuple[LemlistClient, Script, FakeClock]:
    clock = FakeClock()
    client = LemlistClient(
        "https://api.example.test/api",
        KEY,
        pacer=Pacer(clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
        **kwargs,
    )
    script = Script(replies)
    client.session.mount("https://", script)
    return client, script, clock


def refused() -> requests.ConnectionError:
    inner = MaxRetryError(None, "/", NewConnectionError(None, "refused"))  # type: ignore[arg-type]
    return requests.ConnectionError(inner)


def dropped() -> requests.ConnectionError:
    return requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))


def test_basic_auth_with_empty_user_user_agent_and_timeouts() -> None:
    client, script, _ = make_client(
        [response(201, {"id": "umx_1", "email": "a", "provider": "custom"})]
    )
    client.connect(BODY, label="alice@example.com")
    req = script.requests[0]
    expected = "Basic " + base64.b64encode(f":{KEY}".encode()).decode()
    assert req.headers["Authorization"] == expected
    assert req.headers["User-Agent"] == USER_AGENT
    assert "lemlist-pulumi/" in USER_AGENT
    assert "access_token" not in (req.url or "")
    assert script.timeout == (5.0, 30.0)
    assert req.url == "https://api.example.test/api/user/email-accounts"


def test_key_is_not_in_reprs() -> None:
    client, _, _ = make_client([])
    assert KEY not in repr(client)
    assert KEY not in repr(client.session.auth)
    assert KEY not in repr(client.__dict__)


def test_429_waits_for_retry_after_then_retries_even_a_post() -> None:
    client, script, clock = make_client(
        [
            response(429, "Too many requests", {"Retry-After": "3"}),
            response(201, {"id": "umx_1", "email": "alice@example.com", "provider": "custom"}),
        ]
    )
    assert client.connect(BODY, label="alice@example.com")["id"] == "umx_1"
    assert len(script.requests) == 2
    assert clock.sleeps == [3.0]


def test_429_forever_gives_up_with_a_clear_error() -> None:
    client, _, _ = make_client(
        [response(429, "Too many requests", {"Retry-After": "1"})] * 4, max_rate_limited=3
    )
    with pytest.raises(LemlistUnavailableError, match="429"):
        client.verify("umx_1")


def test_pacer_keeps_21_requests_outside_one_window() -> None:
    clock = FakeClock()
    pacer = Pacer(limit=20, window=2.0, margin=0.05, clock=clock, sleep=clock.sleep)
    sends = []
    for _ in range(41):
        pacer.acquire()
        sends.append(clock.now)
    assert sends[:20] == [0.0] * 20
    assert sends[20] == pytest.approx(2.05)
    assert sends[40] == pytest.approx(4.10)
    assert all(sends[i + 20] - sends[i] > 2.0 for i in range(21))


def test_pacer_pause_holds_every_sender() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.pause(5)
    assert pacer.acquire() == 5


def test_post_is_never_retried_after_a_5xx() -> None:
    client, script, _ = make_client([response(503, "Service unavailable")])
    with pytest.raises(OutcomeUnknownError) as err:
        client.connect(BODY, label="alice@example.com")
    assert len(script.requests) == 1
    assert "may have connected" in err.value.message
    assert "adopt_id" in err.value.message


def test_post_is_never_retried_after_a_dropped_connection() -> None:
    client, script, _ = make_client([dropped()])
    with pytest.raises(OutcomeUnknownError, match="dropped"):
        client.connect(BODY, label="alice@example.com")
    assert len(script.requests) == 1


def test_post_read_timeout_is_an_unknown_outcome() -> None:
    client, script, _ = make_client([requests.ReadTimeout("read timed out")])
    with pytest.raises(OutcomeUnknownError, match="read timeout"):
        client.connect(BODY, label="alice@example.com")
    assert len(script.requests) == 1


def test_post_201_with_unreadable_body_is_an_unknown_outcome() -> None:
    client, _, _ = make_client([response(201, "<html>oops")])
    with pytest.raises(OutcomeUnknownError, match="unreadable"):
        client.connect(BODY, label="alice@example.com")


def test_connection_refused_is_safe_and_says_nothing_was_sent() -> None:
    client, _, _ = make_client([refused()])
    with pytest.raises(LemlistUnavailableError, match="nothing was sent"):
        client.connect(BODY, label="alice@example.com")


def test_delete_and_test_retry_5xx_and_resets_with_backoff() -> None:
    client, script, clock = make_client(
        [response(502, "Bad gateway"), dropped(), response(200, {"ok": True})]
    )
    assert client.disconnect("umx_1") is True
    assert len(script.requests) == 3
    assert len(clock.sleeps) == 2 and clock.sleeps[1] > clock.sleeps[0] * 0.5


def test_test_retries_unreadable_body_then_gives_up() -> None:
    client, script, _ = make_client([response(200, "not json")] * 3, max_attempts=3)
    with pytest.raises(LemlistUnavailableError, match="unreadable"):
        client.verify("umx_1")
    assert len(script.requests) == 3


def test_delete_404_means_already_gone() -> None:
    client, _, _ = make_client([response(404, "Email account not found")])
    assert client.disconnect("umx_1") is False


def test_test_404_returns_none_and_200_returns_the_result() -> None:
    ok = {"smtp": {"success": True}, "imap": {"success": False, "error": "Login failed"}}
    client, _, _ = make_client([response(404, "Email account not found"), response(200, ok)])
    assert client.verify("umx_1") is None
    assert client.verify("umx_1") == ok


@pytest.mark.parametrize(
    ("status", "reason", "fragment"),
    [
        (401, "The authentication you supplied is incorrect", "lemlist:apiKey"),
        (400, "Invalid host", "public host name"),
        (400, "This SMTP mailbox already exists", "adopt_id"),
        (400, "Missing required fields", "required field"),
        (400, "Bad team", "right team"),
        (403, "User is not a member of this team", "user_id"),
        (405, "Method not allowed", "/api"),
    ],
)
def test_error_messages_name_status_reason_and_next_step(
    status: int, reason: str, fragment: str
) -> None:
    client, _, _ = make_client([response(status, reason)])
    with pytest.raises(LemlistAPIError) as err:
        client.connect(BODY, label="alice@example.com")
    message = err.value.message
    assert f"HTTP {status}" in message and reason in message and fragment in message
    assert "alice@example.com" in message
    assert KEY not in message and "hunter2" not in message
    assert err.value.status == status


def test_a_reason_echoing_the_key_is_redacted() -> None:
    client, _, _ = make_client([response(400, f"Bad key {KEY}")])
    with pytest.raises(LemlistAPIError) as err:
        client.verify("umx_1")
    assert KEY not in str(err.value) and "[redacted]" in str(err.value)


def test_pacer_is_shared_across_threads_and_clients() -> None:
    import threading

    clock = FakeClock()
    pacer = Pacer(limit=20, window=2.0, margin=0.05, clock=clock, sleep=clock.sleep)
    slots: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            slot = pacer.reserve()
            with lock:
                slots.append(slot)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slots.sort()
    assert len(slots) == 200
    assert all(slots[i + 20] - slots[i] > 2.0 for i in range(len(slots) - 20))

    a = LemlistClient("https://api.example.test/api", KEY)
    b = LemlistClient("https://api.example.test/api/", KEY)
    c = LemlistClient("https://api.example.test/api", KEY + "-other")
    assert a.pacer is b.pacer and a.pacer is not c.pacer
