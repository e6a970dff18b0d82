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

Cases with ``answers`` (issue 10) go through a scripted proxy in front of the emulator
(tests/proxy.py): what a proxy, a captive portal or a half-migrated lemlist API answers. For
them too: state kept unless lemlist's own words say otherwise, and nothing ever reaches the
host a redirect names (the ``trap``).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from lemlist_emulator import Emulator
from lemlist_emulator.faults import Fault, FaultKind
from lemlist_emulator.ratelimit import LEMLIST_RATE
from tests.conftest import (
    API_KEY,
    IMAP_PASSWORD,
    MEMBERS,
    OTHER_TEAM_KEY,
    SMTP_PASSWORD,
    assert_no_credentials,
    mailbox,
)
from tests.harness import Engine, HostError, ProviderHost, Resource
from tests.proxy import Canned, Proxy, gzipped

TIMEOUT = "0.5"  # lemlist:timeoutSeconds of the host under test: a 3 s stall exceeds it
STALL = 3.0
WRONG_KEY = "wrong-key-31337"
MAY_HAVE = "may have connected"
ADDRESS = "fault@acme-mail.com"
POST, DELETE, TEST = "POST", "DELETE", "/test"
CONNECT_PATH = "/user/email-accounts"
TRAP = "{trap}"  # replaced by the trap server's base URL when a case runs
JSON = "application/json"
HTML = "text/html; charset=utf-8"
PORTAL = b"<!DOCTYPE html><html><head><title>Sign in to Guest Wi-Fi</title></head></html>"
BASIC_KEY = base64.b64encode(f":{API_KEY}".encode()).decode()


def on_post(kind: FaultKind, **options: Any) -> Fault:
    """A fault on the connect POST (the first POST of a create)."""
    return Fault(kind, method=POST, path="/user/email-accounts", **options)


def on_delete(kind: FaultKind, **options: Any) -> Fault:
    return Fault(kind, method=DELETE, **options)


def on_test(kind: FaultKind, **options: Any) -> Fault:
    """A fault on the test endpoint (the check after a connect, a refresh and an adoption)."""
    return Fault(kind, method=POST, path=TEST, **options)


def on_listing(kind: FaultKind, **options: Any) -> Fault:
    """A fault on lemlist's listing of a member's mailboxes (``GET /users/{id}``)."""
    return Fault(kind, method="GET", path="/users/", **options)


def answer_post(status: int, body: bytes = b"", **options: Any) -> Canned:
    """What the proxy answers to the connect POST (``after_forwarding``: once lemlist did)."""
    return Canned(status, body, method=POST, path=CONNECT_PATH, **options)


def answer_delete(status: int, body: bytes = b"", **options: Any) -> Canned:
    return Canned(status, body, method=DELETE, **options)


def answer_test(status: int, body: bytes = b"", **options: Any) -> Canned:
    return Canned(status, body, method=POST, path=TEST, **options)


@dataclass(frozen=True)
class Case:
    """One row of the matrix.

    ``op``: ``create`` / ``delete`` / ``refresh`` / ``adopt`` / ``delete-foreign`` (a mailbox
    of another team). ``expect``: ``ok`` or fragments every one of which the error must
    contain. ``may_have``: the error must say the mailbox may have been connected, name it
    and say how to adopt it (otherwise it must not claim so). ``orphan``: whether lemlist then
    holds the mailbox although the state does not (the fault struck after processing).
    ``host``: ``main`` or ``wrong-key``. ``preexisting``: the address is already connected
    in the lemlist UI beforehand. ``answers``: what the proxy in front of lemlist answers
    instead (or, ``after_forwarding``, after lemlist processed the request); such a case runs
    on the host configured with the proxy's URL.
    """

    op: str
    faults: tuple[Fault, ...] = ()
    expect: tuple[str, ...] = ("ok",)
    may_have: bool = False
    orphan: bool = False
    host: str = "main"
    preexisting: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)
    answers: tuple[Canned, ...] = ()


OK = ("ok",)
#: The refresh rows run live checks (``verify_on_refresh``), so the test endpoint's faults are
#: met; a row with these overrides refreshes from lemlist's listing instead (issue 27).
FROM_LISTING: dict[str, Any] = {"verify_on_refresh": None}

CASES: dict[str, Case] = {
    # -- 429: never processed, always retried, POST included ---------------------------------
    "429 storm on connect: retried, connected once": Case(
        "create", (on_post("rate_limit", times=5, retry_after=0),)
    ),
    "429 storm on refresh": Case("refresh", (on_test("rate_limit", times=4, retry_after=0),)),
    "429 storm on the listing, refresh from the listing: retried": Case(
        "refresh", (on_listing("rate_limit", times=4, retry_after=0),), overrides=FROM_LISTING
    ),
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
    # -- issue 10: answers that are not lemlist's words (through the proxy) --------------------
    # 1. Only lemlist's own 404 text means "gone": a proxy's 404 (or lemlist:apiUrl without
    #    /api) keeps every mailbox in state, on refresh and on destroy.
    "#1 refresh: a 404 HTML page is not 'gone'": Case(
        "refresh",
        answers=(answer_test(404, b"<html><h1>Not Found</h1></html>", content_type=HTML),),
        expect=("HTTP 404", "not lemlist's", "stays in the stack state", "lemlist:apiUrl"),
    ),
    "#1 delete: a 404 'Not Found' from a proxy is not 'gone'": Case(
        "delete",
        answers=(answer_delete(404, b"Not Found"),),
        expect=("HTTP 404", '"Not Found"', "stays in the stack state"),
    ),
    # 2. Redirects are never followed: nothing (no key, no password) reaches the Location host.
    "#2 307 on connect: not followed": Case(
        "create",
        answers=(answer_post(307, headers=(("Location", TRAP + CONNECT_PATH),)),),
        expect=("HTTP 307", "a redirect to '127.0.0.1:", "never follows redirects"),
    ),
    "#2 308 on delete: not followed, state kept": Case(
        "delete",
        answers=(answer_delete(308, headers=(("Location", TRAP + "/x?access_token=k"),)),),
        expect=("HTTP 308", "nothing was sent there"),
    ),
    "#2 302 on refresh: not followed, state kept": Case(
        "refresh",
        answers=(answer_test(302, headers=(("Location", "https://login.corp.example/sso"),)),),
        expect=("HTTP 302", "'login.corp.example'"),
    ),
    # 3. Only {"ok": true} is a disconnect.
    '#3 delete answered 200 {"ok": false}: state kept': Case(
        "delete",
        answers=(answer_delete(200, b'{"ok": false}', content_type=JSON),),
        expect=('{"ok": false}', '{"ok": true}', "stays in the stack state"),
    ),
    # 4. A check answer of an unknown shape after a connect: undone, said so.
    '#4 the check after connect answers {"smtp": true}: disconnected again': Case(
        "create",
        answers=(answer_test(200, b'{"smtp": true}', content_type=JSON),),
        expect=("not the result lemlist documents", "disconnected again"),
    ),
    # 5. An unparsable Retry-After is waited out with the default pause, then retried.
    "#5 429 with Retry-After: soon on connect: retried, connected once": Case(
        "create",
        answers=(answer_post(429, b"Too many requests", headers=(("Retry-After", "soon"),)),),
    ),
    "#5 429 with Retry-After: nan on refresh: retried": Case(
        "refresh", answers=(answer_test(429, b"Too many", headers=(("Retry-After", "nan"),)),)
    ),
    # 10. lemlist echoing a credential back: redacted, whatever form it takes.
    "#10 a refusal echoing the password and the Basic-auth key: redacted": Case(
        "create",
        answers=(
            answer_post(400, f"Invalid host for {SMTP_PASSWORD} ({BASIC_KEY})".encode()),
        ),
        expect=("HTTP 400", "Invalid host for [redacted] ([redacted])"),
    ),
    # -- beyond the issue: proxies, captive portals, a half-migrated API ------------------------
    "captive portal: 200 HTML on connect, outcome unknown, said so": Case(
        "create",
        answers=(answer_post(200, PORTAL, content_type=HTML),),
        expect=("HTML page", "captive portal", "Sign in to Guest Wi-Fi"),
        may_have=True,
    ),
    "captive portal: 200 HTML on every refresh try: an error, state kept": Case(
        "refresh",
        answers=(answer_test(200, PORTAL, content_type=HTML, times=5),),
        expect=("HTML page", "after 5 attempts"),
    ),
    "half-migrated API: 201 without an id after processing: orphan, said so": Case(
        "create",
        answers=(
            answer_post(201, b'{"data": {"_id": "x"}}', content_type=JSON, after_forwarding=True),
        ),
        expect=("without an id", "HTTP 201"),
        may_have=True,
        orphan=True,
    ),
    "a 201 whose id would walk the URL path (../): not trusted, said so": Case(
        "create",
        answers=(
            answer_post(201, b'{"id": "../../team"}', content_type=JSON, after_forwarding=True),
        ),
        expect=("without an id",),
        may_have=True,
        orphan=True,
    ),
    "half-migrated API: 204 on delete: not a disconnect, state kept": Case(
        "delete",
        answers=(answer_delete(204, content_type=None),),
        expect=("HTTP 204", '{"ok": true}'),
    ),
    "half-migrated API: another JSON shape on refresh: state kept": Case(
        "refresh",
        answers=(
            answer_test(200, b'{"result": {"smtp": "ok", "imap": "ok"}}', content_type=JSON),
        ),
        expect=("not the result lemlist documents", "stack state is kept"),
    ),
    '{"ok": true} sent as text/html on every try: not trusted, state kept': Case(
        "delete",
        answers=(answer_delete(200, b'{"ok": true}', content_type=HTML, times=5),),
        expect=("text/html", "after 5 attempts"),
    ),
    "a 1 MB body on every refresh try: read no further than 64 KiB": Case(
        "refresh",
        answers=(answer_test(200, b"[" + b"0," * 500_000 + b"0]", content_type=JSON, times=5),),
        expect=("a body over 64 KiB",),
    ),
    "a gzip bomb (20 MB of spaces) on every delete try: read no further": Case(
        "delete",
        answers=(
            answer_delete(
                200, gzipped(b" " * 20_000_000), content_type=JSON, gzip=True, times=5
            ),
        ),
        expect=("a body over 64 KiB",),
    ),
    "an echoing proxy answers the connect with its body: passwords redacted, said so": Case(
        "create",
        answers=(
            answer_post(
                200,
                json.dumps(
                    {"smtp_password": SMTP_PASSWORD, "imap_password": IMAP_PASSWORD}
                ).encode(),
                content_type=JSON,
            ),
        ),
        expect=('"smtp_password": "[redacted]", "imap_password": "[redacted]"',),
        may_have=True,
    ),
    "gzip garbage on delete: retried": Case(
        "delete", answers=(answer_delete(200, b"not gzip at all", content_type=JSON, gzip=True),)
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
        rate_limit=LEMLIST_RATE,
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
def proxies(faulty: Emulator) -> Iterator[dict[str, Proxy]]:
    """The scripted proxy in front of the emulator, and the trap a redirect points at."""
    started = {"proxy": Proxy(faulty.url), "trap": Proxy(None)}
    try:
        yield started
    finally:
        for server in started.values():
            server.close()


@pytest.fixture(scope="module")
def hosts(faulty: Emulator, proxies: dict[str, Proxy]) -> Iterator[dict[str, ProviderHost]]:
    """The provider hosts of this module; their stderr is checked for credentials at the end."""
    started: dict[str, ProviderHost] = {}
    keys = {"main": API_KEY, "wrong-key": WRONG_KEY, "proxied": API_KEY}
    try:
        for name, key in keys.items():
            host = ProviderHost()
            started[name] = host
            url = proxies["proxy"].url if name == "proxied" else faulty.url
            host.configure(
                {
                    "lemlist:apiKey": key,
                    "lemlist:apiUrl": url,
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
def test_fault(
    case: Case, clean: Emulator, hosts: dict[str, ProviderHost], proxies: dict[str, Proxy]
) -> None:
    emulator = clean
    proxy, trap = proxies["proxy"], proxies["trap"]
    proxy.reset()
    trap.reset()
    program = {"m": mailbox(sender_email=ADDRESS, smtp_login=ADDRESS, imap_login=ADDRESS)}
    program["m"]["verify_on_refresh"] = True if case.op == "refresh" else None
    program["m"].update({k: v for k, v in case.overrides.items() if k != "id"})
    main = Engine(hosts["main"])
    engine = Engine(hosts["proxied" if case.answers else case.host])
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
    base = trap.url.removesuffix("/api")
    proxy.queue(
        *(
            replace(a, headers=tuple((k, v.replace(TRAP, base)) for k, v in a.headers))
            for a in case.answers
        )
    )
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
    assert proxy.pending() == [], "the case did not meet every answer it scripted"
    assert trap.received == [], "a request reached the host a redirect named"

    # The outcome: success, or a clear sentence that never carries a credential.
    if case.expect == OK:
        assert error is None, f"expected success, got: {error}"
    else:
        assert error is not None, "expected an error, the operation succeeded"
        # Ours read as their sentence alone (lemlist_resource.host.hosterrors); any other
        # exception comes with the host's traceback.
        assert "Traceback" not in error, f"not one of ours: {error}"
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
