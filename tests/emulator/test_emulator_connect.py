"""POST /api/user/email-accounts: every status and message, lemlist's type and host rules."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_resource.rules import validation

from .helpers import (
    BAD_TEAM_KEY,
    IMAP_PASSWORD,
    KEY,
    REQUIRED_FIELDS,
    SMTP_PASSWORD,
    mailbox,
    make_emulator,
    session_for,
)

TEXT = "text/plain; charset=utf-8"


def connect(api: requests.Session, emu: Emulator, body: Any) -> requests.Response:
    return api.post(f"{emu.url}/user/email-accounts", json=body, timeout=5)


def assert_refused(resp: requests.Response, status: int, message: str) -> None:
    assert resp.status_code == status
    assert resp.headers["Content-Type"] == TEXT
    assert resp.text == message


def test_connect_created(emu: Emulator, api: requests.Session) -> None:
    resp = connect(api, emu, mailbox(sender_email="Alice@Acme-Mail.com"))
    assert resp.status_code == 201
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"id", "email", "provider"}
    assert body["email"] == "Alice@Acme-Mail.com"
    assert body["provider"] == "custom"
    assert body["id"].startswith("usm_")
    suffix = body["id"][4:]
    assert len(suffix) >= 16 and suffix.isalnum()


def test_connect_stores_types_as_received_and_fingerprints(
    emu: Emulator, api: requests.Session
) -> None:
    account_id = connect(api, emu, mailbox()).json()["id"]
    account = emu.account(account_id)
    assert account is not None
    assert account["team"] == "team_1"
    assert account["smtp_port"] == 587 and type(account["smtp_port"]) is int
    assert account["imap_secure"] is True and account["smtp_secure"] is False
    assert account["user_id"] == "usr_owner"  # no userId: the team owner
    assert "smtp_password" not in account and "imap_password" not in account
    assert account["smtp_password_sha256"] == rules_free_sha256(SMTP_PASSWORD)
    assert account["imap_password_sha256"] == rules_free_sha256(IMAP_PASSWORD)
    assert SMTP_PASSWORD not in repr(emu.accounts())
    account["sender_name"] = "changed"
    assert emu.account(account_id)["sender_name"] == "Alice Martin"  # type: ignore[index]


def rules_free_sha256(value: str) -> str:
    import hashlib

    return hashlib.sha256(value.encode()).hexdigest()


def test_secure_flags_default_to_false(emu: Emulator, api: requests.Session) -> None:
    account_id = connect(api, emu, mailbox(smtp_secure=..., imap_secure=None)).json()["id"]
    account = emu.account(account_id)
    assert account is not None
    assert account["smtp_secure"] is False and account["imap_secure"] is False


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_missing_required_field(emu: Emulator, api: requests.Session, field: str) -> None:
    assert_refused(connect(api, emu, mailbox(**{field: ...})), 400, "Missing required fields")
    assert_refused(connect(api, emu, mailbox(**{field: None})), 400, "Missing required fields")
    if not field.endswith("_port"):
        assert_refused(connect(api, emu, mailbox(**{field: ""})), 400, "Missing required fields")
    assert emu.accounts() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("smtp_port", "587"),
        ("smtp_port", True),
        ("smtp_port", 587.0),
        ("smtp_port", 587.5),
        ("imap_port", "993"),
        ("imap_port", False),
        ("imap_port", 993.0),
        ("imap_port", 0),
        ("imap_port", 65536),
        ("imap_port", -1),
        ("smtp_secure", "true"),
        ("smtp_secure", 1),
        ("imap_secure", "false"),
        ("sender_name", 42),
        ("smtp_password", ["x"]),
        ("imap_host", {"name": "imap.acme-mail.com"}),
        ("userId", 7),
    ],
)
def test_wrong_types(emu: Emulator, api: requests.Session, field: str, value: object) -> None:
    assert_refused(connect(api, emu, mailbox(**{field: value})), 400, "Missing required fields")


@pytest.mark.parametrize("payload", [b"{not json", b"", b"[1, 2]", b'"text"', b"null", b"\xff\xfe"])
def test_malformed_or_non_object_body(emu: Emulator, api: requests.Session, payload: bytes) -> None:
    resp = api.post(
        f"{emu.url}/user/email-accounts",
        data=payload,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert_refused(resp, 400, "Missing required fields")


def test_body_not_sent_as_json_has_no_fields(emu: Emulator, api: requests.Session) -> None:
    import json

    resp = api.post(
        f"{emu.url}/user/email-accounts",
        data=json.dumps(mailbox()),
        headers={"Content-Type": "text/plain"},
        timeout=5,
    )
    assert_refused(resp, 400, "Missing required fields")


@pytest.mark.parametrize(
    "host",
    [
        "smtp.gmail.com",
        "imap.gmail.com",
        "gmail.com",
        "smtp.googlemail.com",
        "localhost",
        "mail.localhost",
        "10.0.0.5",
        "127.0.0.1",
        "127.1",
        "169.254.169.254",
        "192.168.1.10",
        "::1",
        "[::1]",
        "metadata.google.internal",
        "   ",
        "smtp.acme-mail.com:587",
    ],
)
@pytest.mark.parametrize("side", ["smtp_host", "imap_host"])
def test_invalid_host(emu: Emulator, api: requests.Session, side: str, host: str) -> None:
    assert validation.host_problem(host) is not None  # the provider refuses it too
    assert_refused(connect(api, emu, mailbox(**{side: host})), 400, "Invalid host")


@pytest.mark.parametrize(
    "host", ["smtp.acme-mail.com", "mail.example.org", "8.8.8.8", "SMTP.ACME.IO."]
)
def test_public_host_accepted(emu: Emulator, api: requests.Session, host: str) -> None:
    resp = connect(api, emu, mailbox(smtp_host=host, imap_host=host))
    assert resp.status_code == 201, resp.text


def test_missing_fields_checked_before_host(emu: Emulator, api: requests.Session) -> None:
    body = mailbox(smtp_host="smtp.gmail.com", imap_port="993")
    assert_refused(connect(api, emu, body), 400, "Missing required fields")


def test_host_checked_before_membership(emu: Emulator, api: requests.Session) -> None:
    body = mailbox(smtp_host="localhost", userId="usr_stranger")
    assert_refused(connect(api, emu, body), 400, "Invalid host")


def test_duplicate_is_case_insensitive_within_team(
    emu: Emulator, api: requests.Session, other_api: requests.Session
) -> None:
    assert connect(api, emu, mailbox()).status_code == 201
    again = connect(api, emu, mailbox(sender_email="ALICE@acme-mail.COM", sender_name="Other"))
    assert_refused(again, 400, "This SMTP mailbox already exists")
    # another team may connect the same address
    assert connect(other_api, emu, mailbox()).status_code == 201
    assert len(emu.accounts()) == 2


def test_membership_checked_before_duplicate(emu: Emulator, api: requests.Session) -> None:
    assert connect(api, emu, mailbox()).status_code == 201
    resp = connect(api, emu, mailbox(userId="usr_other"))
    assert_refused(resp, 403, "User is not a member of this team")


def test_user_id_member_and_non_member(emu: Emulator, api: requests.Session) -> None:
    resp = connect(api, emu, mailbox(userId="usr_member"))
    assert resp.status_code == 201
    assert emu.account(resp.json()["id"])["user_id"] == "usr_member"  # type: ignore[index]
    refused = connect(api, emu, mailbox(sender_email="bob@acme-mail.com", userId="usr_other"))
    assert_refused(refused, 403, "User is not a member of this team")
    assert len(emu.accounts()) == 1


def test_bad_team_key(emu: Emulator) -> None:
    with session_for(BAD_TEAM_KEY) as bad:
        assert_refused(connect(bad, emu, mailbox()), 400, "Bad team")
        assert_refused(connect(bad, emu, {}), 400, "Bad team")
    assert emu.accounts() == []


@pytest.mark.parametrize(
    "auth",
    [
        None,
        ("", "wrong-key"),
        (KEY, ""),  # key sent as the user name
        ("someone", KEY),  # lemlist's documented form has an empty user name
    ],
)
def test_unauthorized(emu: Emulator, auth: tuple[str, str] | None) -> None:
    resp = requests.post(f"{emu.url}/user/email-accounts", json=mailbox(), auth=auth, timeout=5)
    assert_refused(resp, 401, "The authentication you supplied is incorrect")
    assert emu.accounts() == []


@pytest.mark.parametrize(
    "header", ["Bearer " + KEY, "Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()]
)
def test_unauthorized_malformed_header(emu: Emulator, header: str) -> None:
    resp = requests.post(
        f"{emu.url}/user/email-accounts",
        json=mailbox(),
        headers={"Authorization": header},
        timeout=5,
    )
    assert_refused(resp, 401, "The authentication you supplied is incorrect")


def test_access_token_query_parameter(emu: Emulator) -> None:
    url = f"{emu.url}/user/email-accounts"
    ok = requests.post(url, params={"access_token": KEY}, json=mailbox(), timeout=5)
    assert ok.status_code == 201
    bad = requests.post(url, params={"access_token": "nope"}, json=mailbox(), timeout=5)
    assert_refused(bad, 401, "The authentication you supplied is incorrect")
    assert all("?" not in record.path for record in emu.request_log())


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_wrong_method(emu: Emulator, api: requests.Session, method: str) -> None:
    resp = api.request(method, f"{emu.url}/user/email-accounts", json=mailbox(), timeout=5)
    assert_refused(resp, 405, "Method not allowed")
    assert resp.headers["Allow"] == "POST"
    assert emu.accounts() == []


def test_head_has_no_body(emu: Emulator, api: requests.Session) -> None:
    resp = api.head(f"{emu.url}/user/email-accounts", timeout=5)
    assert resp.status_code == 405
    assert resp.content == b""


@pytest.mark.parametrize(
    "path", ["/user", "/user/email-accounts/a/b/c", "/team/x", "/../api/user/email-accounts/x/y/z"]
)
def test_unknown_path(emu: Emulator, api: requests.Session, path: str) -> None:
    # lemlist's web app answers what the API does not serve: 200 with its HTML page
    resp = api.post(emu.url + path, json={}, timeout=5)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    with make_emulator(catch_all=False) as strict:
        assert_refused(api.post(strict.url + path, json={}, timeout=5), 404, "Not found")


def test_unknown_path_outside_api(emu: Emulator, api: requests.Session) -> None:
    base = emu.url.removesuffix("/api")
    resp = api.get(base + "/", timeout=5)
    assert resp.status_code == 200 and "<html" in resp.text
    with make_emulator(catch_all=False) as strict:
        base = strict.url.removesuffix("/api")
        assert_refused(api.get(base + "/", timeout=5), 404, "Not found")


def test_trailing_slash_is_the_same_route(emu: Emulator, api: requests.Session) -> None:
    assert api.post(f"{emu.url}/user/email-accounts/", json=mailbox(), timeout=5).status_code == 201


def test_in_process_connect_and_disconnect(emu: Emulator, api: requests.Session) -> None:
    account_id = emu.connect(sender_email="ui@acme-mail.com")
    account = emu.account(account_id)
    assert account is not None and account["team"] == "team_1"
    assert account["smtp_login"] == "ui@acme-mail.com"
    # the API refuses a second connection of the mailbox connected in the UI
    resp = connect(api, emu, mailbox(sender_email="UI@acme-mail.com"))
    assert_refused(resp, 400, "This SMTP mailbox already exists")
    other = emu.connect(sender_email="x@acme-mail.com", team="team_2", user_id="usr_other")
    assert emu.account(other)["user_id"] == "usr_other"  # type: ignore[index]
    assert emu.disconnect(account_id) is True
    assert emu.disconnect(account_id) is False
    assert connect(api, emu, mailbox(sender_email="ui@acme-mail.com")).status_code == 201


def test_in_process_connect_applies_the_rules(emu: Emulator) -> None:
    from lemlist_emulator.model import LemlistRefusal

    with pytest.raises(LemlistRefusal) as refused:
        emu.connect(sender_email="x@acme-mail.com", smtp_host="smtp.gmail.com")
    assert (refused.value.status, refused.value.message) == (400, "Invalid host")
    with pytest.raises(ValueError):
        emu.connect(sender_name="no email")
