"""The emulator's lemwarm routes, as lemlist documents them: start, pause, GET/PATCH settings
with their validation and errors, the seat switch, teams, and persistence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_emulator.lemwarm import Refused, settings_update
from lemlist_resource.warmup.rules import SETTINGS, check_setting, patch_body

from .helpers import BAD_TEAM_KEY, KEY, make_emulator, session_for


@pytest.fixture
def mailbox_id(emu: Emulator) -> str:
    return emu.connect(sender_email="alice@acme-mail.com")


def url(emu: Emulator, mailbox_id: str, action: str) -> str:
    return f"{emu.url}/lemwarm/{mailbox_id}/{action}"


def test_a_new_mailbox_is_paused_with_default_settings(
    emu: Emulator, api: requests.Session, mailbox_id: str
) -> None:
    assert emu.account(mailbox_id)["lemwarm_active"] is False  # type: ignore[index]
    answer = api.get(url(emu, mailbox_id, "settings"))
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(
        "application/json"
    )
    assert set(answer.json()) == {
        "warmEmailMax",
        "warmEmailRampup",
        "internalCommunicationPercent",
        "answerPercentage",
        "warmUsePlaintext",
        "warmDailyVarianceEnabled",
    }


def test_start_and_pause_answer_ok_and_set_lemwarm_active(
    emu: Emulator, api: requests.Session, mailbox_id: str
) -> None:
    started = api.post(url(emu, mailbox_id, "start"))
    assert (started.status_code, started.json()) == (200, {"ok": True})
    assert emu.account(mailbox_id)["lemwarm_active"] is True  # type: ignore[index]
    assert api.post(url(emu, mailbox_id, "pause")).json() == {"ok": True}
    assert emu.account(mailbox_id)["lemwarm_active"] is False  # type: ignore[index]


def test_patch_changes_only_the_fields_it_names(
    emu: Emulator, api: requests.Session, mailbox_id: str
) -> None:
    before = api.get(url(emu, mailbox_id, "settings")).json()
    body = {"warmEmailMax": 40, "warmDailyVarianceEnabled": True, "unknownField": 3}
    assert api.patch(url(emu, mailbox_id, "settings"), json=body).json() == {"ok": True}
    after = api.get(url(emu, mailbox_id, "settings")).json()
    assert after == {**before, "warmEmailMax": 40, "warmDailyVarianceEnabled": True}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"warmEmailMax": "20"}, "A provided field has the wrong type"),
        ({"warmEmailMax": 20.5}, "A provided field has the wrong type"),
        ({"warmUsePlaintext": 1}, "A provided field has the wrong type"),
        ({"answerPercentage": True}, "A provided field has the wrong type"),
        ({"warmEmailMax": 0}, "Error updating settings"),
        ({"warmEmailRampup": 41}, "Error updating settings"),
        ({"internalCommunicationPercent": 101}, "Error updating settings"),
        ({}, "Error updating settings"),
        ({"colour": "blue"}, "Error updating settings"),
    ],
)
def test_patch_refusals_are_lemlists_sentences(
    emu: Emulator, api: requests.Session, mailbox_id: str, body: object, message: str
) -> None:
    before = api.get(url(emu, mailbox_id, "settings")).json()
    answer = api.patch(url(emu, mailbox_id, "settings"), json=body)
    assert (answer.status_code, answer.text) == (400, message)
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert api.get(url(emu, mailbox_id, "settings")).json() == before


def test_the_seat_switch_refuses_start_with_billing_error(
    emu: Emulator, api: requests.Session, mailbox_id: str
) -> None:
    emu.set_lemwarm_seat(False)
    refused = api.post(url(emu, mailbox_id, "start"))
    assert (refused.status_code, refused.text) == (400, "billing-error")
    assert emu.account(mailbox_id)["lemwarm_active"] is False  # type: ignore[index]
    assert api.post(url(emu, mailbox_id, "pause")).status_code == 200  # pause needs no seat
    emu.set_lemwarm_seat(True)
    assert api.post(url(emu, mailbox_id, "start")).status_code == 200
    emu.set_lemwarm_seat(False, team="team_2")  # another team's seat: not this one's
    assert api.post(url(emu, mailbox_id, "start")).status_code == 200


def test_unknown_and_foreign_mailboxes_methods_and_bad_team(
    emu: Emulator, api: requests.Session, other_api: requests.Session, mailbox_id: str
) -> None:
    unknown = api.post(url(emu, "usm_2mkqJNUjnJQiyVBht", "start"))
    assert (unknown.status_code, unknown.text) == (400, "invalid-usermailbox")
    foreign_read = other_api.get(url(emu, mailbox_id, "settings"))
    assert (foreign_read.status_code, foreign_read.text) == (400, "Error retrieving settings")
    foreign_write = other_api.patch(url(emu, mailbox_id, "settings"), json={"warmEmailMax": 9})
    assert (foreign_write.status_code, foreign_write.text) == (400, "Error updating settings")
    foreign = other_api.post(url(emu, mailbox_id, "start"))
    assert (foreign.status_code, foreign.text) == (400, "invalid-usermailbox")
    assert api.delete(url(emu, mailbox_id, "settings")).status_code == 405
    assert api.get(url(emu, mailbox_id, "start")).status_code == 405
    with session_for(BAD_TEAM_KEY) as bad:
        assert bad.post(url(emu, mailbox_id, "start")).text == "Bad team"
    assert api.delete(f"{emu.url}/user/email-accounts/{mailbox_id}").status_code == 200
    for action in ("start", "pause"):
        deleted = api.post(url(emu, mailbox_id, action))
        assert (deleted.status_code, deleted.text) == (400, "mailbox-deleted")
    with session_for(None) as anonymous:
        assert anonymous.post(url(emu, mailbox_id, "start")).status_code == 401


def test_changes_in_the_ui_and_reset(emu: Emulator, api: requests.Session, mailbox_id: str) -> None:
    emu.set_lemwarm(mailbox_id, active=True, warmEmailMax=33)
    assert api.get(url(emu, mailbox_id, "settings")).json()["warmEmailMax"] == 33
    assert emu.account(mailbox_id)["lemwarm_active"] is True  # type: ignore[index]
    with pytest.raises(KeyError):
        emu.set_lemwarm("usm_unknown0000000000", warmEmailMax=3)
    emu.set_lemwarm_seat(False)
    emu.reset()
    again = emu.connect(sender_email="alice@acme-mail.com")
    assert api.post(url(emu, again, "start")).status_code == 200  # reset gives the seat back


def test_lemwarm_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "lemlist.sqlite"
    with make_emulator(state_path=state) as emu, session_for(KEY) as api:
        mailbox_id = emu.connect(sender_email="alice@acme-mail.com")
        api.patch(url(emu, mailbox_id, "settings"), json={"warmEmailMax": 12})
        api.post(url(emu, mailbox_id, "start"))
    with make_emulator(state_path=state) as emu, session_for(KEY) as api:
        assert api.get(url(emu, mailbox_id, "settings")).json()["warmEmailMax"] == 12
        assert emu.account(mailbox_id)["lemwarm_active"] is True  # type: ignore[index]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_the_provider_and_the_emulator_agree_on_every_value(setting: object) -> None:
    """The provider's rule (check) and the emulator's (written from the contract) accept
    exactly the same values, once the provider has put them in lemlist's JSON form."""
    assert hasattr(setting, "name")
    for value in (-1, 0, 1, 5, 39, 40, 41, 99, 100, 101, True, False, 20.0, 20.5, "20", None):
        normalized, problem = check_setting(setting, value)  # type: ignore[arg-type]
        body = patch_body({setting.name: normalized})  # type: ignore[attr-defined]
        try:
            settings_update(json.dumps(body).encode())
            emulator_accepts = True
        except Refused:
            emulator_accepts = False
        assert (problem is None) == emulator_accepts, (setting, value)


def test_the_command_line_switch_takes_the_seat_away() -> None:
    from lemlist_emulator.cli import build_emulator, build_parser

    args = build_parser().parse_args(["--api-key", KEY, "--no-lemwarm-seat", "--port", "0"])
    with build_emulator(args) as emu, session_for(KEY) as api:
        mailbox_id = emu.connect(sender_email="alice@acme-mail.com")
        assert api.post(url(emu, mailbox_id, "start")).text == "billing-error"
