"""The README's main command, for real: ``./scripts/pulumi up`` and its siblings on a copy of
the repository, with the real CLI (found or built as scripts/pulumi_cli.py decides), the
emulator the script starts itself, and the three dev mailboxes connected."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cli import free_port, make_checkout, require_cli, run_wrapper, stop_emulator

pytestmark = pytest.mark.e2e

DEV_SENDERS = ["alice@dev.example.com", "bob@dev.example.com", "support@dev.example.com"]


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    """One checkout (:func:`make_checkout`) on a free port."""
    require_cli()
    copy = make_checkout(tmp_path / "repo", free_port())
    try:
        yield copy
    finally:
        stop_emulator(copy)


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
    up = run_wrapper(checkout, "up", "--yes")
    assert "starting the lemlist emulator" in up.stdout + up.stderr
    assert "+ 4 created" in up.stdout, up.stdout
    # The default team's two; support is globex's (its own key lists it).
    assert _emulator_accounts(checkout) == DEV_SENDERS[:2]
    run_wrapper(checkout, "preview", "--expect-no-changes")
    run_wrapper(checkout, "refresh", "--yes")
    destroy = run_wrapper(checkout, "destroy", "--yes")
    assert "deleted" in destroy.stdout
    assert _emulator_accounts(checkout) == []


def test_two_checkouts_run_their_dev_stacks_side_by_side(tmp_path: Path) -> None:
    """``./scripts/pulumi up`` in two checkouts on one machine (issue 25): both prefer the
    same port; the second finds the first's emulator there, says whose it is, and starts its
    own on another port, so each dev stack lives in its own emulator."""
    require_cli()
    port = free_port()
    first = make_checkout(tmp_path / "first", port)
    second = make_checkout(tmp_path / "second", port)
    try:
        run_wrapper(first, "up", "--yes")
        up = run_wrapper(second, "up", "--yes")
        said = up.stdout + up.stderr
        assert f"is another checkout's ({first}" in said, said
        assert "so this checkout's dev emulator uses" in said, said
        assert "+ 4 created" in up.stdout, up.stdout
        moved = int((second / ".emulator" / "port").read_text())
        assert moved != port
        assert _emulator_accounts(first) == _emulator_accounts(second) == DEV_SENDERS[:2]
        # The second keeps its port: the next command reuses its own emulator.
        again = run_wrapper(second, "preview", "--expect-no-changes")
        assert "starting the lemlist emulator" not in again.stdout + again.stderr
        run_wrapper(first, "destroy", "--yes")
        assert _emulator_accounts(first) == []
        assert _emulator_accounts(second) == DEV_SENDERS[:2]
        run_wrapper(second, "destroy", "--yes")
    finally:
        stop_emulator(first)
        stop_emulator(second)
