"""The provider through the real dynamic-provider host, over gRPC, against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi.runtime import proto

from lemlist_emulator import Emulator
from tests.conftest import (
    API_KEY,
    IMAP_PASSWORD,
    SMTP_PASSWORD,
    assert_no_credentials,
    mailbox,
)
from tests.harness import UNKNOWN, Engine, HostError, ProviderHost

# -- check: offline, before any API call ---------------------------------------------------


def test_check_accepts_and_normalizes(host: ProviderHost, emulator: Emulator) -> None:
    out = host.check(mailbox(smtp_port="465", sender_email=" alice@acme-mail.com "))
    assert out.failures == []
    assert out.inputs["smtp_port"] == 465
    assert out.inputs["sender_email"] == "alice@acme-mail.com"
    assert out.inputs["smtp_secure"] is False and out.inputs["imap_secure"] is False
    assert out.inputs["verify_connection"] is True
    assert emulator.request_log() == []


@pytest.mark.parametrize(
    ("overrides", "prop", "fragment"),
    [
        ({"smtp_host": "smtp.gmail.com"}, "smtp_host", "OAuth"),
        ({"imap_host": "imap.googlemail.com"}, "imap_host", "OAuth"),
        ({"smtp_host": "localhost"}, "smtp_host", "SSRF"),
        ({"imap_host": "10.1.2.3"}, "imap_host", "private"),
        ({"smtp_host": "169.254.169.254"}, "smtp_host", "metadata"),
        ({"smtp_host": "[::1]"}, "smtp_host", "loopback"),
        ({"smtp_host": "127.1"}, "smtp_host", "loopback"),
        ({"sender_email": "not-an-address"}, "sender_email", "valid email"),
        ({"smtp_port": 0}, "smtp_port", "between 1 and 65535"),
        ({"imap_port": 70000}, "imap_port", "between 1 and 65535"),
        ({"imap_port": "abc"}, "imap_port", "whole number"),
        ({"smtp_login": ""}, "smtp_login", "required"),
        ({"imap_password": None}, "imap_password", "required"),
        ({"smtp_secure": "yes"}, "smtp_secure", "true or false"),
    ],
)
def test_check_refuses_what_lemlist_refuses(
    host: ProviderHost, emulator: Emulator, overrides: dict[str, Any], prop: str, fragment: str
) -> None:
    out = host.check(mailbox(**overrides))
    assert [p for p, _ in out.failures] == [prop]
    reason = out.failures[0][1]
    assert reason.startswith(prop) and fragment in reason
    assert_no_credentials(reason)
    assert emulator.request_log() == [], "check must not call lemlist"


def test_check_skips_unknown_values_during_preview(host: ProviderHost) -> None:
    out = host.check(mailbox(smtp_host=UNKNOWN, smtp_port=UNKNOWN, smtp_password=UNKNOWN))
    assert out.failures == []
    out = host.check(mailbox(smtp_host=UNKNOWN, imap_host="smtp.gmail.com"))
    assert [p for p, _ in out.failures] == ["imap_host"]


def test_check_reports_every_failure_at_once(host: ProviderHost) -> None:
    out = host.check({"sender_email": "x"})
    props = {p for p, _ in out.failures}
    assert {"sender_name", "sender_email", "smtp_host", "smtp_port", "imap_password"} <= props


# -- diff ----------------------------------------------------------------------------------


@pytest.fixture
def created(host: ProviderHost) -> tuple[str, dict[str, Any], dict[str, Any]]:
    inputs = host.check(mailbox()).inputs
    id_, outs = host.create(inputs)
    return id_, inputs, outs


def test_diff_no_change_is_no_diff(host: ProviderHost, created: Any) -> None:
    id_, inputs, outs = created
    d = host.diff(id_, outs, inputs)
    assert (d.changes, d.replaces) == (False, [])


def test_diff_case_of_an_address_is_no_change(host: ProviderHost, created: Any) -> None:
    id_, inputs, outs = created
    news = host.check({**inputs, "smtp_host": "SMTP.Acme-Mail.com"}).inputs
    assert host.diff(id_, outs, news).changes is False


def test_diff_same_mailbox_replaces_delete_first(host: ProviderHost, created: Any) -> None:
    id_, inputs, outs = created
    news = host.check({**inputs, "smtp_host": "mail.acme-mail.com", "smtp_port": 465}).inputs
    d = host.diff(id_, outs, news)
    assert d.changes and sorted(d.replaces) == ["smtp_host", "smtp_port"]
    assert d.delete_before_replace is True


def test_diff_new_address_replaces_create_first(host: ProviderHost, created: Any) -> None:
    id_, inputs, outs = created
    news = host.check({**inputs, "sender_email": "alice.martin@acme-mail.com"}).inputs
    d = host.diff(id_, outs, news)
    assert d.replaces == ["sender_email"] and d.delete_before_replace is False


def test_diff_password_change_replaces(host: ProviderHost, created: Any) -> None:
    id_, inputs, outs = created
    d = host.diff(id_, outs, {**inputs, "imap_password": "rotated-pw-1234"})
    assert d.replaces == ["imap_password"] and d.delete_before_replace is True


def test_a_secret_only_change_names_its_field_never_its_value(
    host: ProviderHost, created: Any
) -> None:
    """A password rotation previews as ``[diff: ~imap_password]``, not a bare replace."""
    id_, inputs, outs = created
    d = host.diff(id_, outs, {**inputs, "imap_password": "rotated-pw-1234"})
    assert d.diffs == ["imap_password"]
    assert d.detailed == {"imap_password": proto.PropertyDiff.UPDATE_REPLACE}
    plain = host.diff(id_, outs, {**inputs, "verify_connection": False})
    assert plain.diffs == ["verify_connection"]
    assert plain.detailed == {"verify_connection": proto.PropertyDiff.UPDATE}
    assert host.diff(id_, outs, inputs).diffs == []


def test_diff_verify_connection_never_replaces(host: ProviderHost, created: Any) -> None:
    id_, inputs, outs = created
    d = host.diff(id_, outs, {**inputs, "verify_connection": False})
    assert d.changes is True and d.replaces == []


def test_diff_unknown_value_may_replace(host: ProviderHost, created: Any) -> None:
    id_, inputs, outs = created
    d = host.diff(id_, outs, {**inputs, "smtp_password": UNKNOWN})
    assert d.replaces == ["smtp_password"]


# -- create / read / delete ------------------------------------------------------------------


def test_create_posts_exactly_the_contract_body(
    host: ProviderHost, emulator: Emulator, created: Any
) -> None:
    id_, _, outs = created
    assert id_.startswith("usm_")  # as lemlist's listings show mailbox ids
    assert outs["email"] == "alice@acme-mail.com" and outs["provider"] == "custom"
    assert outs["smtp_ok"] is True and outs["imap_ok"] is True and outs["checked_at"]
    account = emulator.account(id_)
    assert account is not None
    assert account["smtp_port"] == 587 and type(account["smtp_port"]) is int
    assert type(account["imap_port"]) is int
    assert account["smtp_secure"] is False and account["imap_secure"] is False
    assert account["user_id"] == "usr_owner"  # no userId sent: lemlist assigns the owner
    assert [(r.method, r.path, r.status) for r in emulator.request_log()] == [
        ("POST", "/api/user/email-accounts", 201),
        ("POST", f"/api/user/email-accounts/{id_}/test", 200),
    ]


def test_create_sends_user_id(host: ProviderHost, emulator: Emulator) -> None:
    id_, _ = host.create(host.check(mailbox(user_id="usr_member")).inputs)
    account = emulator.account(id_)
    assert account is not None and account["user_id"] == "usr_member"


def test_create_refused_by_lemlist_is_a_clear_sentence(host: ProviderHost) -> None:
    with pytest.raises(HostError) as err:
        host.create(host.check(mailbox(user_id="usr_stranger")).inputs)
    message = err.value.message
    assert "HTTP 403" in message and "User is not a member of this team" in message
    assert "user_id" in message
    assert_no_credentials(message)


def test_duplicate_mailbox_says_how_to_adopt_it(host: ProviderHost) -> None:
    host.create(host.check(mailbox()).inputs)
    with pytest.raises(HostError) as err:
        host.create(host.check(mailbox(sender_email="ALICE@acme-mail.com")).inputs)
    assert "This SMTP mailbox already exists" in err.value.message
    assert 'adopt_id="usm_…"' in err.value.message


def test_read_keeps_a_live_mailbox_and_drops_a_gone_one(
    host: ProviderHost, emulator: Emulator, created: Any
) -> None:
    id_, inputs, outs = created
    read_id, read_outs, read_inputs = host.read(id_, outs, inputs)
    assert read_id == id_ and read_outs["email"] == outs["email"]
    assert read_inputs["smtp_password"] == SMTP_PASSWORD
    assert emulator.disconnect(id_)
    host.begin_operation()  # the next refresh: a command of its own, in a host of its own
    read_id, read_outs, _ = host.read(id_, outs, inputs)
    assert read_id == "" and read_outs == {}


def test_delete_disconnects_and_a_gone_mailbox_is_success(
    host: ProviderHost, emulator: Emulator, created: Any
) -> None:
    id_, _, outs = created
    host.delete(id_, outs)
    assert emulator.account(id_) is None
    host.delete(id_, outs)  # 404: already gone


def test_delete_of_another_teams_mailbox_is_refused(
    host_factory: Callable[..., ProviderHost], emulator: Emulator, host: ProviderHost
) -> None:
    other = emulator.connect(sender_email="bob@acme-mail.com", team="team_2")
    with pytest.raises(HostError) as err:
        host.delete(other, {})
    assert "HTTP 403" in err.value.message and "another team" in err.value.message


# -- configuration and credentials -----------------------------------------------------------


def test_missing_key_names_both_ways_to_set_it(
    host_factory: Callable[..., ProviderHost], emulator: Emulator
) -> None:
    host = host_factory(config={"lemlist:apiUrl": emulator.url})
    # Refused at preview time (check runs after configure), before any API call, as a
    # configuration error: no team is in use, so no property of the mailbox is at fault...
    with pytest.raises(HostError) as refused:
        host.check(mailbox())
    assert refused.value.message.count("No lemlist API key is configured") == 1
    assert "lemlist:apiKey" in refused.value.message
    assert "LEMLIST_API_KEY" in refused.value.message
    assert "team" not in refused.value.message.strip().splitlines()[-1]
    # ...and create, which a preview never reaches, says the same.
    inputs = host_factory().check(mailbox()).inputs
    with pytest.raises(HostError) as err:
        host.create(inputs)
    assert "lemlist:apiKey" in err.value.message and "LEMLIST_API_KEY" in err.value.message
    assert "team" not in err.value.message.strip().splitlines()[-1]


def test_key_from_environment(
    host_factory: Callable[..., ProviderHost], emulator: Emulator
) -> None:
    emulator.reset()
    host = host_factory(
        config={}, env={"LEMLIST_API_KEY": API_KEY, "LEMLIST_API_URL": emulator.url}
    )
    id_, _ = host.create(host.check(mailbox()).inputs)
    assert emulator.account(id_) is not None


def test_wrong_key_is_a_401_sentence_without_the_key(
    host_factory: Callable[..., ProviderHost], emulator: Emulator
) -> None:
    host = host_factory(
        config={"lemlist:apiKey": "wrong-key-31337", "lemlist:apiUrl": emulator.url}
    )
    with pytest.raises(HostError) as err:
        host.create(host.check(mailbox()).inputs)
    assert "HTTP 401" in err.value.message and "lemlist:apiKey" in err.value.message
    assert "wrong-key-31337" not in err.value.message


def test_plain_http_is_refused_off_loopback(host_factory: Callable[..., ProviderHost]) -> None:
    host = host_factory(
        config={"lemlist:apiKey": API_KEY, "lemlist:apiUrl": "http://lemlist.example.com/api"}
    )
    with pytest.raises(HostError) as err:
        host.create(mailbox())
    assert "plain http" in err.value.message and "https" in err.value.message


def test_no_credential_in_any_error_or_log(host: ProviderHost, emulator: Emulator) -> None:
    messages = []
    for overrides in ({"user_id": "usr_nobody"}, {}, {}):
        try:
            host.create(host.check(mailbox(**overrides)).inputs)
        except HostError as exc:
            messages.append(exc.message)
    assert len(messages) == 2  # the stranger and the duplicate
    for message in messages:
        assert_no_credentials(message)


# -- whole lifecycles through the engine model ---------------------------------------------


def test_replacing_the_same_mailbox_deletes_first(engine: Engine, emulator: Emulator) -> None:
    engine.up({"alice": mailbox()})
    old = engine.state["alice"].id
    done = engine.up({"alice": mailbox(smtp_password="rotated-pw-5678")})
    assert done == {"alice": "delete-replace"}
    assert engine.log[-2:] == [f"delete alice {old}", f"create alice {engine.state['alice'].id}"]
    assert len(emulator.accounts()) == 1


def test_changing_the_address_creates_first(engine: Engine, emulator: Emulator) -> None:
    engine.up({"alice": mailbox()})
    done = engine.up({"alice": mailbox(sender_email="alice.m@acme-mail.com")})
    assert done == {"alice": "replace"}
    assert [a["sender_email"] for a in emulator.accounts()] == ["alice.m@acme-mail.com"]


def test_up_is_idempotent_and_destroy_cleans_up(engine: Engine, emulator: Emulator) -> None:
    program = {"alice": mailbox(), "bob": mailbox(sender_email="bob@acme-mail.com")}
    assert engine.up(program) == {"alice": "create", "bob": "create"}
    assert engine.up(program) == {"alice": "same", "bob": "same"}
    assert engine.preview(program) == {"alice": "same", "bob": "same"}
    engine.destroy()
    assert emulator.accounts() == []


def test_host_stderr_holds_no_credentials(
    host_factory: Callable[..., ProviderHost], emulator: Emulator
) -> None:
    emulator.reset()
    host = ProviderHost()
    try:
        host.configure(
            {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emulator.url}, ["lemlist:apiKey"]
        )
        id_, outs = host.create(host.check(mailbox(smtp_password=SMTP_PASSWORD)).inputs)
        host.read(id_, outs)
        host.delete(id_, outs)
        with pytest.raises(HostError):
            host.create(host.check(mailbox(user_id="usr_nobody")).inputs)
    finally:
        stderr = host.close()
    assert_no_credentials(stderr)
    assert IMAP_PASSWORD not in stderr
