"""End to end through the real Pulumi CLI (Automation API): up, preview, refresh, destroy.

Runs on a local file backend against the emulator. It needs a `pulumi` CLI (on PATH, or the
one ./scripts/pulumi installs into .pulumi-cli/) and skips, saying so, where there is none
(the CLI cannot be installed on this project's build machines).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY, IMAP_PASSWORD, SMTP_PASSWORD, mailbox
from tests.e2e.cli import SKIP_REASON, cli_path_env, cli_root

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(cli_root() is None, reason=SKIP_REASON),
]

auto = pytest.importorskip("pulumi.automation")


def program() -> None:
    import pulumi

    from lemlist_resource import EmailAccount, EmailAccountArgs

    account = EmailAccount("alice", EmailAccountArgs(**mailbox()))
    pulumi.export("alice", {"id": account.id, "email": account.email})


@pytest.fixture
def stack(tmp_path: Path, emulator: Emulator) -> Iterator[object]:
    emulator.reset()
    backend = tmp_path / "state"
    backend.mkdir()
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PULUMI_BACKEND_URL": f"file://{backend}",
        "PULUMI_CONFIG_PASSPHRASE": "e2e-only-passphrase",
        "LEMLIST_API_KEY": API_KEY,
        "LEMLIST_API_URL": emulator.url,
        "PATH": venv_bin + os.pathsep + cli_path_env(),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    ws_opts = auto.LocalWorkspaceOptions(
        work_dir=str(tmp_path),
        pulumi_command=auto.PulumiCommand(root=str(cli_root())),
        env_vars=env,
        project_settings=auto.ProjectSettings(name="lemlist-e2e", runtime="python"),
    )
    st = auto.create_or_select_stack("e2e", "lemlist-e2e", program=program, opts=ws_opts)
    yield st
    st.destroy()
    st.workspace.remove_stack("e2e")


def test_up_preview_refresh_destroy(stack: object, emulator: Emulator) -> None:
    st = stack  # type: ignore[assignment]
    up = st.up()  # type: ignore[attr-defined]
    account_id = up.outputs["alice"].value["id"]
    assert account_id.startswith("usm_")
    assert [a["id"] for a in emulator.accounts()] == [account_id]

    preview = st.preview()  # type: ignore[attr-defined]
    assert set(preview.change_summary) <= {"same"}

    state = json.dumps(st.export_stack().deployment)  # type: ignore[attr-defined]
    for credential in (API_KEY, SMTP_PASSWORD, IMAP_PASSWORD):
        assert credential not in state, "a credential reached the state file in clear"

    assert emulator.disconnect(account_id)
    st.refresh()  # type: ignore[attr-defined]
    resources = st.export_stack().deployment["resources"]  # type: ignore[attr-defined]
    assert not [r for r in resources if r.get("id") == account_id]

    again = st.up()  # type: ignore[attr-defined]
    assert again.summary.resource_changes.get("create") == 1
    assert len(emulator.accounts()) == 1

    st.destroy()  # type: ignore[attr-defined]
    assert emulator.accounts() == []
