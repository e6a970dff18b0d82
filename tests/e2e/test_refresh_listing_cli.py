"""Refresh from lemlist's listing under the real Pulumi CLI (issue 27): each ``pulumi refresh``
starts its own provider host, reads the team's listing once and tests no listed mailbox; a
refresh that finds nothing new changes nothing (``--expect-no-changes``); drift is still found:
a mailbox in ERROR (with lemlist's SMTP words), one disconnected outside Pulumi, one gone.
``verify_on_refresh`` brings the test back, one per mailbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY, MEMBERS, assert_no_credentials
from tests.e2e.cli import Project, new_project
from tests.mailboxes import mailbox

pytestmark = pytest.mark.e2e

TYPE = "pulumi-python:dynamic/lemlist:EmailAccount"
ERROR_SMTP = "smtp.errored-mail.com"  # the host of the mailbox whose password changed
TESTS = "/test"

PROGRAM = """import json
import pulumi
from lemlist_resource import EmailAccount, EmailAccountArgs
for name, inputs in json.load(open("senders.json")).items():
    for key in ("smtp_password", "imap_password"):
        inputs[key] = pulumi.Output.secret(inputs[key])
    EmailAccount(name, EmailAccountArgs(**inputs))
"""


def senders(**overrides: Any) -> dict[str, dict[str, Any]]:
    """Five senders; ``m0`` on a mail host of its own (its password will change)."""
    found = {
        f"m{i}": mailbox(
            sender_email=f"m{i}@acme-mail.com",
            smtp_login=f"m{i}@acme-mail.com",
            imap_login=f"m{i}@acme-mail.com",
            **overrides,
        )
        for i in range(5)
    }
    found["m0"]["smtp_host"] = ERROR_SMTP
    return found


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[tuple[Project, Emulator]]:
    """Five senders up, on an emulator of their own (its request log is this test's)."""
    with Emulator(api_keys={API_KEY: "team_1"}, members=MEMBERS) as emulator:
        project = new_project(
            tmp_path, PROGRAM, LEMLIST_API_KEY=API_KEY, LEMLIST_API_URL=emulator.url
        )
        (project.dir / "senders.json").write_text(json.dumps(senders()))
        project.init("e2e")
        project.pulumi("up", "--yes", "--skip-preview")
        yield project, emulator


def outputs(project: Project) -> dict[str, dict[str, Any]]:
    """Each EmailAccount's id and outputs in the stack's state, by resource name; secrets
    left out (their ciphertext changes each time the state is written)."""
    resources = project.export()["deployment"]["resources"]
    return {
        r["urn"].rsplit("::", 1)[1]: {
            "id": r["id"],
            **{
                k: v
                for k, v in r["outputs"].items()
                if not (isinstance(v, dict) and "ciphertext" in v)
            },
        }
        for r in resources
        if r["type"] == TYPE
    }


def refresh(project: Project, emulator: Emulator, *flags: str) -> str:
    emulator.clear_log()
    done = project.pulumi("refresh", "--yes", "--skip-preview", *flags)
    assert_no_credentials(done.stdout + done.stderr)
    return done.stdout


def test_refresh_reads_the_listing_and_still_finds_drift(
    fleet: tuple[Project, Emulator],
) -> None:
    project, emulator = fleet
    checked = {name: outs["checked_at"] for name, outs in outputs(project).items()}

    refresh(project, emulator)  # the first refresh reads the status
    assert len(emulator.request_log()) == 1 + len(MEMBERS)  # GET /team, GET /users/{id} each
    assert emulator.count(path=TESTS) == 0
    first = outputs(project)
    assert {o["status"] for o in first.values()} == {"CONNECTED"}
    assert {n: o["checked_at"] for n, o in first.items()} == checked  # the last test's

    refresh(project, emulator, "--expect-no-changes")  # nothing new: no change, no timestamp
    assert outputs(project) == first

    ids = {name: outs["id"] for name, outs in first.items()}
    emulator.set_status(ids["m0"], "ERROR")  # its password changed
    emulator.fail_check(ERROR_SMTP, "smtp", "535 5.7.8 Authentication failed")
    emulator.set_status(ids["m1"], "DISCONNECTED")  # disconnected outside Pulumi
    assert emulator.disconnect(ids["m2"])  # deleted outside Pulumi
    refresh(project, emulator)
    now = outputs(project)
    assert set(now) == {"m0", "m1", "m3", "m4"}  # m2 is gone: lemlist's 404
    assert now["m0"]["status"] == "ERROR" and now["m0"]["smtp_ok"] is False
    assert "SMTP: 535 5.7.8 Authentication failed" in now["m0"]["status_message"]
    assert now["m1"]["status"] == "DISCONNECTED"
    assert "pulumi destroy --target" in now["m1"]["status_message"]
    assert now["m1"]["checked_at"] == checked["m1"]  # read from the listing alone
    assert emulator.count(path=TESTS) == 2  # m0 (lemlist's reason) and m2 (gone?), no other
    assert {r.path.split("/")[-2] for r in emulator.request_log() if r.path.endswith(TESTS)} == {
        ids["m0"], ids["m2"],
    }


def test_verify_on_refresh_tests_each_mailbox(fleet: tuple[Project, Emulator]) -> None:
    project, emulator = fleet
    (project.dir / "senders.json").write_text(json.dumps(senders(verify_on_refresh=True)))
    up = project.pulumi("up", "--yes", "--skip-preview")
    assert "5 updated" in up.stdout, up.stdout  # in place: nothing replaced, nothing connected
    assert len(emulator.accounts()) == 5
    refresh(project, emulator)
    assert emulator.count(path=TESTS) == 5
    assert all(o["verify_on_refresh"] is True for o in outputs(project).values())
