"""No test binds a fixed port (issue 25): the suite runs beside the dev stack's emulator on
8787 (./scripts/pulumi leaves it up) and beside another checkout's suite. Every emulator or
server of the suite takes port 0 (the system picks) or one a test got that way."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent
FIXED = re.compile(
    r"""\bport\s*=\s*[1-9]\d*\b(?!\.)"""  # Emulator(port=8787), not smtp_port=465
    r"""|["']--port["']\s*,\s*["'][1-9]"""  # ["--port", "8787"]
    r"""|--port[ =][1-9]\d*["']"""  # "--port 8787"
    r"""|\.bind\(\s*\([^)]*,\s*[1-9]\d*\s*\)"""  # sock.bind(("127.0.0.1", 8787))
)


def test_no_test_binds_a_fixed_port() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FIXED.search(line)
    ]
    assert not found, "a test binds a fixed port (take 0, let the system pick):\n" + "\n".join(
        found
    )


def test_the_pattern_sees_a_fixed_port() -> None:
    for line in ('Emulator(port=8787)', '["--port", "8787"]', 's.bind(("127.0.0.1", 8787))'):
        assert FIXED.search(line), line
    assert not FIXED.search('Emulator(port=0)') and not FIXED.search('account(smtp_port=465)')


def test_a_bind_of_a_port_the_system_did_not_hand_out_is_refused() -> None:
    """The runtime guard (tests/portguard.py): a port taken by default, such as the
    emulator's 8787 when its command line has no --port, is refused before the system is
    asked; port 0, and the port it handed out, are bound."""
    import socket

    import pytest

    from lemlist_emulator.cli import build_emulator, build_parser
    from tests.portguard import FixedPortError

    with pytest.raises(FixedPortError, match="fixed port 8787"):
        build_emulator(build_parser().parse_args(["--api-key", "k"])).start()
    with socket.socket() as first:
        first.bind(("127.0.0.1", 0))
        port = first.getsockname()[1]
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
