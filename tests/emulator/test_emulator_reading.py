"""The reading routes (GET /user/channels, GET /team, GET /users/{userId}), statuses, the plan
gate, ids and the catch-all, as lemlist's OpenAPI and its observed behaviour describe them."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_emulator.cli import build_emulator, build_parser

from .helpers import BAD_TEAM_KEY, KEY, mailbox, make_emulator, session_for


def connect(api: requests.Session, emu: Emulator, **fields: object) -> str:
    resp = api.post(f"{emu.url}/user/email-accounts", json=mailbox(**fields), timeout=5)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def test_ids_are_usm_by_default_and_umx_on_request(api: requests.Session) -> None:
    with make_emulator() as emu:
        assert re.fullmatch(r"usm_[A-Za-z0-9]{17}", connect(api, emu))
    with make_emulator(id_prefix="umx") as emu:
        assert re.fullmatch(r"umx_[A-Za-z0-9]{20}", connect(api, emu))
    with pytest.raises(ValueError):
        make_emulator(id_prefix="abc")


def test_channels_lists_the_key_users_mailboxes(emu: Emulator, api: requests.Session) -> None:
    mine = connect(api, emu, sender_email="alice@acme-mail.com")
    connect(api, emu, sender_email="bob@acme-mail.com", userId="usr_member")
    resp = api.get(f"{emu.url}/user/channels", timeout=5)
    assert resp.status_code == 200
    body = resp.json()
    assert body["plan"] == "emailPro" and body["email"]["connected"] is True
    assert body["email"]["accounts"] == [
        {"id": mine, "email": "alice@acme-mail.com", "provider": "custom"}
    ]


def test_team_and_users_list_every_mailbox_with_its_status(
    emu: Emulator, api: requests.Session
) -> None:
    alice = connect(api, emu, sender_email="alice@acme-mail.com")
    bob = connect(api, emu, sender_email="bob@acme-mail.com", userId="usr_member")
    team = api.get(f"{emu.url}/team", timeout=5).json()
    assert team["userIds"] == ["usr_owner", "usr_member"] and team["createdBy"] == "usr_owner"
    assert emu.set_status(bob, "ERROR") == 1
    emu.update_account(alice, lemwarm_active=True, email_limit=80)
    owner = api.get(f"{emu.url}/users/usr_owner", timeout=5).json()
    member = api.get(f"{emu.url}/users/usr_member", timeout=5).json()
    assert owner["role"] == "admin" and member["role"] == "user"
    assert owner["mailboxes"] == [
        {
            "_id": alice,
            "email": "alice@acme-mail.com",
            "provider": "custom",
            "status": "CONNECTED",
            "lemlist": {"emailLimit": 80},
            "lemwarm": {"active": True},
        }
    ]
    (listed,) = member["mailboxes"]
    assert (listed["_id"], listed["status"], listed["lemwarm"]) == (bob, "ERROR", {"active": False})
    # a mailbox in ERROR fails lemlist's test too
    tested = api.post(f"{emu.url}/user/email-accounts/{bob}/test", timeout=5).json()
    assert tested["smtp"]["success"] is False and "ERROR" in tested["smtp"]["error"]


def test_status_by_address_applies_to_later_connects(emu: Emulator, api: requests.Session) -> None:
    assert emu.set_status("Carol@acme-mail.com", "DISCONNECTED") == 0
    carol = connect(api, emu, sender_email="carol@acme-mail.com")
    assert emu.account(carol)["status"] == "DISCONNECTED"  # type: ignore[index]
    with pytest.raises(ValueError):
        emu.set_status(carol, "BROKEN")


def test_unknown_users_and_paths_answer_as_lemlist_does(
    emu: Emulator, api: requests.Session
) -> None:
    assert api.get(f"{emu.url}/users/usr_nobody", timeout=5).json() == {}
    assert api.get(f"{emu.url}/users/usr_other", timeout=5).json() == {}  # another team's
    for path in ("/user", "/nothing/here", "/user/email-accounts/a/b/c"):
        resp = requests.get(emu.url + path, timeout=5)  # no key needed: the web app's page
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")


def test_strict_not_found_keeps_the_old_404s(api: requests.Session) -> None:
    with make_emulator(catch_all=False) as emu:
        resp = api.get(f"{emu.url}/users/usr_nobody", timeout=5)
        assert (resp.status_code, resp.text) == (404, "Not found")
        resp = api.get(f"{emu.url}/nothing", timeout=5)
        assert (resp.status_code, resp.text) == (404, "Not found")


def test_reading_routes_errors(emu: Emulator, api: requests.Session) -> None:
    with session_for(BAD_TEAM_KEY) as bad:
        for path in ("/user/channels", "/team", "/users/usr_owner"):
            resp = bad.get(emu.url + path, timeout=5)
            assert (resp.status_code, resp.text) == (400, "Bad team")
    with session_for("wrong") as wrong:
        assert wrong.get(f"{emu.url}/team", timeout=5).status_code == 401
    resp = api.post(f"{emu.url}/team", timeout=5)
    assert resp.status_code == 405 and resp.headers["Allow"] == "GET"


def test_plan_gate_per_team_and_route(emu: Emulator, api: requests.Session) -> None:
    emu.gate_plan("team_1", ["team"])
    resp = api.get(f"{emu.url}/team", timeout=5)
    assert (resp.status_code, resp.text) == (402, "route is available starting emailPro plan")
    assert api.get(f"{emu.url}/user/channels", timeout=5).json()["plan"] == "free"
    emu.gate_plan("team_1")  # every route
    assert api.post(f"{emu.url}/user/email-accounts", json=mailbox(), timeout=5).status_code == 402
    assert emu.accounts() == []
    with session_for("emu-other-team-key-81aa") as other:
        assert other.get(f"{emu.url}/team", timeout=5).status_code == 200
    emu.ungate_plan("team_1")
    assert api.get(f"{emu.url}/team", timeout=5).status_code == 200


def test_command_line_switches() -> None:
    args = build_parser().parse_args(
        [
            "--api-key", KEY, "--port", "0", "--id-prefix", "umx", "--strict-not-found",
            "--plan-gate", "team_1:team,user", "--mailbox-status", "dana@acme-mail.com=error",
        ]
    )  # fmt: skip
    with build_emulator(args) as emu, session_for(KEY) as api:
        account = connect(api, emu, sender_email="dana@acme-mail.com")
        assert account.startswith("umx_") and emu.account(account)["status"] == "ERROR"  # type: ignore[index]
        assert api.get(f"{emu.url}/team", timeout=5).status_code == 402
        assert api.get(f"{emu.url}/nothing", timeout=5).status_code == 404
    bad = subprocess.run(
        [sys.executable, "-m", "lemlist_emulator", "--mailbox-status", "x=BROKEN"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2 and "ADDRESS=" in bad.stderr
