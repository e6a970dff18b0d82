"""Refresh from lemlist's listing (issues 27 and 29), through the real provider host: an odd
entry affects that entry only; a listed mailbox is read from the listing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.email_account.directory import Listing
from lemlist_resource.lemlist.answers import Answer
from lemlist_resource.lemlist.listing import user_entries
from tests.conftest import API_KEY, MEMBERS, mailbox
from tests.harness import Engine, ProviderHost
from tests.proxy import Canned, Proxy, proxy


def program(tag: str) -> dict[str, dict[str, Any]]:
    """Three mailboxes, with addresses of their own (the emulator outlives a test)."""
    return {n: mailbox(sender_email=f"{n}-{tag}@acme-mail.com") for n in ("a", "b", "c")}


def answer(body: object) -> Answer:
    return Answer(200, "application/json", json.dumps(body).encode(), False, None, None)


@pytest.mark.parametrize("field", ["lemlist", "lemwarm"])
def test_an_entry_with_a_string_for_an_object_is_skipped_alone(field: str) -> None:
    good = {"_id": "usm_good", "email": "g@acme.com", "status": "CONNECTED"}
    odd = {"_id": "usm_odd", "email": "o@acme.com", "status": "CONNECTED", field: "on\x1b[2J"}
    found = user_entries(answer({"_id": "usr_owner", "mailboxes": [odd, good]}))
    assert found is not None
    mailboxes, skipped = found
    assert [m.id for m in mailboxes] == ["usm_good"]
    (skip,) = skipped
    assert skip.id == "usm_odd" and field in skip.note and "\x1b" not in skip.note
    assert "'on\\x1b[2J'" in skip.note  # lemlist's answer, escaped


def test_an_entry_without_an_id_makes_the_listing_incomplete() -> None:
    found = user_entries(answer({"mailboxes": ["usm_1", {"_id": 7, "email": "x@acme.com"}]}))
    assert found is not None and found[0] == [] and len(found[1]) == 2
    assert all(s.id is None for s in found[1])


@pytest.fixture
def proxied(
    emulator: Emulator, host_factory: Callable[..., ProviderHost]
) -> Iterator[tuple[Proxy, Engine]]:
    with proxy(emulator.url) as front:
        host = host_factory({"lemlist:apiKey": API_KEY, "lemlist:apiUrl": front.url})
        yield front, Engine(host)


def listed(engine: Engine, odd: str, field: str) -> dict[str, Any]:
    """``GET /users/usr_owner`` as lemlist would answer it for the engine's mailboxes, with
    ``field`` of mailbox ``odd`` a string instead of an object."""
    entries = []
    for resource in engine.state.values():
        entry: dict[str, Any] = {
            "_id": resource.id,
            "email": resource.outputs["email"],
            "provider": "custom",
            "status": "CONNECTED",
            "lemlist": {"emailLimit": 50},
            "lemwarm": {"active": False},
        }
        if resource.id == odd:
            entry[field] = "enabled"
        entries.append(entry)
    return {"_id": MEMBERS[0], "mailboxes": entries}


@pytest.mark.parametrize("field", ["lemlist", "lemwarm"])
def test_one_odd_entry_does_not_fail_the_other_refreshes(
    field: str, emulator: Emulator, proxied: tuple[Proxy, Engine]
) -> None:
    front, engine = proxied
    engine.up(program(field))
    odd_id = engine.state["a"].id
    for member, body in ((MEMBERS[0], listed(engine, odd_id, field)), (MEMBERS[1], {})):
        front.queue(
            Canned(
                200,
                json.dumps(body).encode(),
                "application/json",
                method="GET",
                path=f"/users/{member}",
                after_forwarding=True,
            )
        )
    emulator.clear_log()
    assert engine.refresh() == dict.fromkeys("abc", "kept")
    odd = engine.state["a"].outputs
    assert odd.get("status") is None and odd["smtp_ok"] is True  # from the test endpoint
    assert f"{field} = 'enabled'" in odd["status_message"]
    assert odd_id in odd["status_message"]
    for name in ("b", "c"):
        assert engine.state[name].outputs["status"] == "CONNECTED"
    assert emulator.count(method="GET", path="/team") == 1  # the listing was not asked again
    assert emulator.count(200, "POST", f"/{odd_id}/test") == 1


def test_listing_skip_note_names_only_that_mailbox() -> None:
    from lemlist_resource.lemlist.listing import Skipped

    listing = Listing((), True, None, (Skipped("usm_odd", "why"),))
    assert listing.skip_note("usm_odd") == "why" and listing.skip_note("usm_other") is None


# -- issue 27: a listed mailbox is read from the listing -------------------------------------

TESTS = "/test"  # the test endpoint: POST /user/email-accounts/{id}/test
ERROR_SMTP = "smtp.errored-mail.com"  # the host of the mailbox whose password changed


def fleet(tag: str, n: int = 5, **overrides: Any) -> dict[str, dict[str, Any]]:
    """``n`` mailboxes with addresses of their own."""
    return {
        f"m{i}": mailbox(sender_email=f"m{i}-{tag}@acme-mail.com", **overrides) for i in range(n)
    }


def listing_requests() -> int:
    """What one team's listing costs: ``GET /team`` and ``GET /users/{id}`` per member."""
    return 1 + len(MEMBERS)


def test_a_listed_mailbox_is_read_from_the_listing_alone(
    engine: Engine, emulator: Emulator
) -> None:
    """Requests per refresh: the team and its members, not one test per mailbox (on the old
    code: 5 tests more); the test's outputs keep their values, and a second refresh shows no
    change at all (no new timestamp)."""
    engine.up(fleet("alone"))
    checked = {n: r.outputs["checked_at"] for n, r in engine.state.items()}
    emulator.clear_log()
    assert engine.refresh() == dict.fromkeys(checked, "kept")
    assert len(emulator.request_log()) == listing_requests()
    assert emulator.count(path=TESTS) == 0
    for name, res in engine.state.items():
        outs = res.outputs
        assert (outs["status"], outs["email_limit"], outs["lemwarm_active"]) == (
            "CONNECTED",
            50,
            False,
        )
        assert (outs["smtp_ok"], outs["imap_ok"], outs["checked_at"]) == (
            True,
            True,
            checked[name],
        )
    before = {n: dict(r.outputs) for n, r in engine.state.items()}
    engine.refresh()
    assert {n: r.outputs for n, r in engine.state.items()} == before
    assert not any(d.changes for d in engine.refresh_diffs.values())


def test_drift_is_still_found_with_lemlists_reason(engine: Engine, emulator: Emulator) -> None:
    """A mailbox in ERROR is tested (lemlist's SMTP words reach status_message), one
    DISCONNECTED outside Pulumi is read from the listing, one deleted outside Pulumi is gone
    by the test's 404; the others cost nothing beyond the listing."""
    program = fleet("drift")
    program["m0"]["smtp_host"] = ERROR_SMTP
    engine.up(program)
    ids = {name: res.id for name, res in engine.state.items()}
    checked = engine.state["m1"].outputs["checked_at"]
    emulator.set_status(ids["m0"], "ERROR")  # its password changed: lemlist cannot log in
    emulator.fail_check(ERROR_SMTP, "smtp", "535 5.7.8 Authentication failed")
    emulator.set_status(ids["m1"], "DISCONNECTED")
    assert emulator.disconnect(ids["m2"])
    emulator.clear_log()
    assert engine.refresh() == {
        "m0": "unhealthy",  # kept, and reported (tests/test_unhealthy.py)
        "m1": "unhealthy",
        "m2": "deleted",
        **dict.fromkeys(("m3", "m4"), "kept"),
    }
    errored = engine.state["m0"].outputs
    assert errored["status"] == "ERROR" and errored["smtp_ok"] is False
    assert "SMTP: 535 5.7.8 Authentication failed" in errored["status_message"]
    assert "set the new password" in errored["status_message"]
    gone = engine.state["m1"].outputs
    assert gone["status"] == "DISCONNECTED" and "pulumi destroy --target" in gone["status_message"]
    assert (gone["smtp_ok"], gone["checked_at"]) == (True, checked)  # last test's, kept
    assert emulator.count(path=f"{ids['m0']}{TESTS}") == 1
    assert emulator.count(path=f"{ids['m2']}{TESTS}") == 1  # lemlist's 404: gone
    assert emulator.count(path=TESTS) == 2


def test_a_mailbox_back_to_connected_after_a_failed_test_is_tested_again(
    engine: Engine, emulator: Emulator
) -> None:
    """Its last test failed: CONNECTED alone would contradict smtp_ok = false, so the test
    runs once; from then on the listing answers."""
    engine.up({"m0": mailbox(sender_email="back@acme-mail.com", smtp_host=ERROR_SMTP)})
    account = engine.state["m0"].id
    emulator.set_status(account, "ERROR")
    emulator.fail_check(ERROR_SMTP, "smtp", "535 5.7.8 Authentication failed")
    engine.refresh()
    assert engine.state["m0"].outputs["smtp_ok"] is False
    emulator.set_status(account, "CONNECTED")  # fixed in lemlist
    emulator.clear_check_failures()
    emulator.clear_log()
    engine.refresh()
    outs = engine.state["m0"].outputs
    assert (outs["status"], outs["smtp_ok"], outs.get("status_message")) == (
        "CONNECTED",
        True,
        None,
    )
    assert emulator.count(path=TESTS) == 1
    emulator.clear_log()
    engine.refresh()
    assert emulator.count(path=TESTS) == 0


def test_verify_on_refresh_tests_every_mailbox(engine: Engine, emulator: Emulator) -> None:
    """Live checks, asked for: one test per mailbox besides the listing, and the test's
    outputs are the refresh's. Its server down while lemlist lists them CONNECTED: the
    listing is asked again once, not once per mailbox."""
    program = fleet("live", n=3, verify_on_refresh=True)
    engine.up(program)
    emulator.fail_check("smtp.acme-mail.com", "smtp", "421 Service not available")
    emulator.clear_log()
    engine.refresh()
    assert emulator.count(path=TESTS) == 3
    assert len(emulator.request_log()) == 2 * listing_requests() + 3
    assert all(r.outputs["smtp_ok"] is False for r in engine.state.values())
    assert all(r.inputs["verify_on_refresh"] is True for r in engine.state.values())


def test_a_listing_without_status_falls_back_to_the_test(
    engine: Engine, emulator: Emulator
) -> None:
    """Only ``GET /user/channels`` (no status): every mailbox is tested, as before."""
    engine.up(fleet("nostatus", n=2))
    emulator.gate_plan("team_1", ["team"])
    emulator.clear_log()
    assert engine.refresh() == {"m0": "kept", "m1": "kept"}
    assert emulator.count(path=TESTS) == 2
    assert all(r.outputs.get("status") is None for r in engine.state.values())
    assert all("without their status" in r.outputs["status_message"] for r in engine.state.values())


def test_a_member_with_500_mailboxes_is_still_read_from_the_listing(
    engine: Engine, emulator: Emulator
) -> None:
    """``GET /users/{id}`` of a member with 500 mailboxes is about 100 KB, over the 64 KiB an
    answer of the other routes may be: the listing's routes read up to 8 MiB (on the old cap
    the listing was unreadable, and every mailbox was tested)."""
    engine.up({"m0": mailbox(sender_email="big-0@acme-mail.com")})
    for i in range(1, 500):
        emulator.connect(sender_email=f"big-{i}@acme-mail.com")
    emulator.clear_log()
    engine.refresh()
    assert engine.state["m0"].outputs["status"] == "CONNECTED"
    assert emulator.count(path=TESTS) == 0
    assert len(emulator.request_log()) == listing_requests()
