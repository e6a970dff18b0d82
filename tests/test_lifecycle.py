"""Lifecycles through the provider host, written as data: refresh, import, connectivity checks."""

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


def disconnect_in_ui(engine: Engine, emulator: Emulator) -> None:
    assert emulator.disconnect(engine.state["alice"].id)


def connected_in_ui(_engine: Engine, emulator: Emulator) -> str:
    fields = {k: v for k, v in mailbox().items() if k != "sender_name"}
    return emulator.connect(sender_name="Alice Martin", **fields)


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


CASES: dict[str, list[Step]] = {
    "refresh follows a mailbox disconnected outside Pulumi, up connects it again": [
        Step("up", ALICE, expect={"alice": "create"}, accounts=1, check=in_sync),
        Step("refresh", expect={"alice": "kept"}, accounts=1, check=in_sync),
        Step("outside", effect=disconnect_in_ui, accounts=0),
        Step("preview", ALICE, expect={"alice": "same"}),  # state still believes it exists
        Step("refresh", expect={"alice": "deleted"}, check=lambda e, _: assert_empty(e)),
        Step("up", ALICE, expect={"alice": "create"}, accounts=1, check=in_sync),
    ],
    "import adopts a mailbox connected in the UI without connecting it twice": [
        Step("import", ALICE, name="alice", id=connected_in_ui, accounts=1, check=in_sync),
        Step("up", ALICE, expect={"alice": "same"}, accounts=1, check=in_sync),
        Step("refresh", expect={"alice": "kept"}, check=reports(True, True)),
        Step("destroy", accounts=0),
    ],
    "import of an unknown id fails clearly and changes nothing": [
        Step(
            "import",
            ALICE,
            name="alice",
            id="umx_doesnotexist",
            error='lemlist answered HTTP 404 "Email account not found"',
            accounts=0,
            check=lambda e, _: assert_empty(e),
        ),
    ],
    "a failing connectivity check fails up and leaves nothing connected": [
        Step("outside", effect=smtp_down),
        Step("up", ALICE, error="SMTP: 535 5.7.8 Authentication failed", accounts=0),
        Step("up", ALICE, error="disconnected again", accounts=0),
    ],
    "verify_connection=False connects anyway; refresh reports the failing side": [
        Step("outside", effect=smtp_down),
        Step("up", ALICE_UNVERIFIED, expect={"alice": "create"}, accounts=1),
        Step("refresh", expect={"alice": "kept"}, check=reports(False, True)),
    ],
    "changing verify_connection updates in place and never replaces": [
        Step("up", ALICE_UNVERIFIED, expect={"alice": "create"}, accounts=1),
        Step("up", ALICE, expect={"alice": "update"}, accounts=1, check=reports(True, True)),
        Step("outside", effect=smtp_down),
        Step("up", ALICE_UNVERIFIED, expect={"alice": "update"}, accounts=1, check=in_sync),
        Step("up", ALICE, error="it stays connected and unchanged", accounts=1, check=in_sync),
    ],
    "trouble during refresh is an error, never a silent removal": [
        Step("up", ALICE, accounts=1),
        Step(
            "outside",
            effect=lambda _e, emu: emu.inject(Fault(kind="status", status=500, path="/test")),
        ),
        Step("refresh", error="HTTP 500", accounts=1, check=in_sync),
        Step("refresh", expect={"alice": "kept"}, check=in_sync),
    ],
}


def assert_empty(engine: Engine) -> None:
    assert engine.state == {}


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


def test_import_errors_carry_no_credentials(engine: Engine, emulator: Emulator) -> None:
    try:
        engine.import_("alice", "umx_nope", mailbox())
    except Exception as exc:
        message: Any = str(exc)
    else:
        pytest.fail("import of an unknown id succeeded")
    assert_no_credentials(message)
    assert API_KEY not in message
