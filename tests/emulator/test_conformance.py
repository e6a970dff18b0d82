"""The emulator's ten mailbox operations held to lemlist's published OpenAPI.

For each operation: a valid request built from the spec's examples, and each refusal the spec
documents, every answer checked by :func:`spec_check.check` (status documented, content type,
JSON body valid against the spec's schema, text body one of the spec's sentences). The
expectations come from the spec only. Not provoked: ``GET /team``'s 403 (a blocked user: the
emulator models none).
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from lemlist_emulator import Emulator

from .helpers import BAD_TEAM_KEY, KEY, OTHER_KEY, make_emulator, session_for
from .spec_check import SHARED_SPEC, SPEC_PATH, check, example_body

CONNECT = "/user/email-accounts"
ACCOUNT = "/user/email-accounts/{emailAccountId}"
TEST = "/user/email-accounts/{emailAccountId}/test"
START = "/lemwarm/{userMailboxId}/start"
PAUSE = "/lemwarm/{userMailboxId}/pause"
SETTINGS = "/lemwarm/{userMailboxId}/settings"
UNKNOWN_ID = "usm_2mkqJNUjnJQiyVBht"  # the spec's example id: no mailbox of this emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with make_emulator() as emulator:
        yield emulator


def call(
    emu: Emulator, method: str, path: str, key: str | None = KEY, **params: object
) -> requests.Response:
    """``method path`` (the spec's template, ``params`` filled in) as ``key``."""
    with session_for(key) as session:
        body = params.pop("json", None)
        query = params.pop("query", None)
        url = emu.url + path.format(**params) + (f"?{query}" if query else "")
        return session.request(method, url, json=body)


def connected(emu: Emulator) -> str:
    answer = call(emu, "POST", CONNECT, json=example_body("POST", CONNECT))
    check("POST", CONNECT, answer)
    mailbox_id: str = answer.json()["id"]
    return mailbox_id


def expect(emu: Emulator, status: int, method: str, path: str, **kw: object) -> object:
    answer = call(emu, method, path, **kw)  # type: ignore[arg-type]
    assert answer.status_code == status, (method, path, answer.status_code, answer.text)
    return check(method, path, answer)


def test_the_copy_is_lemlists_spec() -> None:
    if not SHARED_SPEC.exists():
        pytest.skip(f"{SHARED_SPEC} is not beside this clone")
    assert SPEC_PATH.read_bytes() == SHARED_SPEC.read_bytes()


def test_connect(emu: Emulator) -> None:
    valid = example_body("POST", CONNECT)
    assert call(emu, "POST", CONNECT, json=valid).status_code == 201
    other = {**valid, "sender_email": "b@company.com"}
    check("POST", CONNECT, call(emu, "POST", CONNECT, json=other))
    refusals = [
        (400, KEY, {"sender_name": "x"}, "Missing required fields"),
        (400, KEY, {**valid, "sender_email": "c@company.com", "smtp_host": "localhost"},
         "Invalid host"),
        (400, KEY, valid, "This SMTP mailbox already exists"),
        (400, BAD_TEAM_KEY, valid, "Bad team"),
        (401, "not-a-key", valid, None),
        (403, KEY, {**valid, "sender_email": "d@company.com", "userId": "usr_stranger"}, None),
    ]  # fmt: skip
    for status, key, body, text in refusals:
        answer = call(emu, "POST", CONNECT, key=key, json=body)
        assert answer.status_code == status, (body, answer.text)
        check("POST", CONNECT, answer)
        assert text is None or answer.text == text


def test_disconnect(emu: Emulator) -> None:
    mine = connected(emu)
    expect(emu, 400, "DELETE", ACCOUNT, key=BAD_TEAM_KEY, emailAccountId=mine)
    expect(emu, 401, "DELETE", ACCOUNT, key="not-a-key", emailAccountId=mine)
    expect(emu, 403, "DELETE", ACCOUNT, key=OTHER_KEY, emailAccountId=mine)
    expect(emu, 404, "DELETE", ACCOUNT, emailAccountId=UNKNOWN_ID)
    assert expect(emu, 200, "DELETE", ACCOUNT, emailAccountId=mine) == {"ok": True}


def test_test(emu: Emulator) -> None:
    mine = connected(emu)
    expect(emu, 200, "POST", TEST, emailAccountId=mine)
    expect(emu, 400, "POST", TEST, key=BAD_TEAM_KEY, emailAccountId=mine)
    expect(emu, 401, "POST", TEST, key="not-a-key", emailAccountId=mine)
    expect(emu, 404, "POST", TEST, emailAccountId=UNKNOWN_ID)


@pytest.mark.parametrize("path", [START, PAUSE])
def test_lemwarm_start_and_pause(emu: Emulator, path: str) -> None:
    mine = connected(emu)
    assert expect(emu, 200, "POST", path, userMailboxId=mine) == {"ok": True}
    expect(emu, 400, "POST", path, key=BAD_TEAM_KEY, userMailboxId=mine)
    expect(emu, 401, "POST", path, key="not-a-key", userMailboxId=mine)
    for unknown in (UNKNOWN_ID, mine):  # unknown; another team's
        key = KEY if unknown == UNKNOWN_ID else OTHER_KEY
        answer = call(emu, "POST", path, key=key, userMailboxId=unknown)
        assert (answer.status_code, answer.text) == (400, "invalid-usermailbox")
        check("POST", path, answer)
    emu.set_lemwarm_seat(False)
    if path == START:
        answer = call(emu, "POST", path, userMailboxId=mine)
        assert (answer.status_code, answer.text) == (400, "billing-error")
        check("POST", path, answer)
    call(emu, "DELETE", ACCOUNT, emailAccountId=mine)
    answer = call(emu, "POST", path, userMailboxId=mine)
    assert (answer.status_code, answer.text) == (400, "mailbox-deleted")
    check("POST", path, answer)


def test_lemwarm_settings_get(emu: Emulator) -> None:
    mine = connected(emu)
    expect(emu, 200, "GET", SETTINGS, userMailboxId=mine)
    expect(emu, 400, "GET", SETTINGS, key=BAD_TEAM_KEY, userMailboxId=mine)
    expect(emu, 400, "GET", SETTINGS, userMailboxId=UNKNOWN_ID)
    expect(emu, 400, "GET", SETTINGS, key=OTHER_KEY, userMailboxId=mine)
    expect(emu, 401, "GET", SETTINGS, key="not-a-key", userMailboxId=mine)


def test_lemwarm_settings_patch(emu: Emulator) -> None:
    mine = connected(emu)
    valid = example_body("PATCH", SETTINGS)
    assert expect(emu, 200, "PATCH", SETTINGS, userMailboxId=mine, json=valid) == {"ok": True}
    for body in ({"warmEmailMax": "30"}, {"warmEmailMax": 400}, {}):
        expect(emu, 400, "PATCH", SETTINGS, userMailboxId=mine, json=body)
    expect(emu, 400, "PATCH", SETTINGS, key=BAD_TEAM_KEY, userMailboxId=mine, json=valid)
    expect(emu, 400, "PATCH", SETTINGS, userMailboxId=UNKNOWN_ID, json=valid)
    expect(emu, 401, "PATCH", SETTINGS, key="not-a-key", userMailboxId=mine, json=valid)


def test_team(emu: Emulator) -> None:
    plain = expect(emu, 200, "GET", "/team")
    v2 = expect(emu, 200, "GET", "/team", query="version=v2")
    # The spec: `users` is "only returned when the request includes the version=v2 parameter".
    assert isinstance(plain, dict) and "users" not in plain
    assert isinstance(v2, dict) and len(v2["users"]) == len(v2["userIds"])
    answer = call(emu, "GET", "/team", key=None)
    assert (answer.status_code, answer.text) == (400, "No API key provided")
    check("GET", "/team", answer)
    expect(emu, 400, "GET", "/team", key=BAD_TEAM_KEY)
    expect(emu, 401, "GET", "/team", key="not-a-key")
    with make_emulator(members={"team_1": ()}) as empty:
        expect(empty, 404, "GET", "/team")


def test_channels(emu: Emulator) -> None:
    connected(emu)
    expect(emu, 200, "GET", "/user/channels")
    expect(emu, 400, "GET", "/user/channels", key=BAD_TEAM_KEY)
    refused = call(emu, "POST", "/user/channels")
    assert refused.status_code == 405
    check("GET", "/user/channels", refused)  # the spec documents the 405 on its GET
    with make_emulator(members={"team_1": ()}) as empty:
        expect(empty, 400, "GET", "/user/channels")


def test_user(emu: Emulator) -> None:
    connected(emu)
    body = expect(emu, 200, "GET", "/users/{userId}", userId="usr_owner")
    assert isinstance(body, dict) and len(body["mailboxes"]) == 1
    expect(emu, 400, "GET", "/users/{userId}", key=BAD_TEAM_KEY, userId="usr_owner")
    expect(emu, 401, "GET", "/users/{userId}", key="not-a-key", userId="usr_owner")


ROUTES_WITH_405 = [
    ("POST", CONNECT), ("DELETE", ACCOUNT), ("POST", TEST), ("POST", START), ("POST", PAUSE),
    ("GET", SETTINGS), ("PATCH", SETTINGS), ("GET", "/user/channels"),
]  # fmt: skip


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PUT", "PROPFIND"])
def test_every_unsupported_method_is_405(emu: Emulator, method: str) -> None:
    """The spec documents 405 on these routes; the stdlib server would answer 501."""
    netloc = urlsplit(emu.url)
    for documented_method, path in ROUTES_WITH_405:
        target = netloc.path + path.format(emailAccountId=UNKNOWN_ID, userMailboxId=UNKNOWN_ID)
        connection = http.client.HTTPConnection(netloc.hostname or "", netloc.port, timeout=10)
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            connection.putheader("Authorization", session_auth_header())
            connection.endheaders()
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 405, (method, path, answer.status)
        finally:
            connection.close()
        assert documented_method  # each of these routes documents its 405


def session_auth_header() -> str:
    import base64

    return "Basic " + base64.b64encode(f":{KEY}".encode()).decode()
