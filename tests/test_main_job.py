"""The main job without the CLI: the real program, the dev stack's own config, the real host.

``__main__.py`` runs :func:`lemlist_resource.inventory.program.run`; here that program runs
under Pulumi mocks with ``stacks/Pulumi.dev.yaml``'s configuration (its secrets decrypted with
the stack's public passphrase), and every resource it declares goes through the provider
host against the emulator (:mod:`tests.program_host`). The only change to the stack's config
is ``lemlist:apiUrl``, pointed at this test's emulator; the default team's key comes from
the environment, as ``scripts/pulumi`` provides it; the second team's (``globex``) is the
stack's own, from ``lemlist:teams``, which the emulator knows as scripts/pulumi starts it.
"""

from __future__ import annotations

import hashlib
import json
import runpy
from collections.abc import Iterator
from typing import Any

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY, DEV_TEAM, assert_no_credentials
from tests.harness import Engine, ProviderHost
from tests.inventory.helpers import DEV_PASSPHRASE, ROOT, STACKS
from tests.program_host import decrypted_stack_config, run_program

SENDERS = "lemlist-senders:senders"
DEV_SENDERS = {"alice", "bob", "support"}


def main_program() -> None:
    """What the language host runs: the project's ``__main__.py``."""
    runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")


@pytest.fixture
def dev(emulator: Emulator) -> Iterator[tuple[Engine, dict[str, str], list[str]]]:
    emulator.reset()
    config, secret_keys = decrypted_stack_config(STACKS / "Pulumi.dev.yaml", DEV_PASSPHRASE)
    config["lemlist:apiUrl"] = emulator.url
    host = ProviderHost(env={"LEMLIST_API_KEY": API_KEY})
    try:
        host.configure(config, secret_keys=secret_keys)
        yield Engine(host), config, secret_keys
    finally:
        stderr = host.close()
        assert_no_credentials(stderr)
        for value in _passwords(config).values():
            assert value not in stderr


def _passwords(config: dict[str, str]) -> dict[str, str]:
    raw = json.loads(config["lemlist-senders:passwords"])
    out: dict[str, str] = {}
    for key, entry in raw.items():
        if isinstance(entry, dict):
            out[f"{key}.smtp"], out[f"{key}.imap"] = entry["smtp"], entry["imap"]
        else:
            out[f"{key}.smtp"] = out[f"{key}.imap"] = entry
    return out


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_dev_stack_up_connects_every_sender_then_plans_one_replacement(
    dev: tuple[Engine, dict[str, str], list[str]], emulator: Emulator
) -> None:
    engine, config, secret_keys = dev

    first = run_program(engine, main_program, config, secret_keys, stack="dev")
    assert first.operations == dict.fromkeys(DEV_SENDERS, "create")
    assert all({"smtp_password", "imap_password"} <= first.secret_inputs[k] for k in DEV_SENDERS)

    accounts = {a["sender_email"]: a for a in emulator.accounts()}
    assert set(accounts) == {f"{k}@dev.example.com" for k in DEV_SENDERS}
    teams = {email.split("@")[0]: a["team"] for email, a in accounts.items()}
    assert teams == {"alice": "team_1", "bob": "team_1", "support": DEV_TEAM}  # two teams
    assert {a["id"] for a in accounts.values()} == set(first.ids.values())
    passwords = _passwords(config)
    expected: dict[str, dict[str, Any]] = {
        "alice": {"smtp_host": "smtp.dev.example.com", "smtp_port": 587, "smtp_secure": False,
                  "imap_host": "imap.dev.example.com", "imap_port": 993, "imap_secure": True,
                  "smtp_login": "alice@dev.example.com", "sender_name": "Alice Martin"},
        "bob": {"smtp_login": "bob.stone", "imap_login": "bob.stone", "sender_name": "Bob Stone"},
        "support": {"smtp_host": "smtp.relay.example.net", "smtp_port": 465,
                    "smtp_secure": True, "imap_login": "support@dev.example.com"},
    }  # fmt: skip
    for key, fields in expected.items():
        account = accounts[f"{key}@dev.example.com"]
        assert {k: account[k] for k in fields} == fields, key
        assert account["smtp_password_sha256"] == _sha(passwords[f"{key}.smtp"])
        assert account["imap_password_sha256"] == _sha(passwords[f"{key}.imap"])
    assert passwords["bob.smtp"] != passwords["bob.imap"]

    # Unchanged config: nothing to do.
    again = run_program(engine, main_program, config, secret_keys, stack="dev", preview=True)
    assert again.operations == dict.fromkeys(DEV_SENDERS, "same")

    # One sender changed: exactly its replacement is planned, then done.
    senders = json.loads(config[SENDERS])
    senders["bob"]["smtp_host"] = "smtp.relay.example.net"
    changed = {**config, SENDERS: json.dumps(senders)}
    plan = run_program(engine, main_program, changed, secret_keys, stack="dev", preview=True)
    assert plan.operations == {"alice": "same", "bob": "delete-replace", "support": "same"}
    assert {a["id"] for a in emulator.accounts()} == set(first.ids.values()), "preview acted"

    done = run_program(engine, main_program, changed, secret_keys, stack="dev")
    assert done.operations == plan.operations
    after = {a["sender_email"]: a for a in emulator.accounts()}
    assert after["bob@dev.example.com"]["smtp_host"] == "smtp.relay.example.net"
    assert after["bob@dev.example.com"]["id"] != first.ids["bob"]
    assert after["alice@dev.example.com"]["id"] == first.ids["alice"]
    assert after["support@dev.example.com"]["id"] == first.ids["support"]

    engine.destroy()
    assert emulator.accounts() == []


def test_dev_stack_moves_a_sender_to_the_default_team_connecting_it_there_first(
    dev: tuple[Engine, dict[str, str], list[str]], emulator: Emulator
) -> None:
    engine, config, secret_keys = dev
    first = run_program(engine, main_program, config, secret_keys, stack="dev")
    senders = json.loads(config[SENDERS])
    del senders["support"]["team"]  # globex -> the default team, same address
    moved = {**config, SENDERS: json.dumps(senders)}

    plan = run_program(engine, main_program, moved, secret_keys, stack="dev", preview=True)
    assert plan.operations == {"alice": "same", "bob": "same", "support": "replace"}

    engine.log.clear()
    done = run_program(engine, main_program, moved, secret_keys, stack="dev")
    assert done.operations == plan.operations
    new_id = done.ids["support"]
    creates = [i for i, line in enumerate(engine.log) if line.startswith("create support")]
    deletes = [i for i, line in enumerate(engine.log) if line.startswith("delete support")]
    assert creates and deletes and creates[0] < deletes[0], engine.log  # create first
    support = [a for a in emulator.accounts() if a["sender_email"] == "support@dev.example.com"]
    assert [(a["id"], a["team"]) for a in support] == [(new_id, "team_1")]
    assert emulator.account(first.ids["support"]) is None  # disconnected in globex
    engine.destroy()
    assert emulator.accounts() == []
