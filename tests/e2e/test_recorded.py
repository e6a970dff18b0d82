"""What the real engine sends the provider host at each step, recorded and held as golden.

One mailbox goes through every step the project relies on, under the real CLI, with the
recording host (tests/engine_record.py) in place of the SDK's: a preview, a create, an
unchanged up, an in-place update, a delete-first replacement, a create-first replacement, a
refresh and a destroy. What the host received is compared with tests/engine_requests.json,
which tests/test_engine_recorded.py holds the engine model (tests/harness.py) to. To record
anew after a Pulumi upgrade: ``LEMLIST_RECORD_UPDATE=1 pytest tests/e2e/test_recorded.py``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY
from tests.e2e.cli import ROOT, Project, new_project
from tests.recorded_steps import GOLDEN, SCENARIO, read_records

pytestmark = pytest.mark.e2e

PROGRAM = """import json
import pulumi
from lemlist_resource import EmailAccount, EmailAccountArgs
inputs = json.load(open("inputs.json"))
for key in ("smtp_password", "imap_password"):
    inputs[key] = pulumi.Output.secret(inputs[key])
EmailAccount("alice", EmailAccountArgs(**inputs))
"""


def _recording_plugin(tmp_path: Path, record: Path) -> Path:
    """A directory with a pulumi-resource-pulumi-python that starts the recording host."""
    plugins = tmp_path / "recording-plugin"
    plugins.mkdir()
    script = plugins / "pulumi-resource-pulumi-python"
    script.write_text(
        f"#!/bin/sh\nexport PYTHONPATH={ROOT} LEMLIST_RECORD={record}\n"
        f'exec {sys.executable} -u -m tests.engine_record "$@"\n'
    )
    script.chmod(0o755)
    return plugins


def test_the_engine_sends_what_tests_engine_requests_json_says(
    tmp_path: Path, emulator: Emulator
) -> None:
    emulator.reset()
    record = tmp_path / "record.jsonl"
    project: Project = new_project(tmp_path, PROGRAM)
    project.init("e2e")
    project.pulumi("config", "set", "lemlist:apiUrl", emulator.url)
    project.pulumi("config", "set", "--secret", "lemlist:apiKey", API_KEY)
    plugins = _recording_plugin(tmp_path, record)
    path = project.environ()["PATH"]
    project.env["PATH"] = os.pathsep.join([path.split(os.pathsep)[0], str(plugins), path])

    recorded: dict[str, list[dict[str, Any]]] = {}
    for step, inputs, command in SCENARIO:
        (project.dir / "inputs.json").write_text(json.dumps(inputs))
        record.unlink(missing_ok=True)
        project.pulumi(*command)
        recorded[step] = read_records(record)
    assert emulator.accounts() == []

    if os.environ.get("LEMLIST_RECORD_UPDATE"):
        GOLDEN.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text())
    for step in recorded:
        assert recorded[step] == golden[step], f"the engine now sends other requests at {step}"
