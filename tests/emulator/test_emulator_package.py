"""The emulator as a package: standard library only, independent of the provider, and a
public surface of the Emulator class and the command."""

from __future__ import annotations

import ast
import sys
import threading
from pathlib import Path

import requests

import lemlist_emulator
from lemlist_emulator import Emulator

from .helpers import KEY, mailbox, session_for

PACKAGE = Path(lemlist_emulator.__file__).parent


def imported_roots() -> set[str]:
    roots: set[str] = set()
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
    return roots


def test_standard_library_only_and_nothing_from_the_provider() -> None:
    outside = imported_roots() - set(sys.stdlib_module_names) - {"__future__"}
    assert outside == {"lemlist_emulator"}


def test_public_surface_is_the_emulator_and_the_command() -> None:
    assert lemlist_emulator.__all__ == ["Emulator", "main"]


def test_stop_ends_a_request_waiting_its_latency() -> None:
    """With the real wait, a long connect is dropped by stop() and never takes effect."""
    emu = Emulator(api_keys=KEY, latency={"connect": 600.0}, rate_limit=None).start()
    outcome: list[object] = []

    def connect() -> None:
        with session_for(KEY) as api:
            try:
                api.post(f"{emu.url}/user/email-accounts", json=mailbox(), timeout=60)
                outcome.append("answered")
            except requests.ConnectionError as exc:
                outcome.append(exc)

    client = threading.Thread(target=connect)
    client.start()
    # Until the connect is spending its latency: "not idle" alone would also be true while the
    # request is still being authenticated, before it reaches the wait this test is about.
    assert emu.wait_waiting(1, timeout=30)
    emu.stop()
    client.join(timeout=30)
    assert not client.is_alive()
    assert outcome and outcome[0] != "answered"
    assert emu.accounts() == []
    assert [(r.operation, r.status) for r in emu.request_log()] == [("connect", 0)]
