"""Several teams: each key speaks for one team, which sees only its own accounts and members;
the rate limit is per key; the single-key API keeps meaning one default team."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_emulator.cli import build_emulator, build_parser

from .helpers import mailbox, session_for

ACME_KEY = "key-acme-4f1d"
GLOBEX_KEY = "key-globex-9a0c"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(teams={"acme": ACME_KEY, "globex": GLOBEX_KEY}, rate_limit=None) as emulator:
        yield emulator


def connect(emu: Emulator, key: str, **fields: object) -> requests.Response:
    with session_for(key) as api:
        return api.post(f"{emu.url}/user/email-accounts", json=mailbox(**fields), timeout=10)


def call(emu: Emulator, key: str, method: str, path: str) -> requests.Response:
    with session_for(key) as api:
        return api.request(method, f"{emu.url}/user/email-accounts/{path}", timeout=10)


def test_each_team_sees_only_its_own_accounts(emu: Emulator) -> None:
    acme_id = connect(emu, ACME_KEY).json()["id"]
    globex_id = connect(emu, GLOBEX_KEY, sender_email="bob@globex-mail.com").json()["id"]
    assert emu.teams == ["acme", "globex"]
    assert [a["id"] for a in emu.accounts(team="acme")] == [acme_id]
    assert [a["id"] for a in emu.accounts(team="globex")] == [globex_id]
    assert [(a["id"], a["team"]) for a in emu.accounts()] == [
        (acme_id, "acme"),
        (globex_id, "globex"),
    ]
    assert call(emu, ACME_KEY, "POST", f"{acme_id}/test").json()["smtp"] == {"success": True}


def test_another_teams_id_answers_as_the_contract_says(emu: Emulator) -> None:
    globex_id = connect(emu, GLOBEX_KEY).json()["id"]
    # The test route documents only 404 for an id: another team's mailbox is "not found".
    tested = call(emu, ACME_KEY, "POST", f"{globex_id}/test")
    assert (tested.status_code, tested.text) == (404, "Email account not found")
    # DELETE documents 403 for a mailbox the caller may not modify: another team's one.
    deleted = call(emu, ACME_KEY, "DELETE", globex_id)
    assert deleted.status_code == 403
    assert deleted.text == "You are not allowed to modify this mailbox"
    assert emu.account(globex_id) is not None
    assert call(emu, GLOBEX_KEY, "DELETE", globex_id).json() == {"ok": True}


def test_the_same_mailbox_may_be_connected_in_two_teams(emu: Emulator) -> None:
    assert connect(emu, ACME_KEY).status_code == 201
    assert connect(emu, GLOBEX_KEY).status_code == 201
    refused = connect(emu, ACME_KEY)
    assert (refused.status_code, refused.text) == (400, "This SMTP mailbox already exists")


def test_members_belong_to_their_team() -> None:
    with Emulator(
        teams={"acme": ACME_KEY, "globex": GLOBEX_KEY},
        members={"acme": ("usr_alice", "usr_amy")},
        rate_limit=None,
    ) as emu:
        connect(emu, ACME_KEY)
        connect(emu, GLOBEX_KEY)
        refused = connect(emu, GLOBEX_KEY, sender_email="x@globex-mail.com", userId="usr_amy")
        assert (refused.status_code, refused.text) == (403, "User is not a member of this team")
        owners = {a["team"]: a["user_id"] for a in emu.accounts()}
    assert owners == {"acme": "usr_alice", "globex": "usr_globex_owner"}


def test_the_rate_limit_is_per_key() -> None:
    teams = {"acme": [ACME_KEY, "key-acme-second"], "globex": GLOBEX_KEY}
    with Emulator(teams=teams, rate_limit=(2, 60.0)) as emu:
        statuses = [call(emu, ACME_KEY, "POST", "umx_x/test").status_code for _ in range(3)]
        assert statuses == [404, 404, 429]
        assert call(emu, GLOBEX_KEY, "POST", "umx_x/test").status_code == 404
        assert call(emu, "key-acme-second", "POST", "umx_x/test").status_code == 404


def test_the_log_names_each_requests_team(emu: Emulator) -> None:
    connect(emu, ACME_KEY)
    connect(emu, GLOBEX_KEY)
    connect(emu, "not-a-key")
    assert [r.team for r in emu.request_log()] == ["acme", "globex", None]
    assert [r.status for r in emu.request_log(team="globex")] == [201]


def test_the_single_key_api_is_one_default_team() -> None:
    with Emulator(api_keys="solo-key", rate_limit=None) as emu:
        assert (emu.default_team, emu.teams) == ("team_1", ["team_1"])
        connect(emu, "solo-key", userId="usr_member")
        assert emu.accounts()[0]["team"] == "team_1"


def test_default_team_keys_and_teams_together() -> None:
    emu = Emulator(api_keys="default-key", teams={"acme": ACME_KEY})
    assert (emu.default_team, emu.teams) == ("team_1", ["team_1", "acme"])
    with pytest.raises(ValueError, match="an API key belongs to one team"):
        Emulator(teams={"acme": ACME_KEY, "globex": ACME_KEY})


def test_cli_teams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEMLIST_EMULATOR_API_KEY", raising=False)
    argv = ["--port", "0", "--team", f"acme={ACME_KEY}", "--team", f"globex={GLOBEX_KEY}"]
    only_teams = build_emulator(build_parser().parse_args(argv))
    assert only_teams.teams == ["acme", "globex"]
    argv += ["--team-member", "acme=usr_alice"]
    monkeypatch.setenv("LEMLIST_EMULATOR_API_KEY", "env-key")
    with build_emulator(build_parser().parse_args(argv)) as emu:
        assert emu.teams == ["team_1", "acme", "globex"]
        assert connect(emu, "env-key").status_code == 201
        assert connect(emu, ACME_KEY).status_code == 201
        assert {a["team"]: a["user_id"] for a in emu.accounts()} == {
            "team_1": "usr_owner",
            "acme": "usr_alice",
        }
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--team", "acme"])
