"""The per-key sliding-window rate limit: headers, 429, and that a 429 is not processed."""

from __future__ import annotations

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_emulator.ratelimit import RateLimiter, parse_rate

from .helpers import KEY, OTHER_KEY, mailbox, make_emulator, session_for


def test_headers_on_success_and_429_not_processed() -> None:
    with make_emulator(rate_limit=(3, 60.0)) as emu, session_for(KEY) as api:
        url = f"{emu.url}/user/email-accounts"
        remaining = []
        for n in range(3):
            resp = api.post(url, json=mailbox(sender_email=f"u{n}@acme-mail.com"), timeout=5)
            assert resp.status_code == 201
            assert resp.headers["X-RateLimit-Limit"] == "3"
            assert 1 <= int(resp.headers["X-RateLimit-Reset"]) <= 60
            remaining.append(resp.headers["X-RateLimit-Remaining"])
        assert remaining == ["2", "1", "0"]
        over = api.post(url, json=mailbox(sender_email="late@acme-mail.com"), timeout=5)
        assert over.status_code == 429
        assert over.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert over.text == "Too many requests"
        retry_after = int(over.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        assert over.headers["X-RateLimit-Limit"] == "3"
        assert over.headers["X-RateLimit-Remaining"] == "0"
        assert int(over.headers["X-RateLimit-Reset"]) == retry_after
        # not processed: the mailbox was not connected
        assert [a["sender_email"] for a in emu.accounts()] == [
            "u0@acme-mail.com",
            "u1@acme-mail.com",
            "u2@acme-mail.com",
        ]
        # every route is limited, errors included
        assert api.delete(f"{url}/nope", timeout=5).status_code == 429
        assert api.get(url, timeout=5).status_code == 429
        assert emu.count(status=429) == 3


def test_limit_is_per_key_and_after_auth() -> None:
    with make_emulator(rate_limit=(1, 60.0)) as emu:
        url = f"{emu.url}/user/email-accounts"
        with session_for(KEY) as first, session_for(OTHER_KEY) as second:
            assert first.post(url, json=mailbox(), timeout=5).status_code == 201
            assert first.post(url, json=mailbox(), timeout=5).status_code == 429
            assert second.post(url, json=mailbox(), timeout=5).status_code == 201
        # an unauthenticated request is refused with 401 whatever the limit
        with session_for("wrong") as wrong:
            for _ in range(3):
                assert wrong.post(url, json=mailbox(), timeout=5).status_code == 401


def test_access_token_counts_for_the_same_key() -> None:
    with make_emulator(rate_limit=(1, 60.0)) as emu, session_for(KEY) as api:
        url = f"{emu.url}/user/email-accounts"
        assert api.post(url, json=mailbox(), timeout=5).status_code == 201
        resp = requests.post(url, params={"access_token": KEY}, json=mailbox(), timeout=5)
        assert resp.status_code == 429


def test_rate_limit_off(emu: Emulator, api: requests.Session) -> None:
    url = f"{emu.url}/user/email-accounts"
    for n in range(30):
        resp = api.post(url, json=mailbox(sender_email=f"u{n}@acme-mail.com"), timeout=5)
        assert resp.status_code == 201
        assert "X-RateLimit-Limit" not in resp.headers
    assert len(emu.accounts()) == 30


def test_sliding_window_with_a_clock() -> None:
    now = [100.0]
    limiter = RateLimiter(2, 2.0, clock=lambda: now[0])
    assert limiter.hit("k").remaining == 1
    now[0] = 100.5
    second = limiter.hit("k")
    assert (second.allowed, second.remaining, second.reset) == (True, 0, 2)  # 1.5 s, ceil
    now[0] = 101.2
    refused = limiter.hit("k")
    assert not refused.allowed
    assert refused.reset == 1 and refused.retry_after == 1  # 0.8 s until the first expires
    assert dict(refused.headers())["Retry-After"] == "1"
    assert limiter.hit("other").allowed  # per key
    now[0] = 102.0  # the first request leaves the window
    assert limiter.hit("k").allowed
    assert not limiter.hit("k").allowed
    now[0] = 102.6
    assert limiter.hit("k").allowed
    limiter.reset()
    assert limiter.hit("k").remaining == 1


def test_refused_requests_are_not_counted() -> None:
    now = [0.0]
    limiter = RateLimiter(1, 1.0, clock=lambda: now[0])
    assert limiter.hit("k").allowed
    for step in (0.2, 0.4, 0.6, 0.8):
        now[0] = step
        assert not limiter.hit("k").allowed
    now[0] = 1.0
    assert limiter.hit("k").allowed


def test_parse_rate() -> None:
    assert parse_rate("20/2") == (20, 2.0)
    assert parse_rate("5/0.5") == (5, 0.5)
    assert parse_rate("off") is None
    for bad in ("20", "0/2", "3/0", "x/y"):
        with pytest.raises(ValueError):
            parse_rate(bad)


def test_invalid_limiter() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0, 1.0)


def test_reset_never_exceeds_the_window_despite_float_error() -> None:
    # 123.456789 + 60 - 123.456789 == 60.000000000000014 in floating point: ceil gave 61.
    limiter = RateLimiter(3, 60.0, clock=lambda: 123.456789)
    assert limiter.hit(KEY).reset == 60
