"""Lifecycles through the provider host, written as data: refresh, adoption, import, checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lemlist_emulator import Emulator
from lemlist_emulator.faults import Fault
from tests.conftest import API_KEY, assert_no_credentials, mailbox
from tests.harness import Engine, ProviderHost, Step, run_steps

ALICE = {"alice": mailbox()}
ALICE_UNVERIFIED = {"alice": mailbox(verify_connection=False)}
ALICE_ROTATED = {"alice": mailbox(smtp_password="rotated-pw-77")}
#: Live checks on refresh: the test endpoint runs even where lemlist's listing reports it.
ALICE_LIVE = {"alice": mailbox(verify_on_refresh=True)}
ALICE_UNVERIFIED_LIVE = {"alice": mailbox(verify_connection=False, verify_on_refresh=True)}


def disconnect_in_ui(engine: Engine, emulator: Emulator) -> None:
    assert emulator.disconnect(engine.state["alice"].id)


def connected_in_ui(_engine: Engine, emulator: Emulator) -> str:
    fields = {k: v for k, v in mailbox().items() if k != "sender_name"}
    return emulator.connect(sender_name="Alice Martin", **fields)


def connect_in_ui(engine: Engine, emulator: Emulator) -> None:
    """A mailbox connected in the lemlist UI; its id is what the user copies from there."""
    engine.log.append(f"ui {connected_in_ui(engine, emulator)}")


def ui_id(engine: Engine, _emulator: Emulator) -> str:
    return [line.split()[1] for line in engine.log if line.startswith("ui ")][-1]


def adopting(**overrides: Any) -> Callable[[Engine, Emulator], dict[str, dict[str, Any]]]:
    """The program with ``adopt_id`` set to the id copied from the UI."""
    return lambda e, emu: {"alice": mailbox(adopt_id=ui_id(e, emu), **overrides)}


def holds_ui_mailbox(engine: Engine, emulator: Emulator) -> None:
    assert state_ids(engine) == emulator_ids(emulator) == {ui_id(engine, emulator)}


def replaced_ui_mailbox(engine: Engine, emulator: Emulator) -> None:
    in_sync(engine, emulator)
    assert ui_id(engine, emulator) not in state_ids(engine)


def state_ids(engine: Engine) -> set[str]:
    return {r.id for r in engine.state.values()}


def emulator_ids(emulator: Emulator) -> set[str]:
    return {a["id"] for a in emulator.accounts()}


def in_sync(engine: Engine, emulator: Emulator) -> None:
    assert state_ids(engine) == emulator_ids(emulator)


def smtp_down(engine: Engine, emulator: Emulator) -> None:
    emulator.fail_check("smtp.acme-mail.com", "smtp", "535 5.7.8 Authentication failed")


def reports(smtp_ok: bool, imap_ok: bool) -> Callable[[Engine, Emulator], None]:
    def verify(engine: Engine, _emulator: Emulator) -> None:
        outs = engine.state["alice"].outputs
        assert (outs["smtp_ok"], outs["imap_ok"]) == (smtp_ok, imap_ok)
        assert outs["checked_at"]

    return verify


def assert_no_requests(emulator: Emulator) -> None:
    assert emulator.request_log() == []


def assert_empty(engine: Engine) -> None:
    assert engine.state == {}


def not_adopted(engine: Engine, emulator: Emulator) -> None:
    assert_empty(engine)
    assert emulator.account(ui_id(engine, emulator)) is not None


CASES: dict[str, list[Step]] = {
    "refresh follows a mailbox disconnected outside Pulumi, up connects it again": [
        Step("up", ALICE, expect={"alice": "create"}, accounts=1, check=in_sync),
        Step("refresh", expect={"alice": "kept"}, accounts=1, check=in_sync),
        Step("outside", effect=disconnect_in_ui, accounts=0),
        Step("preview", ALICE, expect={"alice": "same"}),  # state still believes it exists
        Step("refresh", expect={"alice": "deleted"}, check=lambda e, _: assert_empty(e)),
        Step("up", ALICE, expect={"alice": "create"}, accounts=1, check=in_sync),
    ],
    "adopt_id adopts a mailbox connected in the UI; it then lives like any other": [
        Step("outside", effect=connect_in_ui, accounts=1),
        Step("preview", adopting(), expect={"alice": "create"}),
        Step("up", adopting(), expect={"alice": "create"}, check=holds_ui_mailbox),
        Step("up", adopting(), expect={"alice": "same"}, check=holds_ui_mailbox),
        # Removing adopt_id afterwards is no change at all.
        Step("preview", ALICE, expect={"alice": "same"}),
        Step("up", ALICE, expect={"alice": "same"}, check=holds_ui_mailbox),
        Step("refresh", expect={"alice": "kept"}, check=reports(True, True)),
        Step("up", ALICE_ROTATED, expect={"alice": "delete-replace"}, check=replaced_ui_mailbox),
        Step("destroy", accounts=0),
    ],
    "adopting an id lemlist does not know fails with its reason and connects nothing": [
        Step(
            "up",
            {"alice": mailbox(adopt_id="umx_doesnotexist")},
            error='lemlist answered HTTP 404 "Email account not found"',
            accounts=0,
            check=lambda e, _: assert_empty(e),
        ),
    ],
    "a malformed adopt_id is refused at preview, before any call": [
        Step("preview", {"alice": mailbox(adopt_id="alice@acme-mail.com")}, error="usm_"),
    ],
    "adopt_id left on an adopted mailbox stops a replacement at preview": [
        Step("outside", effect=connect_in_ui),
        Step("up", adopting(), expect={"alice": "create"}, check=holds_ui_mailbox),
        Step("preview", adopting(smtp_password="rotated-pw-77"), error="Remove adopt_id"),
        Step("up", adopting(smtp_password="rotated-pw-77"), error="Remove adopt_id"),
        Step("up", ALICE, expect={"alice": "same"}, check=holds_ui_mailbox),
        Step("up", ALICE_ROTATED, expect={"alice": "delete-replace"}, check=replaced_ui_mailbox),
    ],
    "adopting a mailbox that fails its check leaves it connected and says why": [
        Step("outside", effect=connect_in_ui),
        Step("outside", effect=smtp_down),
        Step("up", adopting(), error="SMTP: 535 5.7.8", accounts=1, check=not_adopted),
        Step("up", adopting(verify_connection=False), expect={"alice": "create"}),
        Step("refresh", expect={"alice": "kept"}, check=reports(False, True)),
    ],
    "get reads a mailbox by id with the program's inputs": [
        Step("outside", effect=connect_in_ui),
        Step("get", ALICE, name="alice", id=ui_id, check=lambda e, _: assert_empty(e)),
        Step("get", ALICE, name="alice", id="umx_doesnotexist", error="HTTP 404"),
    ],
    "import_ fails as under the real engine: the host cannot find the provider (#16175)": [
        Step("outside", effect=connect_in_ui),
        Step("import", ALICE, name="alice", id=ui_id, error="KeyError: '__provider'"),
        Step("import", ALICE, name="alice", id="umx_doesnotexist", error="'__provider'"),
    ],
    "a failing connectivity check fails up and leaves nothing connected": [
        Step("outside", effect=smtp_down),
        Step("up", ALICE, error="SMTP: 535 5.7.8 Authentication failed", accounts=0),
        Step("up", ALICE, error="disconnected again", accounts=0),
    ],
    "verify_connection=False connects anyway; a live refresh reports the failing side": [
        Step("outside", effect=smtp_down),
        Step("up", ALICE_UNVERIFIED_LIVE, expect={"alice": "create"}, accounts=1),
        Step("refresh", expect={"alice": "kept"}, check=reports(False, True)),
    ],
    "verify_on_refresh is an in-place update, never a replacement": [
        Step("up", ALICE, expect={"alice": "create"}, accounts=1),
        Step("preview", ALICE_LIVE, expect={"alice": "update"}),
        Step("outside", effect=lambda _e, emu: emu.clear_log()),
        Step("up", ALICE_LIVE, expect={"alice": "update"}, accounts=1, check=in_sync),
        Step("up", ALICE, expect={"alice": "update"}, accounts=1, check=in_sync),
        # nothing reached lemlist: not a disconnect, nor a test (verify_connection was on)
        Step("outside", effect=lambda _e, emu: assert_no_requests(emu)),
    ],
    "changing verify_connection updates in place and never replaces": [
        Step("up", ALICE_UNVERIFIED, expect={"alice": "create"}, accounts=1),
        Step("up", ALICE, expect={"alice": "update"}, accounts=1, check=reports(True, True)),
        Step("outside", effect=smtp_down),
        Step("up", ALICE_UNVERIFIED, expect={"alice": "update"}, accounts=1, check=in_sync),
        Step("up", ALICE, error="it stays connected and unchanged", accounts=1, check=in_sync),
    ],
    "turning verify_connection on for a mailbox disconnected outside says to refresh": [
        Step("up", ALICE_UNVERIFIED, expect={"alice": "create"}, accounts=1),
        Step("outside", effect=disconnect_in_ui, accounts=0),
        Step("up", ALICE, error="Run `pulumi refresh`", accounts=0),
        Step("refresh", expect={"alice": "deleted"}),
        Step("up", ALICE, expect={"alice": "create"}, accounts=1, check=in_sync),
    ],
    "trouble during a live refresh is an error, never a silent removal": [
        Step("up", ALICE_LIVE, accounts=1),
        Step(
            "outside",
            effect=lambda _e, emu: emu.inject(Fault(kind="status", status=500, path="/test")),
        ),
        Step("refresh", error="HTTP 500", accounts=1, check=in_sync),
        Step("refresh", expect={"alice": "kept"}, check=in_sync),
    ],
}



@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_lifecycle(case: str, engine: Engine, emulator: Emulator) -> None:
    run_steps(engine, emulator, CASES[case])


def test_refresh_with_a_bad_key_keeps_state(
    host_factory: Callable[..., ProviderHost], engine: Engine, emulator: Emulator
) -> None:
    engine.up(ALICE)
    bad = host_factory(
        config={"lemlist:apiKey": "revoked-key-2024", "lemlist:apiUrl": emulator.url}
    )
    stale = Engine(bad, state=dict(engine.state))
    steps = [Step("refresh", error="HTTP 401", accounts=1)]
    run_steps(stale, emulator, steps)
    assert stale.state.keys() == {"alice"}


def test_adoption_errors_carry_no_credentials(engine: Engine, emulator: Emulator) -> None:
    try:
        engine.up({"alice": mailbox(adopt_id="umx_nope")})
    except Exception as exc:
        message: Any = str(exc)
    else:
        pytest.fail("adopting an unknown id succeeded")
    assert "Email account not found" in message
    assert_no_credentials(message)
    assert API_KEY not in message
