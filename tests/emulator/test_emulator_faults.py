"""Fault injection: every scripted kind before and after processing, matching, random faults."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_emulator.faults import Fault, FaultPlan, RandomFaults

from .helpers import KEY, mailbox, make_emulator, session_for


def post(
    api: requests.Session, emu: Emulator, timeout: Any = 5, **overrides: Any
) -> requests.Response:
    return api.post(f"{emu.url}/user/email-accounts", json=mailbox(**overrides), timeout=timeout)


@pytest.mark.parametrize("after", [False, True])
def test_status_fault(emu: Emulator, api: requests.Session, after: bool) -> None:
    emu.inject(Fault("status", status=503, after_processing=after))
    resp = post(api, emu)
    assert resp.status_code == 503
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.text == "Service Unavailable"
    assert len(emu.accounts()) == (1 if after else 0)
    # the fault is used up; a retry sees the effect of the first attempt (or none)
    retry = post(api, emu)
    assert retry.status_code == (400 if after else 201)
    if after:
        assert retry.text == "This SMTP mailbox already exists"
    log = emu.request_log()
    assert [r.fault for r in log] == ["status:503+after" if after else "status:503", None]
    assert [r.status for r in log] == [503, retry.status_code]


@pytest.mark.parametrize("after", [False, True])
def test_drop_fault(emu: Emulator, api: requests.Session, after: bool) -> None:
    emu.inject(Fault("drop", after_processing=after))
    with pytest.raises(requests.ConnectionError):
        post(api, emu)
    assert len(emu.accounts()) == (1 if after else 0)
    (record,) = emu.request_log()
    assert (record.status, record.fault) == (0, "drop+after" if after else "drop")
    assert emu.count(status=0) == 1
    assert post(api, emu, sender_email="next@acme-mail.com").status_code == 201


@pytest.mark.parametrize("after", [False, True])
def test_garbage_fault(emu: Emulator, api: requests.Session, after: bool) -> None:
    emu.inject(Fault("garbage", after_processing=after))
    resp = post(api, emu)
    assert resp.status_code == 201
    with pytest.raises(ValueError):
        resp.json()
    assert len(emu.accounts()) == (1 if after else 0)


def test_garbage_on_delete_answers_200(emu: Emulator, api: requests.Session) -> None:
    account_id = post(api, emu).json()["id"]
    emu.inject(Fault("garbage", method="DELETE", after_processing=True))
    resp = api.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()
    assert emu.accounts() == []


@pytest.mark.parametrize("after", [False, True])
def test_truncate_fault(emu: Emulator, api: requests.Session, after: bool) -> None:
    emu.inject(Fault("truncate", after_processing=after))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        post(api, emu)
    assert len(emu.accounts()) == (1 if after else 0)
    assert emu.request_log()[0].status == 201


def test_rate_limit_fault(emu: Emulator, api: requests.Session) -> None:
    emu.inject(Fault("rate_limit", retry_after=7))
    resp = post(api, emu)
    assert resp.status_code == 429
    assert resp.text == "Too many requests"
    assert resp.headers["Retry-After"] == "7"
    assert resp.headers["X-RateLimit-Remaining"] == "0"
    assert resp.headers["X-RateLimit-Reset"] == "7"
    assert "X-RateLimit-Limit" in resp.headers
    assert emu.accounts() == []
    with pytest.raises(ValueError):
        Fault("rate_limit", after_processing=True)  # a 429 is never processed


def test_stall_before_processing_takes_effect_late(emu: Emulator, api: requests.Session) -> None:
    emu.inject(Fault("stall", seconds=60))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(api, emu, timeout=(5, 0.3))
    assert emu.wait_stalled(1)
    assert emu.accounts() == []  # still hanging: nothing happened yet
    emu.release_stalls()
    assert emu.wait_idle()
    # the abandoned request went through after all: a retry now finds a duplicate
    assert len(emu.accounts()) == 1
    assert post(api, emu).text == "This SMTP mailbox already exists"
    assert emu.request_log()[0].fault == "stall"


def test_stall_after_processing(emu: Emulator, api: requests.Session) -> None:
    emu.inject(Fault("stall", seconds=60, after_processing=True))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(api, emu, timeout=(5, 0.3))
    assert emu.wait_stalled(1)
    assert len(emu.accounts()) == 1  # processed before the stall
    emu.release_stalls()
    assert emu.wait_idle()
    record = emu.request_log()[0]
    assert (record.status, record.fault) == (201, "stall+after")


def test_stall_then_normal_response(emu: Emulator) -> None:
    emu.inject(Fault("stall", seconds=60))
    result: dict[str, requests.Response] = {}

    def call() -> None:
        with session_for(KEY) as api:
            result["resp"] = post(api, emu)

    worker = threading.Thread(target=call)
    worker.start()
    assert emu.wait_stalled(1)
    emu.release_stalls()
    worker.join(10)
    assert result["resp"].status_code == 201


def test_stop_is_prompt_with_a_stalled_request() -> None:
    emu = make_emulator(latency=0.0).start()
    emu.inject(Fault("stall", seconds=600))
    errors: list[BaseException] = []

    def call() -> None:
        with session_for(KEY) as api:
            try:
                post(api, emu, timeout=30)
            except requests.RequestException as exc:
                errors.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    assert emu.wait_stalled(1)
    emu.stop()
    worker.join(10)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], requests.ConnectionError)
    assert emu.accounts() == []  # abandoned before it took effect
    emu.stop()  # idempotent


def test_matching_by_method_path_and_times(emu: Emulator, api: requests.Session) -> None:
    emu.inject(Fault("status", status=502, method="DELETE", times=2))
    emu.inject(Fault("status", status=500, path="/test"))
    emu.inject(Fault("status", status=504))
    resp = post(api, emu)  # neither DELETE nor /test: the third fault
    assert resp.status_code == 504
    account_id = post(api, emu).json()["id"]
    assert [f.status for f in emu.pending_faults()] == [502, 500]
    url = f"{emu.url}/user/email-accounts/{account_id}"
    assert api.post(url + "/test", timeout=5).status_code == 500
    assert api.delete(url, timeout=5).status_code == 502
    assert emu.pending_faults()[0].times == 1
    assert api.delete(url, timeout=5).status_code == 502
    assert emu.pending_faults() == []
    assert api.delete(url, timeout=5).status_code == 200


def test_clear_faults(emu: Emulator, api: requests.Session) -> None:
    emu.inject(Fault("drop"))
    emu.set_random_faults(RandomFaults(error_rate=1.0))
    emu.clear_faults()
    assert emu.pending_faults() == []
    assert post(api, emu).status_code == 201


def test_faults_apply_before_auth(emu: Emulator) -> None:
    emu.inject(Fault("status", status=502))
    resp = requests.post(f"{emu.url}/user/email-accounts", json=mailbox(), timeout=5)
    assert resp.status_code == 502  # a gateway error comes before lemlist checks the key


def test_fault_validation() -> None:
    with pytest.raises(ValueError):
        Fault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Fault("status", times=0)
    with pytest.raises(ValueError):
        Fault("status", status=42)
    with pytest.raises(ValueError):
        RandomFaults(error_rate=0.7, drop_rate=0.5)
    with pytest.raises(ValueError):
        RandomFaults(error_rate=-0.1)


def test_latency_and_jitter_still_answer() -> None:
    with make_emulator(latency=0.005, jitter=0.005) as emu, session_for(KEY) as api:
        assert post(api, emu).status_code == 201


# ----- random faults ------------------------------------------------------------------------

RANDOM = RandomFaults(
    error_rate=0.2,
    drop_rate=0.1,
    rate_limit_rate=0.1,
    garbage_rate=0.1,
    after_processing_share=0.5,
    seed=1234,
)


def run_sequence(random_faults: RandomFaults, seed: int = 0) -> list[tuple[str | None, int]]:
    with make_emulator(random_faults=random_faults, seed=seed) as emu:
        for n in range(40):
            with session_for(KEY) as api:
                try:
                    post(api, emu, sender_email=f"u{n}@acme-mail.com")
                except requests.RequestException:
                    pass
        return [(r.fault, r.status) for r in emu.request_log()]


def test_random_faults_are_deterministic_by_seed() -> None:
    first = run_sequence(RANDOM)
    assert first == run_sequence(RANDOM)
    assert run_sequence(RandomFaults(**{**RANDOM.__dict__, "seed": 99})) != first
    labels = {label for label, _ in first}
    assert {"drop", "rate_limit"} <= {
        label.split(":")[0].removesuffix("+after") for label in labels if label
    }
    assert None in labels
    assert "rate_limit+after" not in labels


def test_random_seed_defaults_to_the_emulator_seed() -> None:
    unseeded = RandomFaults(error_rate=0.5)
    assert run_sequence(unseeded, seed=7) == run_sequence(unseeded, seed=7)


def test_random_draws_cover_every_kind() -> None:
    rf = RandomFaults(
        error_rate=0.2,
        drop_rate=0.2,
        rate_limit_rate=0.2,
        stall_rate=0.2,
        stall_seconds=3.0,
        garbage_rate=0.2,
        after_processing_share=0.5,
        seed=5,
    )
    plan = FaultPlan(rf)
    drawn = [plan.pick("POST", "/api/user/email-accounts") for _ in range(300)]
    faults = [f for f in drawn if f is not None]
    assert {f.kind for f in faults} == {"status", "drop", "rate_limit", "stall", "garbage"}
    assert {f.status for f in faults if f.kind == "status"} <= {500, 502, 503, 504}
    assert all(f.seconds == 3.0 for f in faults if f.kind == "stall")
    assert any(f.after_processing for f in faults)
    assert not any(f.after_processing for f in faults if f.kind == "rate_limit")
    again = FaultPlan(rf)
    assert [again.pick("POST", "/x") for _ in range(300)] == drawn


def test_reset_restarts_random_sequence(api: requests.Session) -> None:
    with make_emulator(random_faults=RandomFaults(error_rate=0.5, seed=3)) as emu:
        for n in range(10):
            post(api, emu, sender_email=f"a{n}@acme-mail.com")
        first = [r.fault for r in emu.request_log()]
        emu.reset()
        for n in range(10):
            post(api, emu, sender_email=f"a{n}@acme-mail.com")
        assert [r.fault for r in emu.request_log()] == first
