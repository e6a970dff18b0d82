"""The README's main command, for real: ``./scripts/pulumi up`` and its siblings on a copy of
the repository, with the real CLI (found or built as scripts/pulumi_cli.py decides), the
emulator the script starts itself, and the three dev mailboxes connected."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cli import ROOT, require_cli

pytestmark = pytest.mark.e2e

DEV_SENDERS = ["alice@dev.example.com", "bob@dev.example.com", "support@dev.example.com"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_checkout(copy: Path, port: int) -> Path:
    """The tracked files of the repository in ``copy``, the dev emulator's kept port ``port``
    (8787 may be a developer's own), and a virtualenv that is this test's own seen through
    links (its interpreter and packages), with the wrapper's pip stamp made, so the script
    installs nothing into this test's virtualenv."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode().split("\0")
    for name in filter(None, files):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    venv = Path(sys.executable).parent.parent
    shadow = copy / ".venv"
    (shadow / "bin").mkdir(parents=True)
    shutil.copy(venv / "pyvenv.cfg", shadow / "pyvenv.cfg")
    (shadow / "lib").symlink_to(venv / "lib")
    (shadow / "bin" / "python").symlink_to(venv / "bin" / "python")
    stamp = subprocess.run(
        [sys.executable, "scripts/pulumi_setup.py", "stamp", "requirements.txt", "pyproject.toml"],
        cwd=copy, capture_output=True, text=True, check=True,
    ).stdout
    (shadow / ".requirements.sha256").write_text(stamp)
    (copy / ".emulator").mkdir()
    (copy / ".emulator" / "port").write_text(f"{port}\n")
    return copy


def stop_emulator(copy: Path) -> None:
    """End the dev emulator the script started in ``copy``, if it did."""
    pid_file = copy / ".emulator" / "emulator.pid"
    if pid_file.exists():
        os.kill(int(pid_file.read_text()), signal.SIGTERM)


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    """One checkout (:func:`make_checkout`) on a free port."""
    require_cli()
    copy = make_checkout(tmp_path / "repo", _free_port())
    try:
        yield copy
    finally:
        stop_emulator(copy)


def _run(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "LEMLIST_"))}
    env["PULUMI_HOME"] = str(copy.parent / "pulumi-home")
    done = subprocess.run(
        ["bash", str(copy / "scripts" / "pulumi"), *args, "--non-interactive"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done


def _emulator_accounts(copy: Path) -> list[str]:
    """The addresses the script's emulator holds, read through lemlist's own listing."""
    return _accounts_at(f"http://127.0.0.1:{(copy / '.emulator' / 'port').read_text().strip()}/api")


def _accounts_at(url: str) -> list[str]:
    """The addresses the emulator at ``url`` holds, read through lemlist's own listing."""
    request = urllib.request.Request(
        f"{url}/user/channels",
        headers={"Authorization": "Basic OmVtdWxhdG9yLWRldi1rZXk="},  # ":emulator-dev-key"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        listing = json.load(answer)
    return sorted(a["email"] for a in listing["email"]["accounts"])


def test_scripts_pulumi_up_preview_refresh_destroy(checkout: Path) -> None:
    up = _run(checkout, "up", "--yes")
    assert "starting the lemlist emulator" in up.stdout + up.stderr
    assert "+ 4 created" in up.stdout, up.stdout
    # The default team's two; support is globex's (its own key lists it).
    assert _emulator_accounts(checkout) == DEV_SENDERS[:2]
    _run(checkout, "preview", "--expect-no-changes")
    _run(checkout, "refresh", "--yes")
    destroy = _run(checkout, "destroy", "--yes")
    assert "deleted" in destroy.stdout
    assert _emulator_accounts(checkout) == []


def test_two_checkouts_run_their_dev_stacks_side_by_side(tmp_path: Path) -> None:
    """``./scripts/pulumi up`` in two checkouts on one machine (issue 25): both prefer the
    same port; the second finds the first's emulator there, says whose it is, and starts its
    own on another port, so each dev stack lives in its own emulator."""
    require_cli()
    port = _free_port()
    first = make_checkout(tmp_path / "first", port)
    second = make_checkout(tmp_path / "second", port)
    try:
        _run(first, "up", "--yes")
        up = _run(second, "up", "--yes")
        said = up.stdout + up.stderr
        assert f"is another checkout's ({first}" in said, said
        assert "so this checkout's dev emulator uses" in said, said
        assert "+ 4 created" in up.stdout, up.stdout
        moved = int((second / ".emulator" / "port").read_text())
        assert moved != port
        assert _emulator_accounts(first) == _emulator_accounts(second) == DEV_SENDERS[:2]
        # The second keeps its port: the next command reuses its own emulator.
        again = _run(second, "preview", "--expect-no-changes")
        assert "starting the lemlist emulator" not in again.stdout + again.stderr
        _run(first, "destroy", "--yes")
        assert _emulator_accounts(first) == []
        assert _emulator_accounts(second) == DEV_SENDERS[:2]
        _run(second, "destroy", "--yes")
    finally:
        stop_emulator(first)
        stop_emulator(second)
