"""The fault matrix: every way lemlist can fail, through the real provider host, as data.

Each case injects faults into a dedicated emulator (lemlist's 20 requests / 2 s limit on),
runs one engine operation (create, delete, refresh or adopt) through the provider host
(read timeout 0.5 s, so a 3 s stall exceeds it) and asserts its outcome: success after
retries, or a clear error. After every case, the invariants of issue #6:

* no two mailboxes in lemlist share a sender address (no duplicate);
* every mailbox lemlist holds is in the engine's state, or was connected outside Pulumi by the
  test, or is the mailbox of an error that said it "may have connected" it and how to adopt it
  (``adopt_id``) — and then adopting it exactly as the message says works (no silent orphan);
* no credential in any error message; at the end of the module none in the host's stderr,
  the emulator's log lines or its request log either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from lemlist_emulator import Emulator
from lemlist_emulator.faults import Fault, FaultKind
from tests.conftest import (
    API_KEY,
    MEMBERS,
    OTHER_TEAM_KEY,
    assert_no_credentials,
    mailbox,
)
from tests.harness import Engine, HostError, ProviderHost, Resource

TIMEOUT = "0.5"  # lemlist:timeoutSeconds of the host under test: a 3 s stall exceeds it
STALL = 3.0
WRONG_KEY = "wrong-key-31337"
MAY_HAVE = "may have connected"
ADDRESS = "fault@acme-mail.com"
POST, DELETE, TEST = "POST", "DELETE", "/test"


def on_post(kind: FaultKind, **options: Any) -> Fault:
    """A fault on the connect POST (the first POST of a create)."""
    return Fault(kind, method=POST, path="/user/email-accounts", **options)


def on_delete(kind: FaultKind, **options: Any) -> Fault:
    return Fault(kind, method=DELETE, **options)


def on_test(kind: FaultKind, **options: Any) -> Fault:
    """A fault on the test endpoint (the check after a connect, a refresh and an adoption)."""
    return Fault(kind, method=POST, path=TEST, **options)


@dataclass(frozen=True)
class Case:
    """One row of the matrix.

    ``op``: ``create`` / ``delete`` / ``refresh`` / ``adopt`` / ``delete-foreign`` (a mailbox
    of another team). ``expect``: ``ok`` or fragments every one of which the error must
    contain. ``may_have``: the error must say the mailbox may have been connected, name it
    and say how to adopt it (otherwise it must not claim so). ``orphan``: whether lemlist then
    holds the mailbox although the state does not (the fault struck after processing).
    ``host``: ``main`` or ``wrong-key``. ``preexisting``: the address is already connected
    in the lemlist UI beforehand.
    """

    op: str
    faults: tuple[Fault, ...] = ()
    expect: tuple[str, ...] = ("ok",)
    may_have: bool = False
    orphan: bool = False
    host: str = "main"
    preexisting: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)


OK = ("ok",)

CASES: dict[str, Case] = {
    # -- 429: never processed, always retried, POST included ---------------------------------
    "429 storm on connect: retried, connected once": Case(
        "create", (on_post("rate_limit", times=5, retry_after=0),)
    ),
    "429 storm on refresh": Case("refresh", (on_test("rate_limit", times=4, retry_after=0),)),
    "429 on delete": Case("delete", (on_delete("rate_limit", times=2, retry_after=0),)),
    "429 beyond the retry budget on connect: a clear error, nothing connected": Case(
        "create",
        (on_post("rate_limit", times=21, retry_after=0),),
        ("HTTP 429", "nothing was changed"),
    ),
    # -- 5xx ---------------------------------------------------------------------------------
    "503 burst on delete: retried": Case("delete", (on_delete("status", status=503, times=2),)),
    "503 on delete after processing: the retry finds it gone": Case(
        "delete", (on_delete("status", status=503, after_processing=True),)
    ),
    "500 on delete: not retried, a clear error, still in state": Case(
        "delete", (on_delete("status", status=500),), ("HTTP 500", "retry later")
    ),
    "502 burst on the check after connect: retried": Case(
        "create", (on_test("status", status=502, times=2),)
    ),
    "504 on refresh: retried": Case("refresh", (on_test("status", status=504),)),
    "503 on adoption: retried": Case("adopt", (on_test("status", status=503),)),
    "503 on connect before processing: outcome unknown, said so": Case(
        "create", (on_post("status", status=503),), ("HTTP 503",), may_have=True
    ),
    "500 on connect after processing: orphan, said so": Case(
        "create",
        (on_post("status", status=500, after_processing=True),),
        ("HTTP 500",),
        may_have=True,
        orphan=True,
    ),
    # -- connection resets -------------------------------------------------------------------
    "reset on connect before processing": Case(
        "create", (on_post("drop"),), ("connection was dropped",), may_have=True
    ),
    "reset on connect after processing: orphan, said so": Case(
        "create",
        (on_post("drop", after_processing=True),),
        ("connection was dropped",),
        may_have=True,
        orphan=True,
    ),
    "reset on delete before processing: retried": Case("delete", (on_delete("drop"),)),
    "reset on delete after processing: the retry finds it gone": Case(
        "delete", (on_delete("drop", after_processing=True),)
    ),
    "reset on refresh: retried": Case("refresh", (on_test("drop"),)),
    # -- slower than the read timeout ----------------------------------------------------------
    "stall on connect after processing: orphan, said so": Case(
        "create",
        (on_post("stall", seconds=STALL, after_processing=True),),
        ("outcome is unknown",),
        may_have=True,
        orphan=True,
    ),
    "stall on connect before processing: lemlist connects it later, said so": Case(
        "create",
        (on_post("stall", seconds=STALL),),
        ("outcome is unknown",),
        may_have=True,
        orphan=True,
    ),
    "stall on connect: the error calls it a timeout": Case(
        "create",
        (on_post("stall", seconds=STALL, after_processing=True),),
        ("no response before the read timeout",),
        may_have=True,
        orphan=True,
    ),
    "stall on the check after connect: retried": Case("create", (on_test("stall", seconds=STALL),)),
    "stall on refresh: retried": Case("refresh", (on_test("stall", seconds=STALL),)),
    "stall on delete: retried, the late original finds it gone": Case(
        "delete", (on_delete("stall", seconds=STALL),)
    ),
    # -- unreadable bodies -----------------------------------------------------------------------
    "non-JSON 201 on connect, not processed": Case(
        "create", (on_post("garbage"),), ("unreadable body",), may_have=True
    ),
    "non-JSON 201 on connect after processing: orphan, said so": Case(
        "create",
        (on_post("garbage", after_processing=True),),
        ("unreadable body",),
        may_have=True,
        orphan=True,
    ),
    "truncated 201 on connect, not processed": Case(
        "create", (on_post("truncate"),), ("cut off",), may_have=True
    ),
    "truncated 201 on connect after processing: orphan, said so": Case(
        "create",
        (on_post("truncate", after_processing=True),),
        ("cut off",),
        may_have=True,
        orphan=True,
    ),
    "non-JSON 200 on the check after connect: retried": Case("create", (on_test("garbage"),)),
    # A 200 that is not lemlist's JSON (a proxy page) disconnected nothing: taking it for
    # success would drop from state a mailbox lemlist still holds.
    "non-JSON 200 on delete, not processed: retried": Case("delete", (on_delete("garbage"),)),
    "non-JSON 200 on delete after processing": Case(
        "delete", (on_delete("garbage", after_processing=True),)
    ),
    "truncated 200 on delete: retried": Case("delete", (on_delete("truncate"),)),
    "truncated 200 on refresh: retried": Case("refresh", (on_test("truncate"),)),
    "truncated 200 on adoption: retried": Case("adopt", (on_test("truncate"),)),
    # -- refusals: clear errors, nothing changed -------------------------------------------------
    "401 on connect": Case(
        "create", expect=("HTTP 401", "lemlist:apiKey", "LEMLIST_API_KEY"), host="wrong-key"
    ),
    "401 on refresh": Case("refresh", expect=("HTTP 401", "lemlist:apiKey"), host="wrong-key"),
    "401 on delete": Case("delete", expect=("HTTP 401", "lemlist:apiKey"), host="wrong-key"),
    "403 user_id not a member": Case(
        "create",
        expect=("HTTP 403", "User is not a member of this team", "user_id"),
        overrides={"user_id": "usr_stranger"},
    ),
    "403 deleting another team's mailbox": Case(
        "delete-foreign", expect=("HTTP 403", "another team")
    ),
    "duplicate mailbox: says how to adopt it": Case(
        "create", expect=("This SMTP mailbox already exists", "adopt_id"), preexisting=True
    ),
    "adopting an id lemlist does not know": Case(
        "adopt", expect=("HTTP 404", "adopt_id"), overrides={"id": "umx_doesnotexist0000"}
    ),
}


# -- fixtures: a dedicated emulator, hosts wired to it, and everything they write -------------


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def emulator_lines() -> Iterator[list[str]]:
    """Every line the emulator logs during this module."""
    logger = logging.getLogger("lemlist_emulator")
    handler, level = _Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture(scope="module")
def faulty(emulator_lines: list[str]) -> Iterator[Emulator]:
    """The emulator under fault injection; stalled requests are released at the end."""
    emu = Emulator(
        api_keys={API_KEY: "team_1", OTHER_TEAM_KEY: "team_2"},
        members={"team_1": MEMBERS, "team_2": ("usr_other",)},
        rate_limit=(20, 2.0),
    ).start()
    log: list[str] = []
    try:
        yield emu
    finally:
        emu.release_stalls()
        emu.wait_idle(timeout=10)
        log = [repr(record) for record in emu.request_log()]
        emu.stop()
    for line in [*log, *emulator_lines]:
        assert_no_credentials(line)
        assert WRONG_KEY not in line
    assert emulator_lines, "the emulator logged nothing: the log check would prove nothing"


@pytest.fixture(scope="module")
def hosts(faulty: Emulator) -> Iterator[dict[str, ProviderHost]]:
    """The provider hosts of this module; their stderr is checked for credentials at the end."""
    started: dict[str, ProviderHost] = {}
    keys = {"main": API_KEY, "wrong-key": WRONG_KEY}
    try:
        for name, key in keys.items():
            host = ProviderHost()
            started[name] = host
            host.configure(
                {
                    "lemlist:apiKey": key,
                    "lemlist:apiUrl": faulty.url,
                    "lemlist:timeoutSeconds": TIMEOUT,
                },
                secret_keys=["lemlist:apiKey"],
            )
        yield started
    finally:
        for host in started.values():
            stderr = host.close()
            assert_no_credentials(stderr)
            assert WRONG_KEY not in stderr


@pytest.fixture
def clean(faulty: Emulator) -> Iterator[Emulator]:
    """A clean emulator before a case; after it, stalls released and nothing in flight."""
    faulty.reset()
    yield faulty
    faulty.release_stalls()
    assert faulty.wait_idle(timeout=10)


# -- the matrix ------------------------------------------------------------------------------


def _by_address(emulator: Emulator) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for account in emulator.accounts():
        found.setdefault(str(account["sender_email"]).lower(), []).append(str(account["id"]))
    return found


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_fault(case: Case, clean: Emulator, hosts: dict[str, ProviderHost]) -> None:
    emulator = clean
    program = {"m": mailbox(sender_email=ADDRESS, smtp_login=ADDRESS, imap_login=ADDRESS)}
    program["m"].update({k: v for k, v in case.overrides.items() if k != "id"})
    main = Engine(hosts["main"])
    engine = Engine(hosts[case.host])
    outside: set[str] = set()  # mailboxes the test itself connected "in the lemlist UI"

    # Set up what the operation acts on, without faults.
    if case.op in ("delete", "refresh"):
        main.up(program)
        engine.state = main.state
    elif case.op == "adopt":
        fields = {k: v for k, v in program["m"].items() if k not in ("user_id",)}
        outside.add(emulator.connect(**fields))
    elif case.op == "delete-foreign":
        foreign = emulator.connect(sender_email="bob@acme-mail.com", team="team_2")
        outside.add(foreign)
        engine.state["m"] = Resource(foreign, program["m"], {})
    preexisting = emulator.connect(sender_email=ADDRESS) if case.preexisting else None
    if preexisting is not None:
        outside.add(preexisting)
    before = {name: res.id for name, res in engine.state.items()}

    for fault in case.faults:
        emulator.inject(fault)
    error: str | None = None
    try:
        if case.op == "create":
            engine.up(program)
        elif case.op in ("delete", "delete-foreign"):
            engine.up({})
        elif case.op == "refresh":
            engine.refresh()
        else:
            id_ = case.overrides.get("id") or next(iter(outside))
            engine.up({"m": {**program["m"], "adopt_id": id_}})
    except HostError as exc:
        error = exc.message
    emulator.release_stalls()  # a request stalled on the server goes on now ...
    assert emulator.wait_idle(timeout=10)  # ... and has taken effect before we look
    assert emulator.pending_faults() == [], "the case did not meet every fault it injected"

    # The outcome: success, or a clear sentence that never carries a credential.
    if case.expect == OK:
        assert error is None, f"expected success, got: {error}"
    else:
        assert error is not None, "expected an error, the operation succeeded"
        raised = error.strip().splitlines()[-1]
        assert raised.startswith("lemlist_resource.errors."), f"not one of ours: {raised}"
        assert_no_credentials(error)
        assert WRONG_KEY not in error
        for fragment in case.expect:
            assert fragment in error, f"{fragment!r} not in the error: {error}"
        if case.may_have:
            assert MAY_HAVE in error and "adopt_id" in error and ADDRESS in error, error
            assert "not retried" in error
        else:
            assert MAY_HAVE not in error, f"a certain failure claims uncertainty: {error}"

    # The state after success.
    state = {name: res.id for name, res in engine.state.items()}
    if error is None and case.op in ("create", "adopt"):
        assert emulator.account(state["m"]) is not None
    if error is None and case.op == "delete":
        assert state == {} and emulator.account(before["m"]) is None
    if error is None and case.op == "refresh":
        assert state == before and emulator.account(state["m"]) is not None
    if error is not None and case.op in ("delete", "refresh", "delete-foreign"):
        assert state == before, "a failed operation must leave the state as it was"

    # Invariants: no duplicate, no silent orphan.
    addresses = _by_address(emulator)
    assert all(len(ids) == 1 for ids in addresses.values()), f"duplicates: {addresses}"
    known = set(state.values()) | outside
    unknown = [a for a in emulator.accounts() if a["id"] not in known]
    said_so = error is not None and MAY_HAVE in error
    acknowledged = [a for a in unknown if said_so and a["sender_email"] == ADDRESS]
    assert unknown == acknowledged, f"silent orphans: {[a['id'] for a in unknown]}"
    assert bool(unknown) == case.orphan, "the fault did not strike where the case says"

    # Adopting the mailbox the way the message says works; then nothing is left behind.
    adopt = str(unknown[0]["id"]) if unknown else preexisting
    main.state = {n: r for n, r in engine.state.items() if r.id not in outside}
    if adopt is not None:
        assert main.state == {}
        assert main.up({"m": {**program["m"], "adopt_id": adopt}}) == {"m": "create"}
        assert main.state["m"].id == adopt
        outside.discard(adopt)
    main.destroy()
    for leftover in outside:
        emulator.disconnect(leftover)
    assert emulator.accounts() == []
