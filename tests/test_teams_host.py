"""Two lemlist teams in one stack, through the real provider host and the emulator.

The host is configured the way the engine does it: ``lemlist:teams`` travels as one secret
string holding JSON, the keys in clear inside it (see lemlist_resource/teams.py for the
engine source this follows). The emulator gives each key its own team, accounts, members
and rate limit, so a request made with the wrong key fails: every success here proves the
right key was used, and the request log's key fingerprints say which one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import API_KEY, OTHER_TEAM_KEY, assert_no_credentials, mailbox
from tests.harness import SERIALIZED_PROVIDER, Engine, HostError, ProviderHost

ACME = "acme"


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def two_team_config(url: str, teams: dict[str, Any] | None = None) -> dict[str, Any]:
    """The default team (API_KEY, the emulator's team_1) and 'acme' (team_2)."""
    teams = {ACME: {"apiKey": OTHER_TEAM_KEY}} if teams is None else teams
    return {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": url, "lemlist:teams": json.dumps(teams)}


@pytest.fixture
def two_teams(host_factory: Callable[..., ProviderHost], emulator: Any) -> ProviderHost:
    emulator.reset()
    host = host_factory(config=two_team_config(emulator.url))
    return host


def program(**teams: str | None) -> dict[str, dict[str, Any]]:
    """One mailbox per name, in the given team (None: the default team)."""
    return {
        name: mailbox(
            sender_name=name.title(),
            sender_email=f"{name}@acme-mail.com",
            smtp_login=f"{name}@acme-mail.com",
            imap_login=f"{name}@acme-mail.com",
            team=team,
        )
        for name, team in teams.items()
    }


def requests_for(emulator: Any, account_id: str) -> set[str | None]:
    """The key fingerprints of every request made on one account."""
    return {r.key_fingerprint for r in emulator.request_log() if account_id in r.path}


def test_two_teams_go_up_refresh_and_are_destroyed_each_with_its_key(
    two_teams: ProviderHost, emulator: Any
) -> None:
    engine = Engine(two_teams)
    assert engine.up(program(alice=None, bob=ACME)) == {"alice": "create", "bob": "create"}
    alice, bob = engine.state["alice"], engine.state["bob"]
    assert emulator.account(alice.id)["team"] == "team_1"
    assert emulator.account(bob.id)["team"] == "team_2"
    assert bob.outputs["team"] == ACME and alice.outputs.get("team") is None

    assert engine.refresh() == {"alice": "kept", "bob": "kept"}
    assert engine.state["bob"].outputs["team"] == ACME  # kept for the next delete

    engine.destroy()
    assert emulator.accounts() == []
    # verification, refresh and disconnect each used the mailbox's own team's key
    assert requests_for(emulator, alice.id) == {fingerprint(API_KEY)}
    assert requests_for(emulator, bob.id) == {fingerprint(OTHER_TEAM_KEY)}
    connects = [r for r in emulator.request_log() if r.path.endswith("/email-accounts")]
    assert {r.key_fingerprint for r in connects} == {
        fingerprint(API_KEY),
        fingerprint(OTHER_TEAM_KEY),
    }


def test_a_team_move_is_planned_and_applied_create_first(
    two_teams: ProviderHost, emulator: Any
) -> None:
    engine = Engine(two_teams)
    engine.up(program(bob=ACME))
    old_id = engine.state["bob"].id
    moved = program(bob=None)  # the same address, now in the default team

    assert engine.preview(moved) == {"bob": "replace"}  # replaces, delete_before_replace false
    checked = two_teams.check(moved["bob"], name="bob").inputs
    diff = two_teams.diff(old_id, engine.state["bob"].outputs, checked, name="bob")
    assert diff.replaces == ["team"] and not diff.delete_before_replace

    engine.log.clear()
    assert engine.up(moved) == {"bob": "replace"}
    new_id = engine.state["bob"].id
    assert engine.log == [f"create bob {new_id}", f"delete bob {old_id}"]
    assert [a["team"] for a in emulator.accounts()] == ["team_1"]  # connected in the new team
    assert emulator.account(old_id) is None  # and disconnected in the old one
    assert requests_for(emulator, old_id) == {fingerprint(OTHER_TEAM_KEY)}
    assert requests_for(emulator, new_id) == {fingerprint(API_KEY)}
    engine.destroy()


def test_check_refuses_an_unknown_team_through_the_host(two_teams: ProviderHost) -> None:
    failures = two_teams.check(mailbox(team="globex")).failures
    assert [name for name, _ in failures] == ["team"]
    assert "team 'globex' is not configured" in failures[0][1] and "acme" in failures[0][1]


def test_a_mailbox_whose_team_left_the_config_says_how_to_disconnect_it(
    host_factory: Callable[..., ProviderHost], emulator: Any, two_teams: ProviderHost
) -> None:
    id_, outs = two_teams.create(two_teams.check(program(bob=ACME)["bob"]).inputs)
    without_acme = host_factory(config=two_team_config(emulator.url, teams={}))
    with pytest.raises(HostError) as err:
        without_acme.delete(id_, outs)
    message = err.value.message
    assert f"Disconnecting the lemlist mailbox {id_}" in message
    assert "team 'acme' is not configured" in message and "lemlist:teams.acme.apiKey" in message
    assert_no_credentials(message)
    assert emulator.account(id_) is not None  # nothing was disconnected with another key
    two_teams.delete(id_, outs)
    assert emulator.account(id_) is None


def test_no_key_reaches_outputs_state_errors_or_the_serialized_provider(
    two_teams: ProviderHost, emulator: Any
) -> None:
    engine = Engine(two_teams)
    engine.up(program(alice=None, bob=ACME))
    engine.refresh()
    for res in engine.state.values():
        # passwords are in state as secret outputs (encrypted by the engine); keys never are
        state = json.dumps([res.id, res.inputs, res.outputs], default=str)
        assert API_KEY not in state and OTHER_TEAM_KEY not in state
    assert_no_credentials(SERIALIZED_PROVIDER)
    # a refusal by lemlist in the second team: the error names the team's problem, not its key
    with pytest.raises(HostError) as err:
        two_teams.create(
            two_teams.check(program(carol=ACME)["carol"] | {"user_id": "usr_owner"}).inputs
        )
    assert "HTTP 403" in err.value.message
    assert_no_credentials(err.value.message)
    engine.destroy()
    # the host's stderr is checked for every credential when the session's hosts stop


def test_adopt_id_and_verification_use_the_mailboxs_team(
    two_teams: ProviderHost, emulator: Any
) -> None:
    existing = emulator.connect(sender_email="bob@acme-mail.com", team="team_2")
    bob = program(bob=ACME)["bob"] | {"adopt_id": existing}
    # adopting with the default team's key: lemlist (its team) does not know that id
    with pytest.raises(HostError) as err:
        two_teams.create(two_teams.check(bob | {"team": None}).inputs)
    assert "HTTP 404" in err.value.message and "the default team" in err.value.message
    assert_no_credentials(err.value.message)
    # with its own team's key it is adopted, and a later verification uses that key too
    id_, outs = two_teams.create(two_teams.check(bob).inputs)
    assert id_ == existing and outs["team"] == ACME
    quiet = two_teams.check(bob | {"verify_connection": False}).inputs
    outs = two_teams.update(id_, outs, quiet)
    loud = two_teams.check(bob | {"verify_connection": True}).inputs
    two_teams.update(id_, outs, loud)
    assert requests_for(emulator, existing) == {fingerprint(API_KEY), fingerprint(OTHER_TEAM_KEY)}
    tests = [r for r in emulator.request_log() if existing in r.path]
    assert tests[-1].key_fingerprint == fingerprint(OTHER_TEAM_KEY)  # the verification
    assert emulator.account(existing) is not None


def test_a_refused_team_key_names_where_that_teams_key_is_set(
    host_factory: Callable[..., ProviderHost], emulator: Any
) -> None:
    emulator.reset()
    wrong = two_team_config(emulator.url, teams={ACME: {"apiKey": "wrong-acme-key-9f8e"}})
    host = host_factory(config=wrong)
    with pytest.raises(HostError) as err:
        host.create(host.check(program(bob=ACME)["bob"]).inputs)
    message = err.value.message
    assert "HTTP 401" in message and "lemlist:teams.acme.apiKey" in message
    assert "wrong-acme-key-9f8e" not in message
    # the default team's refusal still points at lemlist:apiKey / LEMLIST_API_KEY
    assert emulator.accounts() == []
