"""One mailbox, one owner, under the real CLI and without the policy pack (issue 29, item 5):
two EmailAccounts adopting one mailbox id stop ``pulumi preview`` and ``pulumi up`` in the
provider's check, naming both resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY, assert_no_credentials
from tests.e2e.cli import new_project
from tests.e2e.test_engine import program
from tests.mailboxes import mailbox

pytestmark = pytest.mark.e2e


def test_two_resources_adopting_one_mailbox_are_refused_naming_both(
    tmp_path: Path, emulator: Emulator
) -> None:
    emulator.reset()
    existing = emulator.connect(**mailbox())
    alice = program(adopt_id=existing)
    bob = alice.split("\n")[2].replace("alice = EmailAccount('alice'", "bob = EmailAccount('bob'")
    project = new_project(
        tmp_path, alice + bob + "\n", LEMLIST_API_KEY=API_KEY, LEMLIST_API_URL=emulator.url
    )
    project.init("e2e")
    for command in (("preview",), ("up", "--yes")):
        done = project.pulumi(*command, check=False)
        out = done.stdout + done.stderr
        assert done.returncode != 0, out
        assert existing in out and "one mailbox has one owner" in out, out
        assert "EmailAccount::alice" in out and "EmailAccount::bob" in out, out
        assert "Traceback" not in out
        assert_no_credentials(out)
    assert [a["id"] for a in emulator.accounts()] == [existing]

