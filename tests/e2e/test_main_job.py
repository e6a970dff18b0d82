"""The main job under the real Pulumi CLI: the repository's program on a copy of the dev stack.

The project's ``Pulumi.yaml``, ``__main__.py`` and ``stacks/Pulumi.dev.yaml`` (its secrets and
second team included) are copied to a scratch directory, the stack's ``lemlist:apiUrl`` pointed
at an emulator with the dev keys (as ``scripts/pulumi`` starts it), and driven with the real
CLI: up, a no-op preview, one sender changed (exactly its replacement), a team move
(create-first), refresh after a mailbox is disconnected outside Pulumi, destroy.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lemlist_emulator import Emulator
from tests.e2e.cli import ROOT, Project, require_cli
from tests.inventory.helpers import DEV_PASSPHRASE
from tests.program_host import decrypted_stack_config

pytestmark = pytest.mark.e2e

DEV_KEY = "emulator-dev-key"  # scripts/pulumi's
DEV_TEAMS = {"globex": "emulator-globex-key"}  # the stack's lemlist:teams
DEV_SENDERS = {"alice@dev.example.com", "bob@dev.example.com", "support@dev.example.com"}
BOB = "urn:pulumi:dev::lemlist-senders::pulumi-python:dynamic/lemlist:EmailAccount::bob"
ALICE = BOB.replace("::bob", "::alice")


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[tuple[Project, Emulator]]:
    require_cli()
    with Emulator(api_keys={DEV_KEY: "team_1"}, teams=DEV_TEAMS) as emulator:
        project = tmp_path / "project"
        (project / "stacks").mkdir(parents=True)
        shutil.copy(ROOT / "__main__.py", project)
        shutil.copy(ROOT / "Pulumi.yaml", project)
        shutil.copy(ROOT / "stacks" / "Pulumi.dev.yaml", project / "stacks")
        backend = tmp_path / "state"
        backend.mkdir()
        # What scripts/pulumi exports for dev: the emulator's key and this emulator's URL.
        env = {"LEMLIST_API_KEY": DEV_KEY, "LEMLIST_API_URL": emulator.url}
        dev = Project(project, backend, DEV_PASSPHRASE, env)
        # The project's virtualenv is .venv, relative: this test's own stands in for it.
        (project / ".venv").symlink_to(Path(__import__("sys").executable).parent.parent)
        dev.init("dev")
        yield dev, emulator


def steps(project: Project) -> list[tuple[str, str]]:
    """(op, urn) of every change ``pulumi preview --json`` plans."""
    plan = json.loads(project.pulumi("preview", "--json").stdout)
    return [(s["op"], s["urn"]) for s in plan.get("steps", []) if s["op"] != "same"]


def writes(emulator: Emulator) -> list[str]:
    """The connects and disconnects the emulator served since the last call, in order."""
    done = [r.operation for r in emulator.request_log() if r.operation in ("connect", "disconnect")]
    emulator.clear_log()
    return [op for op in done if op is not None]


def test_up_preview_change_move_refresh_destroy(dev: tuple[Project, Emulator]) -> None:
    project, emulator = dev
    up = project.pulumi("up", "--yes")
    assert "+ 4 created" in up.stdout, up.stdout
    accounts = {a["sender_email"]: a for a in emulator.accounts()}
    assert set(accounts) == DEV_SENDERS
    assert accounts["support@dev.example.com"]["team"] == "globex"  # globex's key
    assert accounts["alice@dev.example.com"]["team"] == emulator.default_team
    senders = project.outputs()["senders"]
    assert {v["id"] for v in senders.values()} == {a["id"] for a in accounts.values()}

    project.pulumi("preview", "--expect-no-changes")
    _assert_no_plaintext_secrets(project)

    # One sender changed: exactly its replacement (same address: delete first).
    project.pulumi("config", "set", "--path", "lemlist-senders:senders.bob.smtp_port", "465")
    project.pulumi("config", "set", "--path", "lemlist-senders:senders.bob.smtp_secure", "true")
    assert steps(project) == [("replace", BOB)]
    diff = project.pulumi("preview", "--diff").stdout
    assert "+-pulumi-python:dynamic/lemlist:EmailAccount: (replace)" in diff, diff
    assert diff.count("(replace)") == 1 and "[urn=" + BOB in diff, diff
    emulator.clear_log()
    project.pulumi("up", "--yes")
    assert writes(emulator) == ["disconnect", "connect"]  # the same address: delete first
    assert len(emulator.accounts()) == 3

    # A team move: create-first (the new team's mailbox, then the old one's disconnect).
    project.pulumi("config", "set", "--path", "lemlist-senders:senders.alice.team", "globex")
    assert steps(project) == [("replace", ALICE)]
    project.pulumi("up", "--yes")
    assert writes(emulator) == ["connect", "disconnect"]  # create-first
    alice = [a for a in emulator.accounts() if a["sender_email"] == "alice@dev.example.com"]
    assert [a["team"] for a in alice] == ["globex"]

    # Disconnected outside Pulumi: refresh drops it, and the next up connects it again.
    assert emulator.disconnect(alice[0]["id"])
    project.pulumi("refresh", "--yes")
    assert steps(project) == [("create", ALICE)]
    project.pulumi("up", "--yes")
    assert len(emulator.accounts()) == 3

    project.pulumi("destroy", "--yes")
    assert emulator.accounts() == []


def test_a_program_error_is_printed_once(dev: tuple[Project, Emulator]) -> None:
    """The bundled program refuses a stack file with an unknown sender field: the sentence
    reaches the user once, as Pulumi's own language hosts report a program's error, not a
    second time as "an unhandled error occurred" (scripts/pulumi_inline.py, issue 25)."""
    project, emulator = dev
    project.pulumi("config", "set", "--path", "lemlist-senders:senders.bob.frobnicate", "1")
    preview = project.pulumi("preview", check=False)
    said = preview.stdout + preview.stderr
    assert preview.returncode != 0, said
    assert said.count("frobnicate: is not an EmailAccount field") == 1, said
    assert "an unhandled error occurred" not in said, said
    assert "Traceback" not in said, said
    assert emulator.accounts() == []


def _assert_no_plaintext_secrets(project: Project) -> None:
    state = json.dumps(project.export())
    config, _ = decrypted_stack_config(project.dir / "stacks" / "Pulumi.dev.yaml", DEV_PASSPHRASE)
    for password in _leaves(json.loads(config["lemlist-senders:passwords"])):
        assert password not in state, "a password reached the exported state in clear"
    for key in (DEV_KEY, *DEV_TEAMS.values()):
        assert key not in state, "an API key reached the exported state"


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [str(value)]
