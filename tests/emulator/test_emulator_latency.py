"""Latency per operation: what is slept, when, with which jitter, and that requests overlap.

No sleeps and no timing assertions: the emulator's ``sleep`` is injected and records (or holds
requests at a barrier to prove they are in flight together).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_emulator.cli import build_emulator, build_parser
from lemlist_emulator.faults import Fault
from lemlist_emulator.latency import PROFILES, Latency, parse_per_operation

from .helpers import KEY, mailbox, make_emulator, session_for

PER_OPERATION = {"connect": 1.0, "test": 2.0, "disconnect": 0.3}


class Recorder:
    """An injected sleep that records instead of waiting."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def api() -> Iterator[requests.Session]:
    with session_for(KEY) as session:
        yield session


def lifecycle(emu: Emulator, api: requests.Session) -> None:
    """connect, test, disconnect one mailbox."""
    account_id = api.post(f"{emu.url}/user/email-accounts", json=mailbox(), timeout=10).json()["id"]
    assert api.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=10).ok
    assert api.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=10).ok


def test_each_operation_sleeps_its_own_latency(
    recorder: Recorder, api: requests.Session
) -> None:
    with make_emulator(latency=PER_OPERATION, sleep=recorder) as emu:
        lifecycle(emu, api)
        log = emu.request_log()
    assert recorder.slept == [1.0, 2.0, 0.3]
    assert [(r.operation, r.latency) for r in log] == [
        ("connect", 1.0),
        ("test", 2.0),
        ("disconnect", 0.3),
    ]


def test_a_bare_number_means_every_operation(recorder: Recorder, api: requests.Session) -> None:
    with make_emulator(latency=0.25, sleep=recorder) as emu:
        lifecycle(emu, api)
        assert emu.latency == dict.fromkeys(("connect", "test", "disconnect"), (0.25, 0.0))
    assert recorder.slept == [0.25, 0.25, 0.25]


def test_refusals_before_the_operation_answer_without_latency(recorder: Recorder) -> None:
    with make_emulator(latency=1.0, rate_limit=(1, 60.0), sleep=recorder) as emu:
        with session_for(KEY) as api:
            accounts = f"{emu.url}/user/email-accounts"
            assert api.post(accounts, json=mailbox(), timeout=10).status_code == 201
            assert api.post(accounts, json=mailbox(), timeout=10).status_code == 429
        with session_for("wrong-key") as stranger:
            assert stranger.post(accounts, json=mailbox(), timeout=10).status_code == 401
        log = emu.request_log()
    assert recorder.slept == [1.0]  # only the admitted connect
    assert [(r.status, r.latency) for r in log] == [(201, 1.0), (429, 0.0), (401, 0.0)]


def test_a_scripted_429_answers_without_latency(recorder: Recorder, api: requests.Session) -> None:
    with make_emulator(latency=1.0, sleep=recorder) as emu:
        emu.inject(Fault("rate_limit"))
        response = api.post(f"{emu.url}/user/email-accounts", json=mailbox(), timeout=10)
    assert response.status_code == 429
    assert recorder.slept == []


def test_operation_refusals_take_the_operation_latency(
    recorder: Recorder, api: requests.Session
) -> None:
    with make_emulator(latency=PER_OPERATION, sleep=recorder) as emu:
        response = api.post(f"{emu.url}/user/email-accounts/umx_unknown/test", timeout=10)
    assert response.status_code == 404
    assert recorder.slept == [2.0]


def test_requests_overlap_while_they_wait() -> None:
    """Four connects are inside their latency at the same time: a barrier of four only opens
    when all four sleep at once (a lock around the latency would break it)."""
    barrier = threading.Barrier(4, timeout=10)
    inside = 0
    most = 0
    lock = threading.Lock()

    def sleep(_seconds: float) -> None:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        barrier.wait()
        with lock:
            inside -= 1

    with make_emulator(latency=1.0, sleep=sleep) as emu:

        def connect(n: int) -> int:
            with session_for(KEY) as api:
                body = mailbox(sender_email=f"user{n}@acme-mail.com")
                return api.post(f"{emu.url}/user/email-accounts", json=body, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(connect, range(4)))
    assert statuses == [201] * 4
    assert most == 4


def test_profile_lemlist_jitters_within_its_bounds_reproducibly() -> None:
    first, again, other = Latency(profile="lemlist"), Latency(profile="lemlist"), Latency(
        profile="lemlist", seed=7
    )
    base, spread = PROFILES["lemlist"]
    draws = {op: [first.delay(op) for _ in range(50)] for op in base}
    for op, values in draws.items():
        assert all(base[op] - spread[op] <= v <= base[op] + spread[op] for v in values)
        assert len(set(values)) > 1
        assert values == [again.delay(op) for _ in range(50)]
        assert values != [other.delay(op) for _ in range(50)]
    first.reset()
    assert first.delay("test") == draws["test"][0]


def test_explicit_values_override_the_profile() -> None:
    latency = Latency(latency={"test": 0.5}, jitter=0.0, profile="lemlist")
    assert latency.latency == {"connect": 1.0, "test": 0.5, "disconnect": 0.3}
    assert latency.delay("test") == 0.5 and latency.delay("connect") == 1.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"latency": {"login": 1.0}}, "unknown latency operation login"),
        ({"jitter": -1.0}, "jitter must not be negative"),
        ({"profile": "moon"}, "unknown latency profile 'moon'"),
    ],
)
def test_bad_latency_options_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Emulator(**options)


def test_per_operation_text() -> None:
    assert parse_per_operation("1.5") == 1.5
    assert parse_per_operation("connect=1.0, test=2") == {"connect": 1.0, "test": 2.0}
    with pytest.raises(ValueError):
        parse_per_operation("connect")
    with pytest.raises(ValueError):
        parse_per_operation("connect=1,=2")


def test_cli_latency_jitter_and_profile() -> None:
    args = build_parser().parse_args(
        ["--latency", "connect=1.0,test=2.0,disconnect=0.3", "--jitter", "0.1"]
    )
    assert build_emulator(args).latency == {
        "connect": (1.0, 0.1),
        "test": (2.0, 0.1),
        "disconnect": (0.3, 0.1),
    }
    args = build_parser().parse_args(["--profile", "lemlist", "--latency", "test=3"])
    assert build_emulator(args).latency == {
        "connect": (1.0, 0.3),
        "test": (3.0, 0.5),
        "disconnect": (0.3, 0.1),
    }
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--latency", "test=-1"])
