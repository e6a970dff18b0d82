"""Concurrent clients: keep-alive sessions in threads, and one winner among racing duplicates."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from lemlist_emulator import Emulator

from .helpers import KEY, mailbox, session_for


def test_fifty_posts_from_eight_threads(emu: Emulator) -> None:
    local = threading.local()
    sessions: list[requests.Session] = []

    def post(n: int) -> requests.Response:
        if not hasattr(local, "session"):
            local.session = session_for(KEY)
            sessions.append(local.session)
        session: requests.Session = local.session
        body = mailbox(sender_email=f"user{n}@acme-mail.com")
        return session.post(f"{emu.url}/user/email-accounts", json=body, timeout=10)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(50)))
    for session in sessions:
        session.close()
    assert [r.status_code for r in responses] == [201] * 50
    ids = [r.json()["id"] for r in responses]
    assert len(set(ids)) == 50
    accounts = emu.accounts()
    assert len(accounts) == 50
    assert {a["id"] for a in accounts} == set(ids)
    assert emu.count(status=201) == 50


def test_racing_duplicates_have_one_winner(emu: Emulator) -> None:
    barrier = threading.Barrier(12)

    def post(_: int) -> int:
        with session_for(KEY) as session:
            barrier.wait()
            url = f"{emu.url}/user/email-accounts"
            return session.post(url, json=mailbox(), timeout=10).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = sorted(pool.map(post, range(12)))
    assert statuses == [201] + [400] * 11
    assert len(emu.accounts()) == 1


def test_keep_alive_reuses_one_connection(emu: Emulator) -> None:
    with session_for(KEY) as session:
        url = f"{emu.url}/user/email-accounts"
        first = session.post(url, json=mailbox(), timeout=5)
        assert first.headers.get("Connection") != "close"
        for n in range(5):
            session.post(url, json=mailbox(sender_email=f"k{n}@acme-mail.com"), timeout=5)
    assert len({record.connection for record in emu.request_log()}) == 1


def test_each_session_gets_its_own_connection(emu: Emulator) -> None:
    for n in range(3):
        with session_for(KEY) as session:
            body = mailbox(sender_email=f"s{n}@acme-mail.com")
            session.post(f"{emu.url}/user/email-accounts", json=body, timeout=5)
    assert sorted(record.connection for record in emu.request_log()) == [1, 2, 3]
