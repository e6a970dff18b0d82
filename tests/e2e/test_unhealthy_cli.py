"""A mailbox lemlist reports broken, under the real CLI, outside any policy: the refresh warns
with lemlist's words, and the advice those words give works: ``pulumi destroy --target`` on
it, then ``pulumi up`` (not ``pulumi up --replace``, which the engine makes create-first
without asking the provider, and lemlist refuses a second mailbox of the same address)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY, assert_no_credentials
from tests.e2e.cli import new_project
from tests.e2e.test_engine import program

pytestmark = pytest.mark.e2e

ALICE = "urn:pulumi:e2e::lemlist-e2e::pulumi-python:dynamic/lemlist:EmailAccount::alice"


def test_a_broken_mailbox_is_reported_and_its_advice_works(
    tmp_path: Path, emulator: Emulator
) -> None:
    emulator.reset()
    env = {"LEMLIST_API_KEY": API_KEY, "LEMLIST_API_URL": emulator.url}
    project = new_project(tmp_path, program(), **env)
    project.init("e2e")
    project.pulumi("up", "--yes")
    (broken,) = [a["id"] for a in emulator.accounts()]
    emulator.set_status(broken, "ERROR")

    refresh = project.pulumi("refresh", "--yes")  # plain: the engine configures from state
    said = refresh.stdout + refresh.stderr
    assert "Refreshed resource is in an unhealthy state" in said, said
    assert "`pulumi destroy --target` on its URN" in said
    assert_no_credentials(said)
    # The partial failure carries the outputs, passwords included, as a Read's answer does:
    # the engine marks them secret again (annotateSecrets, provider_plugin.go) on this path too.
    state = project.pulumi("stack", "export").stdout
    assert "initErrors" in state
    assert_no_credentials(state)
    plan = project.pulumi("preview", "--expect-no-changes", check=False)
    assert plan.returncode != 0 and "alice update" in plan.stdout, plan.stdout

    forced = project.pulumi("up", "--yes", "--replace", ALICE, check=False)  # not the advice
    assert forced.returncode != 0 and "This SMTP mailbox already exists" in forced.stdout
    assert [a["id"] for a in emulator.accounts()] == [broken]  # nothing changed

    emulator.clear_log()
    project.pulumi("destroy", "--yes", "--target", ALICE)
    project.pulumi("up", "--yes")
    done = [r.operation for r in emulator.request_log() if r.operation in ("connect", "disconnect")]
    assert done == ["disconnect", "connect"]
    (fixed,) = emulator.accounts()
    assert fixed["id"] != broken and fixed["status"] == "CONNECTED"
    project.pulumi("preview", "--expect-no-changes")
