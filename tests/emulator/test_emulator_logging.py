"""The request log: one readable line per request, never a body, password or key."""

from __future__ import annotations

import logging

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_emulator.faults import Fault

from .helpers import KEY, SECRETS, mailbox

LOGGER = "lemlist_emulator"


def test_one_line_per_request_without_secrets(
    emu: Emulator, api: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    url = f"{emu.url}/user/email-accounts"
    account_id = api.post(url, json=mailbox(), timeout=5).json()["id"]
    api.post(url, json=mailbox(), timeout=5)
    requests.post(
        url, params={"access_token": KEY}, json=mailbox(sender_email="q@acme-mail.com"), timeout=5
    )
    requests.post(url, auth=("", "not-the-key"), json=mailbox(), timeout=5)
    emu.inject(Fault("drop"))
    with pytest.raises(requests.ConnectionError):
        api.post(f"{url}/{account_id}/test", timeout=5)
    api.delete(f"{url}/{account_id}", timeout=5)

    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(lines) == 6
    assert lines[0].startswith("POST /api/user/email-accounts -> 201 in ")
    assert lines[1].startswith("POST /api/user/email-accounts -> 400 in ")
    assert lines[2].startswith("POST /api/user/email-accounts -> 201 in ")
    assert lines[3].startswith("POST /api/user/email-accounts -> 401 in ")
    assert lines[4].startswith(f"POST /api/user/email-accounts/{account_id}/test -> dropped")
    assert lines[4].endswith("[fault drop]")
    assert lines[5].startswith(f"DELETE /api/user/email-accounts/{account_id} -> 200 in ")
    text = caplog.text
    for secret in SECRETS:
        assert secret not in text
    assert "access_token" not in text and "?" not in text
    assert "acme-mail.com" not in text  # no body content either
    # the request log does not hold the key either
    records = repr(emu.request_log())
    assert all(secret not in records for secret in SECRETS)
    fingerprints = {r.key_fingerprint for r in emu.request_log()}
    assert len(fingerprints) == 2 and all(fp is None or len(fp) == 12 for fp in fingerprints)


def test_malformed_request_is_logged_and_refused(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    caplog.set_level(logging.INFO, logger=LOGGER)
    with socket.create_connection((emu.host, emu.port), timeout=5) as sock:
        sock.sendall(b"GARBAGE /api?access_token=" + KEY.encode() + b" HTTP/9.9\r\n\r\n")
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 ")
    assert KEY not in caplog.text
    assert emu.request_log()[-1].status in (400, 505)


def test_chunked_and_invalid_length_bodies(emu: Emulator) -> None:
    import json
    import socket

    body = json.dumps(mailbox()).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    import base64

    auth = base64.b64encode(b":" + KEY.encode())
    head = (
        b"POST /api/user/email-accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "
        + auth
        + b"\r\nContent-Type: application/json\r\n"
    )
    with socket.create_connection((emu.host, emu.port), timeout=5) as sock:
        sock.sendall(head + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked)
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 201 ")
    assert b"Connection: close" in reply
    with socket.create_connection((emu.host, emu.port), timeout=5) as sock:
        sock.sendall(head + b"Content-Length: nope\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")
    with socket.create_connection((emu.host, emu.port), timeout=5) as sock:
        sock.sendall(head + b"Content-Length: 99999999\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 413 ")


def test_a_connection_failing_outside_a_request_is_one_line_without_traceback(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    from lemlist_emulator.server import LemlistHTTPServer

    caplog.set_level(logging.DEBUG, logger=LOGGER)
    with Emulator(port=0) as emu:
        server = emu._server
        assert isinstance(server, LemlistHTTPServer)
        try:
            raise ConnectionResetError("peer hung up")
        except ConnectionResetError:
            server.handle_error(None, ("127.0.0.1", 50000))
    lines = [r for r in caplog.records if "ended" in r.getMessage()]
    assert [r.getMessage() for r in lines] == [
        "connection from 127.0.0.1 ended: ConnectionResetError"
    ]
    assert lines[0].exc_info is None
    assert "Traceback" not in capsys.readouterr().err
