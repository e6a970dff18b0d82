"""Several lemlist teams in one stack: ``lemlist:teams`` parsing, team checks, one pacer per key.

In process; the same behaviour through the real provider host is in test_teams_host.py.
"""

from __future__ import annotations

import json
import pickle
import time
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from lemlist_resource.config.settings import resolve
from lemlist_resource.config.teams import TeamsConfigError
from lemlist_resource.email_account.changes import plan_change
from lemlist_resource.email_account.provider import EmailAccountProvider
from lemlist_resource.errors import ConfigurationError
from tests.conftest import mailbox

URL = "http://127.0.0.1:9/api"  # never contacted: these tests only build clients
ACME_KEY = "acme-key-unit-7d1f0c"
GLOBEX_KEY = "globex-key-unit-2b9e44"
DEFAULT_KEY = "default-key-unit-5a3c81"
KEYS = (ACME_KEY, GLOBEX_KEY, DEFAULT_KEY)


def settings_for(teams: Any, **config: Any) -> Any:
    values = {"lemlist:apiUrl": URL, "lemlist:teams": teams, **config}
    return resolve(values.get, environ={})


def configured(teams: Any, **config: Any) -> EmailAccountProvider:
    provider = EmailAccountProvider()
    values = {"lemlist:apiUrl": URL, "lemlist:teams": teams, **config}
    provider.configure(ConfigureRequest(Config(values, "teams")))
    return provider


def engine_value(teams: dict[str, Any]) -> str:
    """``lemlist:teams`` as the Python host hands it to configure: one JSON string."""
    return json.dumps(teams)


# -- parsing -----------------------------------------------------------------------------------


def test_teams_arrive_as_the_engines_json_string() -> None:
    settings = settings_for(
        engine_value(
            {
                "acme": {"apiKey": ACME_KEY},
                "globex": {"apiKey": GLOBEX_KEY, "apiUrl": "https://eu.example.com/api/"},
            }
        ),
        **{"lemlist:apiKey": DEFAULT_KEY},
    )
    assert settings.team("acme").api_key == ACME_KEY
    assert settings.team("acme").api_url == URL  # default: lemlist:apiUrl
    assert settings.team("globex").api_url == "https://eu.example.com/api"
    assert settings.team(None).api_key == DEFAULT_KEY
    assert all(key not in repr(settings) for key in KEYS)
    shown = " ".join(repr(settings.team(name)) for name in ("acme", "globex", None))
    assert all(key not in shown for key in KEYS)


def test_a_mapping_works_too() -> None:
    settings = settings_for({"acme": {"apiKey": ACME_KEY}})
    assert settings.team("acme").api_key == ACME_KEY


@pytest.mark.parametrize("raw", [None, "", "{}", {}])
def test_no_teams_is_fine(raw: Any) -> None:
    assert settings_for(raw, **{"lemlist:apiKey": DEFAULT_KEY}).teams == {}


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        ({"acme": {}}, "lemlist:teams.acme.apiKey is missing"),
        ({"acme": {"apiKey": "  "}}, "lemlist:teams.acme.apiKey is missing"),
        ({"acme": ACME_KEY}, "lemlist:teams.acme must be a map"),
        ({"Acme Corp": {"apiKey": ACME_KEY}}, "not a usable team name"),
        ({"acme": {"apikey": ACME_KEY}}, "did you mean 'apiKey'?"),
        ({"acme": {"apiKey": ACME_KEY, "apiUrl": "http://api.example.com/api"}}, "plain http"),
        ({"acme": {"apiKey": ACME_KEY, "apiUrl": "ftp://x"}}, "lemlist:teams.acme.apiUrl must"),
        ([ACME_KEY], "must be a map of team name"),
    ],
)
def test_bad_teams_are_refused_without_echoing_a_key(teams: Any, expected: str) -> None:
    with pytest.raises(TeamsConfigError) as err:
        settings_for(engine_value(teams) if not isinstance(teams, list) else teams)
    assert expected in err.value.message
    assert ACME_KEY not in err.value.message


@pytest.mark.parametrize("inner", ["\n", " ", "\x00"])
def test_a_team_key_follows_the_default_keys_rule(inner: str) -> None:
    # trimmed like lemlist:apiKey...
    settings = settings_for(engine_value({"acme": {"apiKey": f" {ACME_KEY}\n"}}))
    assert settings.team("acme").api_key == ACME_KEY
    # ...and refused, unechoed, with whitespace or a control character inside
    broken = ACME_KEY[:8] + inner + ACME_KEY[8:]
    with pytest.raises(TeamsConfigError) as err:
        settings_for(engine_value({"acme": {"apiKey": broken}}))
    refused = "lemlist:teams.acme.apiKey contains whitespace or control characters"
    assert refused in err.value.message
    assert ACME_KEY[8:] not in err.value.message and ACME_KEY[:8] not in err.value.message


def test_unreadable_json_is_refused_without_echoing_it() -> None:
    raw = '{"acme": {"apiKey": "' + ACME_KEY + '"'  # cut off
    with pytest.raises(TeamsConfigError) as err:
        settings_for(raw)
    assert "not a readable map" in err.value.message
    assert ACME_KEY not in err.value.message


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(TeamsConfigError) as err:
        settings_for({"acme": {}, "globex": {"apiKey": GLOBEX_KEY, "apiUrl": "nope"}})
    assert "acme.apiKey" in err.value.message and "globex.apiUrl" in err.value.message


def test_a_bad_teams_config_fails_configure() -> None:
    with pytest.raises(ConfigurationError):
        configured(engine_value({"acme": {}}))


# -- check: unknown teams and a missing default key --------------------------------------------


def test_check_refuses_an_unknown_team_and_names_the_configured_ones() -> None:
    provider = configured(
        engine_value({"acme": {"apiKey": ACME_KEY}, "globex": {"apiKey": GLOBEX_KEY}}),
        **{"lemlist:apiKey": DEFAULT_KEY},
    )
    failures = provider.check({}, mailbox(team="acmee")).failures
    assert [f.property for f in failures] == ["team"]
    reason = failures[0].reason
    assert "team 'acmee' is not configured" in reason
    assert "acme, globex" in reason and "Did you mean 'acme'?" in reason
    assert "lemlist:teams.acmee.apiKey" in reason  # how to add it
    assert provider.check({}, mailbox(team="globex")).failures == []
    assert provider.check({}, mailbox()).failures == []


def test_check_refuses_a_mailbox_without_team_when_the_default_team_has_no_key() -> None:
    provider = configured(engine_value({"acme": {"apiKey": ACME_KEY}}))
    failures = provider.check({}, mailbox()).failures
    assert [f.property for f in failures] == ["team"]
    assert "lemlist:apiKey" in failures[0].reason and "LEMLIST_API_KEY" in failures[0].reason
    assert "give it a team (acme)" in failures[0].reason
    assert provider.check({}, mailbox(team="acme")).failures == []


def test_check_refuses_a_malformed_team_name_once() -> None:
    provider = configured({}, **{"lemlist:apiKey": DEFAULT_KEY})
    failures = provider.check({}, mailbox(team="Not A Team")).failures
    assert [f.property for f in failures] == ["team"]
    assert "not a usable team name" in failures[0].reason


# -- one client and one pacer per key ---------------------------------------------------------


def test_one_client_per_team_and_one_pacer_per_key() -> None:
    provider = configured(
        engine_value(
            {
                "acme": {"apiKey": ACME_KEY},
                "globex": {"apiKey": GLOBEX_KEY},
                "acme-eu": {"apiKey": ACME_KEY},  # the same key under a second name
            }
        ),
        **{"lemlist:apiKey": DEFAULT_KEY},
    )
    acme, globex, default = (provider._teams.client(t) for t in ("acme", "globex", None))
    assert provider._teams.client("acme") is acme  # senders of one team share its client
    assert len({id(acme.pacer), id(globex.pacer), id(default.pacer)}) == 3
    assert provider._teams.client("acme-eu").pacer is acme.pacer  # one key, one rate limit


def test_a_rate_limited_team_does_not_hold_another_one() -> None:
    provider = configured(
        engine_value({"acme": {"apiKey": ACME_KEY + "-pause"}}),
        **{"lemlist:apiKey": DEFAULT_KEY + "-pause"},
    )
    acme, default = provider._teams.client("acme"), provider._teams.client(None)
    acme.pacer.pause(30.0)  # what lemlist's 429 with Retry-After: 30 does to acme
    now = time.monotonic()
    assert acme.pacer.reserve() >= now + 29  # acme's next send waits...
    assert default.pacer.reserve() < now + 29  # ...the default team's does not


def test_nothing_configured_reaches_the_serialized_provider() -> None:
    provider = configured(engine_value({"acme": {"apiKey": ACME_KEY}}))
    provider._teams.client("acme")
    blob = pickle.dumps(provider)
    assert all(key.encode() not in blob for key in KEYS)
    assert all(key not in repr(provider) for key in KEYS)


# -- a move to another team ----------------------------------------------------------------------


def test_a_team_move_replaces_create_first_even_with_the_same_address() -> None:
    olds = mailbox(team=None)
    change = plan_change(olds, mailbox(team="acme"))
    assert change.replaces == ["team"] and not change.delete_before_replace
    # the same address in the same team is still delete-first (lemlist refuses duplicates)
    same_team = plan_change(mailbox(team="acme"), mailbox(team="acme", smtp_port=465))
    assert same_team.replaces == ["smtp_port"] and same_team.delete_before_replace
    # a move plus another change is still create-first
    both = plan_change(olds, mailbox(team="acme", smtp_port=465))
    assert set(both.replaces) == {"team", "smtp_port"} and not both.delete_before_replace
