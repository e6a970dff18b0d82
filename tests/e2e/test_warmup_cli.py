"""lemwarm under the real CLI: ``pulumi refresh`` shows the deliverability score, and a
mailbox disconnected outside Pulumi (lemlist's ``400 mailbox-deleted`` on pause) destroys."""

from __future__ import annotations

from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY
from tests.e2e.cli import new_project
from tests.mailboxes import mailbox

pytestmark = pytest.mark.e2e

PROGRAM = f"""import pulumi
from lemlist_resource import EmailAccount, EmailAccountArgs, Warmup, WarmupArgs
alice = EmailAccount('alice', EmailAccountArgs(**{mailbox()!r}))
warm = Warmup('alice-lemwarm', WarmupArgs(mailbox_id=alice.id, warm_email_max=20))
pulumi.export('id', alice.id)
pulumi.export('score', warm.deliverability_score)
"""


def test_refresh_shows_the_score_and_a_deleted_mailbox_destroys(
    tmp_path: Path, emulator: Emulator
) -> None:
    emulator.reset()
    project = new_project(tmp_path, PROGRAM, LEMLIST_API_KEY=API_KEY, LEMLIST_API_URL=emulator.url)
    project.init("e2e")
    project.pulumi("up", "--yes")
    mailbox_id = project.outputs()["id"]
    checked = "2025-04-09T13:34:43.998Z"
    emulator.set_lemwarm(mailbox_id, deliverability={"score": 70, "lastAt": checked})
    project.pulumi("refresh", "--yes")
    warmups = [
        r for r in project.export()["deployment"]["resources"] if r["urn"].endswith("alice-lemwarm")
    ]
    assert warmups[0]["outputs"]["deliverability_score"] == 70
    assert warmups[0]["outputs"]["deliverability_checked_at"] == checked
    assert emulator.disconnect(mailbox_id)
    project.pulumi("destroy", "--yes")  # pause: 400 mailbox-deleted, taken for done
    assert emulator.accounts() == []
    left = project.export()["deployment"].get("resources") or []
    assert not [r for r in left if "lemlist" in r["type"]]
