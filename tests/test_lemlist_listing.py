"""lemlist as it is (issue 18), through the real provider host: ids from lemlist's listing,
refresh reading each mailbox's status, adoption by address, plan gates, OAuth-only hosts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_resource.email_account.creation import adopt_by_address
from lemlist_resource.email_account.directory import Listing
from lemlist_resource.errors import LemlistError
from lemlist_resource.lemlist.listing import Mailbox
from tests.conftest import API_KEY, MEMBERS, assert_no_credentials, mailbox
from tests.harness import Engine, HostError, ProviderHost

ALICE = {"alice": mailbox()}


def channel_ids(emu: Emulator) -> list[str]:
    """The ids ``GET /user/channels`` lists, as a user would find them."""
    with requests.Session() as api:
        api.auth = ("", API_KEY)
        body = api.get(f"{emu.url}/user/channels", timeout=10).json()
    return [account["id"] for account in body["email"]["accounts"]]


@pytest.fixture(params=["usm", "umx"])
def prefixed(
    request: pytest.FixtureRequest, host_factory: Callable[..., ProviderHost]
) -> Iterator[tuple[Emulator, Engine]]:
    """An emulator issuing ``usm_`` (lemlist's listings) or ``umx_`` ids, and its engine."""
    with Emulator(api_keys={API_KEY: "team_1"}, members=MEMBERS, id_prefix=request.param) as emu:
        host = host_factory({"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emu.url})
        yield emu, Engine(host)


def test_an_id_from_user_channels_is_adopted(prefixed: tuple[Emulator, Engine]) -> None:
    emu, engine = prefixed
    emu.connect(**{k: v for k, v in mailbox().items() if k != "smtp_password"})
    (listed,) = channel_ids(emu)
    assert engine.host.check(mailbox(adopt_id=listed), name="alice").failures == []
    engine.up({"alice": mailbox(adopt_id=listed)})
    assert engine.state["alice"].id == listed and len(emu.accounts()) == 1
    assert engine.refresh() == {"alice": "kept"}
    assert engine.state["alice"].outputs["status"] == "CONNECTED"


def test_refresh_reports_error_and_keeps_the_mailbox(prefixed: tuple[Emulator, Engine]) -> None:
    emu, engine = prefixed
    engine.up(ALICE)
    live = engine.state["alice"].id
    outs = engine.state["alice"].outputs
    assert engine.refresh() == {"alice": "kept"}
    outs = engine.state["alice"].outputs
    assert (outs["status"], outs["email_limit"], outs["lemwarm_active"]) == ("CONNECTED", 50, False)
    assert outs.get("status_message") is None
    emu.set_status(live, "ERROR")  # as if its password changed
    assert engine.refresh() == {"alice": "unhealthy"}  # kept, and reported (test_unhealthy.py)
    outs = engine.state["alice"].outputs
    assert engine.state["alice"].id == live and outs["status"] == "ERROR"
    assert "ERROR" in outs["status_message"] and "password" in outs["status_message"]
    assert outs["smtp_ok"] is False
    emu.set_status(live, "DISCONNECTED")
    assert engine.refresh() == {"alice": "unhealthy"}
    assert "pulumi destroy --target" in engine.state["alice"].outputs["status_message"]
    emu.disconnect(live)
    assert engine.refresh() == {"alice": "deleted"}


def test_refresh_reads_the_listing_once_for_many_mailboxes(
    engine: Engine, emulator: Emulator
) -> None:
    program = {name: mailbox(sender_email=f"{name}@acme-mail.com") for name in ("a", "b", "c")}
    engine.up(program)
    emulator.clear_log()
    assert engine.refresh() == dict.fromkeys(program, "kept")
    assert emulator.count(method="GET", path="/team") == 1
    assert emulator.count(method="GET", path="/users/") == len(MEMBERS)
    assert {r.outputs["status"] for r in engine.state.values()} == {"CONNECTED"}


def test_refresh_falls_back_when_the_listing_is_plan_gated(
    engine: Engine, emulator: Emulator
) -> None:
    engine.up(ALICE)
    emulator.gate_plan("team_1", ["team", "channels"])
    assert engine.refresh() == {"alice": "kept"}
    outs = engine.state["alice"].outputs
    assert outs.get("status") is None and outs["smtp_ok"] is True
    assert "your lemlist plan does not include GET /team" in outs["status_message"]
    emulator.disconnect(engine.state["alice"].id)
    assert engine.refresh() == {"alice": "deleted"}  # today's behaviour: the test endpoint


def test_adoption_by_address_through_the_host(engine: Engine, emulator: Emulator) -> None:
    ui = emulator.connect(**{k: v for k, v in mailbox().items() if k != "smtp_password"})
    emulator.clear_log()
    assert engine.preview({"alice": mailbox(adopt=True)}) == {"alice": "create"}
    engine.up({"alice": mailbox(adopt=True)})
    assert engine.state["alice"].id == ui and len(emulator.accounts()) == 1
    assert emulator.count(method="POST", path="/user/email-accounts") == 1  # the test only
    # a replacement would adopt the mailbox it replaces: stopped at preview
    with pytest.raises(HostError, match="Remove adopt first"):
        engine.preview({"alice": mailbox(adopt=True, smtp_password="rotated-pw-77")})


def test_adoption_by_address_refuses_none_and_names_what_exists(
    engine: Engine, emulator: Emulator
) -> None:
    emulator.connect(sender_email="bob@acme-mail.com")
    with pytest.raises(HostError) as err:
        engine.up({"alice": mailbox(adopt=True)})
    assert "no custom mailbox with this address" in err.value.message
    assert "bob@acme-mail.com" in err.value.message and "Nothing was adopted" in err.value.message
    assert_no_credentials(err.value.message)
    assert engine.state == {} and len(emulator.accounts()) == 1
    failures = engine.host.check(mailbox(adopt=True, adopt_id="usm_x")).failures
    assert [field for field, _ in failures] == ["adopt"]


class _Listed:
    def __init__(self, *mailboxes: Mailbox) -> None:
        self._listing = Listing(tuple(mailboxes))

    def listing(self, fresh: bool = False) -> Listing:
        return self._listing


def test_adoption_by_address_refuses_several() -> None:
    twice = _Listed(
        Mailbox("usm_one", "alice@acme-mail.com", "custom"),
        Mailbox("usm_two", "Alice@acme-mail.com", "custom"),
    )
    with pytest.raises(LemlistError, match=r"2 custom mailboxes.*usm_one.*usm_two.*adopt_id"):
        adopt_by_address(None, twice, mailbox(adopt=True), "alice@acme-mail.com")  # type: ignore[arg-type]
    google = _Listed(Mailbox("usm_g", "alice@acme-mail.com", "google"))
    with pytest.raises(LemlistError, match="only custom SMTP/IMAP mailboxes can be adopted"):
        adopt_by_address(None, google, mailbox(adopt=True), "alice@acme-mail.com")  # type: ignore[arg-type]


def test_a_plan_gated_connect_says_plan_and_never_retry(
    engine: Engine, emulator: Emulator
) -> None:
    emulator.gate_plan("team_1", ["connect"])
    with pytest.raises(HostError) as err:
        engine.up(ALICE)
    message = err.value.message
    assert "your lemlist plan does not include this" in message
    assert "route is available starting emailPro plan" in message
    assert "nothing was connected" in message and "retry" not in message.lower()
    assert emulator.count(method="POST", path="/user/email-accounts") == 1  # never retried
    assert emulator.accounts() == [] and engine.state == {}


@pytest.mark.parametrize(
    ("field", "address"),
    [
        ("smtp_host", "smtp.office365.com"),
        ("imap_host", "outlook.office365.com"),
        ("smtp_host", "smtp-mail.outlook.com"),
        ("imap_host", "imap-mail.outlook.com"),
    ],
)
def test_microsoft_hosts_are_refused_with_the_oauth_advice(
    host: ProviderHost, emulator: Emulator, field: str, address: str
) -> None:
    out = host.check(mailbox(**{field: address}))
    assert [p for p, _ in out.failures] == [field]
    assert "Microsoft OAuth" in out.failures[0][1] and "Microsoft 365" in out.failures[0][1]
    assert emulator.request_log() == []
