"""A prod password rotation through docs/gitops.md's two reviewed steps, under the real CLI
with the policy pack on (issue 25, item 2).

The repository's program on a copy of the dev stack, named ``prod`` (so
``lemlist-production-protect`` applies) and protected. Before, the documented way
(``protect: false`` in the same pull request) failed its own preview with the policy pack.
Now: step 1 adds ``release`` (the policy honours it, nothing changes in lemlist, the state
unprotects the sender); step 2 sets the new password and removes ``release``: a preview with
the pack passes, the mailbox is replaced, and the new one is protected again.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.rules.release import today
from tests.e2e.cli import ROOT, Project, policy_pack, require_cli
from tests.inventory.helpers import DEV_PASSPHRASE

pytestmark = pytest.mark.e2e

DEV_KEY = "emulator-dev-key"
DEV_TEAMS = {"globex": "emulator-globex-key"}
BOB = "urn:pulumi:prod::lemlist-senders::pulumi-python:dynamic/lemlist:EmailAccount::bob"
NEW_PASSWORD = "bob-rotated-pw-5e2c91"



def prod_project(tmp_path: Path, emulator: Emulator) -> Project:
    """The program on the dev stack's senders, as stack ``prod``, every sender protected."""
    require_cli()
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "__main__.py", project)
    shutil.copy(ROOT / "Pulumi.yaml", project)
    stack = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
    stack = stack.replace("lemlist-senders:protect: false", "lemlist-senders:protect: true")
    (project / "stacks" / "Pulumi.prod.yaml").write_text(stack)
    (project / ".venv").symlink_to(Path(sys.executable).parent.parent)
    backend = tmp_path / "state"
    backend.mkdir()
    env = {"LEMLIST_API_KEY": DEV_KEY, "LEMLIST_API_URL": emulator.url}
    made = Project(project, backend, DEV_PASSPHRASE, env)
    made.init("prod")
    return made


@pytest.fixture
def prod(tmp_path: Path) -> Iterator[tuple[Project, Emulator, str]]:
    with Emulator(api_keys={DEV_KEY: "team_1"}, teams=DEV_TEAMS) as emulator:
        yield prod_project(tmp_path, emulator), emulator, str(policy_pack(tmp_path))


def protected(project: Project, urn: str) -> bool:
    resources = project.export()["deployment"]["resources"]
    return bool(next(r for r in resources if r["urn"] == urn).get("protect"))


def rotate_through_review(project: Project, emulator: Emulator, pack: str) -> None:
    """docs/gitops.md, "Changing or removing a protected (prod) sender", both steps, each
    previewed with the policy pack (the pull request) and applied (the merge)."""
    bob = next(a for a in emulator.accounts() if a["sender_email"] == "bob@dev.example.com")
    until = (today() + timedelta(days=7)).isoformat()

    # Step 1: release bob; nothing changes in lemlist, the state unprotects it.
    project.pulumi(
        "config", "set", "--path", "lemlist-senders:senders.bob.release",
        f"{until} OPS-42 rotate bob's password",
    )
    project.pulumi("preview", "--policy-pack", pack)
    project.pulumi("up", "--yes", "--policy-pack", pack)
    assert not protected(project, BOB)
    assert bob in emulator.accounts()

    # Step 2: the new password, release removed: replaced, and protected again.
    project.pulumi("config", "set", "--secret", "--path", "lemlist-senders:passwords.bob",
                   NEW_PASSWORD)
    project.pulumi("config", "rm", "--path", "lemlist-senders:senders.bob.release")
    plan = json.loads(project.pulumi("preview", "--json", "--policy-pack", pack).stdout)
    assert [(s["op"], s["urn"]) for s in plan["steps"] if s["op"] != "same"] == [
        ("replace", BOB)
    ]
    project.pulumi("up", "--yes", "--policy-pack", pack)
    assert protected(project, BOB)
    after = next(a for a in emulator.accounts() if a["sender_email"] == "bob@dev.example.com")
    assert after["id"] != bob["id"]


def test_a_prod_password_rotation_passes_review_and_ends_protected(
    prod: tuple[Project, Emulator, str],
) -> None:
    project, emulator, pack = prod
    project.pulumi("up", "--yes", "--policy-pack", pack)
    assert protected(project, BOB)

    # Before: the documented `protect: false` in the same change fails its own preview.
    project.pulumi("config", "set", "--path", "lemlist-senders:senders.bob.protect", "false")
    refused = project.pulumi("preview", "--policy-pack", pack, check=False)
    assert refused.returncode != 0
    assert "lemlist-production-protect" in refused.stdout, refused.stdout
    assert "release: <YYYY-MM-DD> <reason>" in refused.stdout
    project.pulumi("config", "rm", "--path", "lemlist-senders:senders.bob.protect")

    rotate_through_review(project, emulator, pack)
    assert NEW_PASSWORD not in json.dumps(project.export())
