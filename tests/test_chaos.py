"""A seeded chaos run: a few hundred operations on a small pool of senders, under random faults.

The provider runs in process (the host adds nothing to what is tested here, and this keeps the
run within seconds): configured through ``configure`` like the host does, its client's
waits (pacing, backoff, Retry-After) on a virtual clock, against an emulator that injects
random 5xx, resets, 429s, stalls longer than the read timeout and unreadable bodies, before
and after processing. A model of the engine keeps the stack's state (sender -> id) the way
`pulumi up` does, and acts like a user who follows the error messages: a mailbox an error
said "may have connected" is adopted with ``adopt_id`` when lemlist later says it exists.

Invariants, checked at the end (and the first ones after every operation):

* no two mailboxes for one sender address;
* every mailbox lemlist holds is in the state, or belongs to a sender for which an error said
  it may have been connected (or may still be connected) and how to adopt it;
* every failure is a :class:`LemlistError` (a sentence, never a stray exception), and no
  error message or log line carries a credential;
* after the faults stop, a refresh and a destroy leave lemlist empty except the acknowledged
  orphans, and adopting those as the messages say, then destroying, empties it.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from lemlist_emulator import Emulator
from lemlist_emulator.faults import RandomFaults
from lemlist_resource.email_account import provider as provider_module
from lemlist_resource.email_account.client import LemlistClient
from lemlist_resource.email_account.provider import EmailAccountProvider
from lemlist_resource.errors import LemlistError
from lemlist_resource.lemlist.ratelimit import Pacer
from tests.conftest import API_KEY, CREDENTIALS, assert_no_credentials, mailbox
from tests.harness import Resource

SEEDS = (20240606, 7, 4242, 12345)  # 12345 found a silent orphan on delete (now fixed)
OPERATIONS = 300
SENDERS = 6
READ_TIMEOUT = 0.2  # seconds; random stalls last STALL, so they time out
STALL = 0.4


def faults(seed: int) -> RandomFaults:
    """About one request in five meets a fault; half of those strike after processing."""
    return RandomFaults(
        error_rate=0.07,
        drop_rate=0.04,
        rate_limit_rate=0.06,
        stall_rate=0.01,
        stall_seconds=STALL,
        garbage_rate=0.04,
        after_processing_share=0.5,
        seed=seed,
    )


#: What an error says when lemlist may hold a mailbox the state does not know.
ADOPTABLE = ("may have connected", "may still be connected in lemlist")


class VirtualClock:
    """Time that only passes when someone sleeps: the client's waits cost nothing."""

    def __init__(self) -> None:
        self.now_s = 0.0
        self.slept = 0.0

    def now(self) -> float:
        return self.now_s

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.now_s += seconds
            self.slept += seconds


@dataclass
class Model:
    """The engine's state and what the run observed."""

    provider: EmailAccountProvider
    emulator: Emulator
    rng: random.Random
    state: dict[str, Resource] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)  # addresses an error warned about
    secrets: set[str] = field(default_factory=lambda: set(CREDENTIALS))
    messages: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # exceptions that are not LemlistError
    counts: dict[str, int] = field(default_factory=dict)

    # -- the program -------------------------------------------------------------------------

    @staticmethod
    def address(name: str) -> str:
        return f"{name}@acme-mail.com"

    def program(self, name: str, password: str | None = None) -> dict[str, Any]:
        address = self.address(name)
        overrides: dict[str, Any] = {"smtp_login": address, "imap_login": address}
        if password is not None:
            overrides["smtp_password"] = password
            self.secrets.add(password)
        return mailbox(sender_email=address, sender_name=name.title(), **overrides)

    def note(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def failed(self, name: str, exc: Exception) -> str:
        """Record a failure; remember a warned-about mailbox; return the message."""
        if not isinstance(exc, LemlistError):
            self.stray.append(f"{type(exc).__name__}: {exc}")
            return ""
        message = exc.message
        self.messages.append(message)
        self.note("error")
        if any(phrase in message for phrase in ADOPTABLE):
            assert "adopt_id=" in message, message
            self.acknowledged.add(self.address(name))
            self.note("may-have-connected")
        return message

    # -- engine steps ------------------------------------------------------------------------

    def create(self, name: str, news: dict[str, Any]) -> None:
        checked = self.provider.check({}, news)
        assert checked.failures == []
        try:
            created = self.provider.create(checked.inputs)
        except Exception as exc:
            message = self.failed(name, exc)
            if "already exists" in message:
                self.adopt(name, news)
            return
        self.state[name] = Resource(created.id, checked.inputs, dict(created.outs or {}))
        self.note("created")

    def delete(self, name: str) -> bool:
        box = self.state[name]
        try:
            self.provider.delete(box.id, box.outputs)
        except Exception as exc:
            self.failed(name, exc)
            return False
        del self.state[name]
        self.note("deleted")
        return True

    def replace(self, name: str) -> None:
        """A new password: diff says replace, delete first (same mailbox)."""
        news = self.program(name, password=f"chaos-pw-{self.rng.randrange(10**8):08d}")
        box = self.state[name]
        checked = self.provider.check(box.inputs, news).inputs
        diff = self.provider.diff(box.id, box.outputs, checked)
        assert diff.replaces == ["smtp_password"] and diff.delete_before_replace
        if self.delete(name):
            self.create(name, news)
            self.note("replaced")

    def refresh(self, name: str) -> None:
        box = self.state[name]
        try:
            result = self.provider.read(box.id, box.outputs)
        except Exception as exc:
            self.failed(name, exc)
            return
        if not result.id:
            del self.state[name]
            self.note("refresh-gone")
        else:
            self.state[name] = Resource(
                result.id, dict(result.inputs or {}), dict(result.outs or {})
            )

    def update(self, name: str) -> None:
        """Turn verify_connection on/off: an in-place update (runs the check when on)."""
        box = self.state[name]
        news = {**box.inputs, "verify_connection": not box.inputs.get("verify_connection", True)}
        checked = self.provider.check(box.inputs, news).inputs
        try:
            outs = self.provider.update(box.id, box.outputs, checked).outs
        except Exception as exc:
            self.failed(name, exc)
            return
        self.state[name] = Resource(box.id, checked, dict(outs or {}))

    def adopt(self, name: str, news: dict[str, Any]) -> None:
        """What the message says: find the mailbox's id in lemlist, create with adopt_id."""
        address = self.address(name)
        assert address in self.acknowledged, f"{address} exists, but no error warned about it"
        found = [a for a in self.emulator.accounts() if a["sender_email"] == address]
        if not found:
            return
        account_id = str(found[0]["id"])
        checked = self.provider.check({}, {**news, "adopt_id": account_id})
        assert checked.failures == []
        try:
            created = self.provider.create(checked.inputs)
        except Exception as exc:
            self.failed(name, exc)
            return
        assert created.id == account_id, "adoption must keep lemlist's id"
        self.state[name] = Resource(created.id, checked.inputs, dict(created.outs or {}))
        self.note("adopted")

    def disconnect_in_ui(self, name: str) -> None:
        self.emulator.disconnect(self.state[name].id)
        self.note("ui-disconnect")

    # -- one random step ---------------------------------------------------------------------

    def step(self) -> None:
        name = f"sender{self.rng.randrange(SENDERS)}"
        if name not in self.state:
            self.create(name, self.program(name))
            return
        roll = self.rng.random()
        if roll < 0.25:
            self.replace(name)
        elif roll < 0.5:
            self.delete(name)
        elif roll < 0.75:
            self.refresh(name)
        elif roll < 0.95:
            self.update(name)
        else:
            self.disconnect_in_ui(name)

    # -- invariants --------------------------------------------------------------------------

    def check_invariants(self) -> None:
        accounts = self.emulator.accounts()
        addresses = [str(a["sender_email"]).lower() for a in accounts]
        assert len(addresses) == len(set(addresses)), "two mailboxes for one address"
        known = {box.id for box in self.state.values()}
        silent = [
            a["id"]
            for a in accounts
            if a["id"] not in known and a["sender_email"] not in self.acknowledged
        ]
        assert silent == [], f"silent orphans: {silent}"
        assert self.stray == [], f"failures that are not a LemlistError: {self.stray}"


@pytest.fixture(params=SEEDS, ids=[f"seed={seed}" for seed in SEEDS])
def seed(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def chaos_emulator(seed: int) -> Iterator[Emulator]:
    emu = Emulator(api_keys={API_KEY: "team_1"}, rate_limit=None, random_faults=faults(seed))
    with emu:
        yield emu
        emu.release_stalls()


def test_seeded_chaos_loses_nothing(
    seed: int,
    chaos_emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator = chaos_emulator
    clock = VirtualClock()
    pacer = Pacer(clock=clock.now, sleep=clock.sleep)  # lemlist's 20 / 2 s, in virtual time
    monkeypatch.setattr(
        provider_module,
        "LemlistClient",
        functools.partial(LemlistClient, pacer=pacer, sleep=clock.sleep),
    )
    caplog.set_level(logging.DEBUG, logger="lemlist_resource")
    provider = EmailAccountProvider()
    config = {
        "lemlist:apiKey": API_KEY,
        "lemlist:apiUrl": emulator.url,
        "lemlist:timeoutSeconds": str(READ_TIMEOUT),
    }
    provider.configure(ConfigureRequest(Config(config, "chaos")))
    model = Model(provider, emulator, random.Random(seed))

    for _ in range(OPERATIONS):
        model.step()
        model.check_invariants()

    # The faults stop; anything still stalled on the server takes effect now.
    emulator.clear_faults()
    emulator.release_stalls()
    assert emulator.wait_idle(timeout=10)
    model.check_invariants()
    faults_hit = sum(1 for record in emulator.request_log() if record.fault is not None)

    # A fault-free refresh and destroy: only acknowledged orphans may remain ...
    for name in list(model.state):
        model.refresh(name)
    for name in sorted(model.state):
        assert model.delete(name)
    left = emulator.accounts()
    assert {a["sender_email"] for a in left} <= model.acknowledged
    # ... and adopting them as the messages say, then destroying, empties lemlist.
    for account in left:
        name = str(account["sender_email"]).split("@", 1)[0]
        model.adopt(name, model.program(name))
    for name in sorted(model.state):
        assert model.delete(name)
    assert emulator.accounts() == []
    assert model.stray == []

    # No credential anywhere: error messages, the client's and the emulator's log lines.
    secrets = sorted(model.secrets)
    for text in [*model.messages, *(r.getMessage() for r in caplog.records)]:
        assert_no_credentials(text)
        assert not [s for s in secrets if s in text], "a rotated password leaked"
    for record in emulator.request_log():
        assert_no_credentials(repr(record))

    # The run exercised what it claims to (fixed seeds: these hold with a wide margin).
    assert faults_hit >= 60, faults_hit
    assert model.counts.get("error", 0) >= 20, model.counts
    assert model.counts.get("may-have-connected", 0) >= 3, model.counts
    assert model.counts.get("adopted", 0) >= 1, model.counts
    assert model.counts.get("replaced", 0) >= 20, model.counts
    assert clock.slept > 0, "the pacer and the backoff never waited"
