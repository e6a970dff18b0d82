"""DELETE /api/user/email-accounts/{id} and POST /api/user/email-accounts/{id}/test."""

from __future__ import annotations

import pytest
import requests

from lemlist_emulator import Emulator

from .helpers import BAD_TEAM_KEY, mailbox, session_for

TEXT = "text/plain; charset=utf-8"


def create(api: requests.Session, emu: Emulator, **overrides: object) -> str:
    resp = api.post(f"{emu.url}/user/email-accounts", json=mailbox(**overrides), timeout=5)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def assert_refused(resp: requests.Response, status: int, message: str) -> None:
    assert (resp.status_code, resp.headers["Content-Type"], resp.text) == (status, TEXT, message)


# ----- DELETE -------------------------------------------------------------------------------


def test_delete_ok_then_not_found(emu: Emulator, api: requests.Session) -> None:
    account_id = create(api, emu)
    resp = api.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.json() == {"ok": True}
    assert emu.accounts() == []
    again = api.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
    assert_refused(again, 404, "Email account not found")
    # once disconnected, the mailbox can be connected again
    assert create(api, emu) != account_id


def test_delete_unknown_id(emu: Emulator, api: requests.Session) -> None:
    resp = api.delete(f"{emu.url}/user/email-accounts/umx_doesnotexist000000", timeout=5)
    assert_refused(resp, 404, "Email account not found")


def test_delete_other_teams_account_is_forbidden(
    emu: Emulator, api: requests.Session, other_api: requests.Session
) -> None:
    account_id = create(api, emu)
    resp = other_api.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
    assert_refused(resp, 403, "You are not allowed to modify this mailbox")
    assert emu.account(account_id) is not None


def test_delete_bad_team(emu: Emulator, api: requests.Session) -> None:
    account_id = create(api, emu)
    with session_for(BAD_TEAM_KEY) as bad:
        resp = bad.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
        assert_refused(resp, 400, "Bad team")
        missing = bad.delete(f"{emu.url}/user/email-accounts/nope", timeout=5)
        assert_refused(missing, 400, "Bad team")
    assert emu.account(account_id) is not None


def test_delete_unauthorized(emu: Emulator, api: requests.Session) -> None:
    account_id = create(api, emu)
    resp = requests.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
    assert_refused(resp, 401, "The authentication you supplied is incorrect")
    assert emu.account(account_id) is not None


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH"])
def test_account_path_wrong_method(emu: Emulator, api: requests.Session, method: str) -> None:
    account_id = create(api, emu)
    resp = api.request(method, f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
    assert_refused(resp, 405, "Method not allowed")
    assert resp.headers["Allow"] == "DELETE"
    assert emu.account(account_id) is not None


def test_disconnect_outside_pulumi(emu: Emulator, api: requests.Session) -> None:
    account_id = create(api, emu)
    assert emu.disconnect(account_id) is True
    resp = api.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5)
    assert_refused(resp, 404, "Email account not found")
    resp = api.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
    assert_refused(resp, 404, "Email account not found")


# ----- test ---------------------------------------------------------------------------------


def test_check_succeeds(emu: Emulator, api: requests.Session) -> None:
    account_id = create(api, emu)
    resp = api.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5)
    assert resp.status_code == 200
    assert resp.json() == {"smtp": {"success": True}, "imap": {"success": True}}


@pytest.mark.parametrize(
    ("protocol", "expected_failed"),
    [("smtp", {"smtp"}), ("imap", {"imap"}), (None, {"smtp", "imap"})],
)
def test_fail_check_per_protocol(
    emu: Emulator, api: requests.Session, protocol: str | None, expected_failed: set[str]
) -> None:
    account_id = create(api, emu, smtp_host="mail.acme-mail.com", imap_host="mail.acme-mail.com")
    emu.fail_check("MAIL.acme-mail.com", protocol, error="Connection refused")
    body = api.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5).json()
    for side in ("smtp", "imap"):
        if side in expected_failed:
            assert body[side] == {"success": False, "error": "Connection refused"}
        else:
            assert body[side] == {"success": True}  # no error key on the side that worked


def test_fail_check_matches_host_side(emu: Emulator, api: requests.Session) -> None:
    account_id = create(api, emu)  # smtp.acme-mail.com / imap.acme-mail.com
    emu.fail_check("imap.acme-mail.com")  # protocol None: every side whose host matches
    body = api.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5).json()
    assert body == {
        "smtp": {"success": True},
        "imap": {"success": False, "error": "Authentication failed"},
    }
    emu.clear_check_failures()
    body = api.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5).json()
    assert body["imap"] == {"success": True}


def test_check_other_teams_account_is_not_found(
    emu: Emulator, api: requests.Session, other_api: requests.Session
) -> None:
    account_id = create(api, emu)
    resp = other_api.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5)
    assert_refused(resp, 404, "Email account not found")


def test_check_bad_team_and_unauthorized(emu: Emulator, api: requests.Session) -> None:
    account_id = create(api, emu)
    with session_for(BAD_TEAM_KEY) as bad:
        resp = bad.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5)
        assert_refused(resp, 400, "Bad team")
    with session_for("wrong") as wrong:
        resp = wrong.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5)
        assert_refused(resp, 401, "The authentication you supplied is incorrect")


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT"])
def test_check_wrong_method(emu: Emulator, api: requests.Session, method: str) -> None:
    account_id = create(api, emu)
    resp = api.request(method, f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5)
    assert_refused(resp, 405, "Method not allowed")
    assert emu.account(account_id) is not None


def test_reset_forgets_everything(emu: Emulator, api: requests.Session) -> None:
    create(api, emu)
    emu.fail_check("smtp.acme-mail.com")
    emu.reset()
    assert emu.accounts() == [] and emu.request_log() == []
    account_id = create(api, emu)
    body = api.post(f"{emu.url}/user/email-accounts/{account_id}/test", timeout=5).json()
    assert body["smtp"] == {"success": True}


def test_request_log_and_count(emu: Emulator, api: requests.Session) -> None:
    account_id = create(api, emu)
    api.post(f"{emu.url}/user/email-accounts", json=mailbox(), timeout=5)
    api.delete(f"{emu.url}/user/email-accounts/{account_id}", timeout=5)
    log = emu.request_log()
    assert [(r.method, r.status) for r in log] == [("POST", 201), ("POST", 400), ("DELETE", 200)]
    assert log[2].path == f"/api/user/email-accounts/{account_id}"
    assert all(r.fault is None and r.key_fingerprint and r.duration >= 0 for r in log)
    assert emu.count() == 3
    assert emu.count(status=201) == 1
    assert emu.count(method="post") == 2
    assert emu.count(status=200, method="DELETE") == 1
    emu.clear_log()
    assert emu.count() == 0
