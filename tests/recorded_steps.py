"""The scenario whose provider requests tests/engine_requests.json records (issue 17).

Shared by the real-engine recording (tests/e2e/test_recorded.py) and the engine model's
(tests/test_engine_recorded.py), so both walk the same steps with the same inputs.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from lemlist_resource import EmailAccountArgs
from tests.mailboxes import mailbox

GOLDEN = Path(__file__).with_name("engine_requests.json")

_V1 = mailbox(imap_secure=True)
_V2 = {**_V1, "verify_connection": False}  # in place
_V3 = {**_V2, "smtp_port": 465, "smtp_secure": True}  # same address: delete first
_V4 = {**_V3, "sender_email": "alice.m@acme-mail.com"}  # new address: create first

#: (step, the program's inputs, the pulumi command); ``up`` skips its preview so each
#: step's requests are the update's alone.
SCENARIO: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("preview-create", _V1, ("preview",)),
    ("up-create", _V1, ("up", "--yes", "--skip-preview")),
    ("up-same", _V1, ("up", "--yes", "--skip-preview")),
    ("preview-update", _V2, ("preview",)),
    ("up-update", _V2, ("up", "--yes", "--skip-preview")),
    ("preview-replace-delete-first", _V3, ("preview",)),
    ("up-replace-delete-first", _V3, ("up", "--yes", "--skip-preview")),
    ("up-replace-create-first", _V4, ("up", "--yes", "--skip-preview")),
    ("refresh", _V4, ("refresh", "--yes", "--skip-preview")),
    ("destroy", _V4, ("destroy", "--yes", "--skip-preview")),
]


def program_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """What ``EmailAccount(name, EmailAccountArgs(**inputs))`` registers: every field, with
    the args' defaults (a ``None`` is not sent), as the engine model must send it too."""
    args = EmailAccountArgs(**inputs)
    return {k: v for k, v in dataclasses.asdict(args).items() if v is not None}


def read_records(path: Path) -> list[dict[str, Any]]:
    """The requests a recording host wrote, in order."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
