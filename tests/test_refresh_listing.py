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
