"""The main job itself through the Pulumi CLI: the repository's program on the dev stack.

A ``LocalWorkspace`` on the repository root (its ``Pulumi.yaml``, ``__main__.py`` and the dev
stack's own configuration in ``stacks/``), on a scratch file backend, against an emulator on
the dev stack's address (127.0.0.1:8787) with the dev key, as ``scripts/pulumi`` provides
them: ``up``, ``preview`` (no changes), ``refresh``, ``destroy``. It runs wherever a CLI is
found (PATH or ``.pulumi-cli``) and skips otherwise, saying why.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lemlist_emulator import Emulator
from tests.e2e.cli import ROOT, SKIP_REASON, cli_path_env, cli_root
from tests.inventory.helpers import DEV_PASSPHRASE
from tests.program_host import decrypted_stack_config

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(cli_root() is None, reason=SKIP_REASON)]

auto = pytest.importorskip("pulumi.automation")

DEV_KEY = "emulator-dev-key"  # scripts/pulumi's
DEV_TEAMS = {"globex": "emulator-globex-key"}  # scripts/pulumi's (the stack's lemlist:teams)
DEV_PORT = 8787  # stacks/Pulumi.dev.yaml's lemlist:apiUrl
DEV_SENDERS = {"alice@dev.example.com", "bob@dev.example.com", "support@dev.example.com"}


@pytest.fixture
def dev_emulator() -> Iterator[Emulator]:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", DEV_PORT)) == 0:
            pytest.skip(f"port {DEV_PORT} is in use (a dev emulator of scripts/pulumi?): stop it")
    with Emulator(api_keys={DEV_KEY: "team_1"}, teams=DEV_TEAMS, port=DEV_PORT) as emu:
        yield emu


@pytest.fixture
def dev_stack(tmp_path: Path, dev_emulator: Emulator) -> Iterator[Any]:
    stack_file = ROOT / "stacks" / "Pulumi.dev.yaml"
    before = stack_file.read_text()
    backend = tmp_path / "state"
    backend.mkdir()
    env = {
        "PULUMI_BACKEND_URL": f"file://{backend}",
        "PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE,
        "LEMLIST_API_KEY": DEV_KEY,
        "PATH": str(Path(sys.executable).parent) + ":" + cli_path_env(),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(ROOT),
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(cli_root())),
    )
    stack = auto.create_or_select_stack("dev", work_dir=str(ROOT), opts=opts)
    try:
        yield stack
    finally:
        stack.destroy()
        stack.workspace.remove_stack("dev")
        after = stack_file.read_text()
        stack_file.write_text(before)
        assert after == before, "the run changed stacks/Pulumi.dev.yaml"


def test_dev_stack_up_preview_refresh_destroy(dev_stack: Any, dev_emulator: Emulator) -> None:
    up = dev_stack.up()
    assert up.summary.resource_changes.get("create") == 3
    assert {a["sender_email"] for a in dev_emulator.accounts()} == DEV_SENDERS
    teams = {a["sender_email"]: a["team"] for a in dev_emulator.accounts()}
    assert teams["support@dev.example.com"] == "globex"  # connected with globex's key
    assert teams["alice@dev.example.com"] == dev_emulator.default_team
    senders = up.outputs["senders"].value
    assert {v["id"] for v in senders.values()} == {a["id"] for a in dev_emulator.accounts()}

    preview = dev_stack.preview()
    assert set(preview.change_summary) <= {"same"}, preview.change_summary

    state = json.dumps(dev_stack.export_stack().deployment)
    config, _ = decrypted_stack_config(ROOT / "stacks" / "Pulumi.dev.yaml", DEV_PASSPHRASE)
    for password in _leaves(json.loads(config["lemlist-senders:passwords"])):
        assert password not in state, "a password reached the state file in clear"
    assert DEV_KEY not in state
    assert all(key not in state for key in DEV_TEAMS.values())

    refresh = dev_stack.refresh()
    assert refresh.summary.result == "succeeded"
    assert len(dev_emulator.accounts()) == 3

    dev_stack.destroy()
    assert dev_emulator.accounts() == []


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [str(value)]
