"""What the project claims about the Pulumi engine, re-proved under the real CLI: adoption,
``import_`` and ``pulumi import`` (failing as docs/resource.md says), ``protect``, secrets in
the exported state, and the policy pack in a real preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY, CREDENTIALS, assert_no_credentials
from tests.e2e.cli import Project, new_project, policy_pack, serve_program
from tests.mailboxes import mailbox

pytestmark = pytest.mark.e2e

TYPE = "pulumi-python:dynamic/lemlist:EmailAccount"


def program(options: str = "", **overrides: object) -> str:
    """A program with one EmailAccount, ``alice``: the suite's mailbox with ``overrides``."""
    secret = ("smtp_password", "imap_password")
    body = "{" + ", ".join(
        f"{k!r}: pulumi.Output.secret({v!r})" if k in secret else f"{k!r}: {v!r}"
        for k, v in mailbox(**overrides).items()
    ) + "}"
    return (
        "import pulumi\n"
        "from lemlist_resource import EmailAccount, EmailAccountArgs\n"
        f"alice = EmailAccount('alice', EmailAccountArgs(**{body}), "
        f"opts=pulumi.ResourceOptions({options}))\n"
        "pulumi.export('id', alice.id)\n"
    )


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator) -> Project:
    emulator.reset()
    made = new_project(tmp_path, program(), LEMLIST_API_KEY=API_KEY, LEMLIST_API_URL=emulator.url)
    made.init("e2e")
    return made


def test_adopt_id_adopts_a_connected_mailbox_and_connects_nothing(
    project: Project, emulator: Emulator
) -> None:
    existing = emulator.connect(**mailbox())
    (project.dir / "__main__.py").write_text(program(adopt_id=existing))
    project.pulumi("up", "--yes")
    assert [a["id"] for a in emulator.accounts()] == [existing]
    assert emulator.count(method="POST", path="/user/email-accounts") == 1  # the one above
    assert emulator.count(method="POST", path="/test") == 1  # adoption verified the id
    assert project.outputs()["id"] == existing
    project.pulumi("preview", "--expect-no-changes")


def test_import_option_fails_as_documented_and_connects_nothing(
    project: Project, emulator: Emulator
) -> None:
    existing = emulator.connect(**mailbox())
    (project.dir / "__main__.py").write_text(program(options=f"import_={existing!r}"))
    done = project.pulumi("up", "--yes", check=False)
    assert done.returncode != 0
    assert "KeyError: '__provider'" in done.stdout, done.stdout
    assert [a["id"] for a in emulator.accounts()] == [existing]


def test_pulumi_import_fails_as_documented(project: Project, emulator: Emulator) -> None:
    """``pulumi import`` takes no ``--client``, and the Go build has no Python language host:
    the project names the SDK's language server as its runtime (``runtime: client``, which
    is what ``--client`` turns a project into: pkg/engine/plugins.go ProjectInfoContext)."""
    existing = emulator.connect(**mailbox())
    server, address = serve_program(lambda: None)
    (project.dir / "Pulumi.yaml").write_text(
        f"name: lemlist-e2e\nruntime:\n  name: client\n  options:\n    address: {address}\n"
    )
    try:
        done = project.pulumi(
            "import", TYPE, "alice", existing, "--yes", "--generate-code=false", check=False
        )
    finally:
        server.stop(0)
    assert done.returncode != 0
    assert "KeyError: '__provider'" in done.stdout + done.stderr, done.stdout + done.stderr
    assert [a["id"] for a in emulator.accounts()] == [existing]


def test_protect_blocks_destroy_and_secrets_stay_encrypted(
    project: Project, emulator: Emulator
) -> None:
    (project.dir / "__main__.py").write_text(program(options="protect=True"))
    project.pulumi("up", "--yes")
    state = json.dumps(project.export())
    assert_no_credentials(state)
    assert '"smtp_password": {' in state.replace(" ", "").replace('":{', '": {'), "not secret"

    done = project.pulumi("destroy", "--yes", check=False)
    assert done.returncode != 0
    assert "protected" in done.stdout + done.stderr, done.stdout
    assert len(emulator.accounts()) == 1, "a protected mailbox was disconnected"
    project.pulumi("state", "unprotect", "--all", "--yes")
    project.pulumi("destroy", "--yes")
    assert emulator.accounts() == []



def test_the_policy_pack_passes_a_good_stack_and_stops_a_bad_one(
    project: Project, tmp_path: Path
) -> None:
    pack = str(policy_pack(tmp_path))
    (project.dir / "__main__.py").write_text(program(imap_secure=True))
    good = project.pulumi("preview", "--policy-pack", pack)
    assert "lemlist-senders@v0.1.0" in good.stdout, good.stdout

    (project.dir / "__main__.py").write_text(program(imap_secure=True, smtp_port=25))
    bad = project.pulumi("preview", "--policy-pack", pack, check=False)
    assert bad.returncode != 0
    assert "mandatory" in bad.stdout and "smtp" in bad.stdout, bad.stdout
    for text in (good.stdout, bad.stdout, good.stderr, bad.stderr):
        assert all(c not in text for c in CREDENTIALS)
