"""The Pulumi program under mocks, for each example stack (the CLI is not installable here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]
from pulumi.runtime import rpc

from lemlist_resource.inventory import parse_stack

from .helpers import (
    EMAIL_ACCOUNT,
    STACKS,
    collect_abandoned_futures,
    dummy_secret,
    run_program,
    run_stack_file,
    stack_config,
)

STACK_FILES = sorted(STACKS.glob("Pulumi.*.yaml"))


def _keys(path: Path) -> list[str]:
    return list(parse_stack(path.read_text(), str(path)).inventory.senders)


def test_every_example_stack_is_covered() -> None:
    assert [p.name for p in STACK_FILES] == [
        "Pulumi.dev.yaml",
        "Pulumi.prod.yaml",
        "Pulumi.staging.yaml",
    ]


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_one_email_account_per_sender_named_by_its_key(path: Path) -> None:
    run = run_stack_file(path)
    keys = _keys(path)
    assert keys, "an example stack without senders shows nothing"
    assert sorted(run.mocks.created) == sorted(keys)
    assert {a.typ for a in run.mocks.created.values()} == {EMAIL_ACCOUNT}


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_passwords_reach_the_resource_as_secrets(path: Path) -> None:
    run = run_stack_file(path)
    for key, args in run.mocks.created.items():
        for name in ("smtp_password", "imap_password"):
            value = args.inputs[name]
            assert rpc.is_rpc_secret(value), f"{key}.{name} is not a secret"
            plain = rpc.unwrap_rpc_secret(value)
            assert plain in (
                dummy_secret(f"lemlist-senders:passwords.{key}"),
                dummy_secret(f"lemlist-senders:passwords.{key}.{name.split('_')[0]}"),
            )
        for name, value in args.inputs.items():
            if name not in ("smtp_password", "imap_password"):
                assert not rpc.is_rpc_secret(value), f"{key}.{name} should stay readable"


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_outputs_are_the_deployed_inventory_without_secrets(path: Path) -> None:
    run = run_stack_file(path)
    assert not run.exported_secret
    assert set(run.exported) == set(_keys(path))
    for key, entry in run.exported.items():
        args = run.mocks.created[key]
        assert entry == {
            "id": f"umx_{key}",
            "email": args.inputs["sender_email"],
            "provider": "custom",
        }
    assert "dummy-secret" not in json.dumps(run.exported)


def test_prod_senders_are_protected() -> None:
    run = run_stack_file(STACKS / "Pulumi.prod.yaml")
    assert run.monitor.requests
    for name, request in run.monitor.requests.items():
        assert request.HasField("protect") and request.protect, name
        # Never retained: a replacement must really disconnect the old mailbox first.
        assert not request.retainOnDelete, name


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_other_stacks_are_explicitly_unprotected(stack: str) -> None:
    run = run_stack_file(STACKS / f"Pulumi.{stack}.yaml")
    for name, request in run.monitor.requests.items():
        assert request.HasField("protect") and not request.protect, name
        assert not request.retainOnDelete, name


def test_defaults_merge_and_logins_default_to_the_sender_address() -> None:
    run = run_stack_file(STACKS / "Pulumi.dev.yaml")
    alice = run.mocks.created["alice"].inputs
    assert alice["smtp_host"] == "smtp.dev.example.com"
    assert alice["smtp_port"] == 587
    assert alice["imap_secure"] is True
    assert alice["smtp_login"] == alice["imap_login"] == "alice@dev.example.com"
    bob = run.mocks.created["bob"].inputs
    assert bob["smtp_login"] == bob["imap_login"] == "bob.stone"
    support = run.mocks.created["support"].inputs
    assert (support["smtp_host"], support["smtp_port"], support["smtp_secure"]) == (
        "smtp.relay.example.net",
        465,
        True,
    )
    assert support["imap_host"] == "imap.dev.example.com"


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_the_program_sends_what_check_fills_in(path: Path) -> None:
    """An unset field takes EmailAccountArgs' default (verify_connection=True, not None):
    the program's inputs are what check would store, so a refresh that runs the program
    (./scripts/pulumi refresh) shows no ``[diff: -verify_connection]`` on every sender."""
    from lemlist_resource.rules.validation import validate

    run = run_stack_file(path)
    for key, args in run.mocks.created.items():
        sent = {k: v for k, v in args.inputs.items() if not rpc.is_rpc_secret(v)}
        checked, failures = validate({**sent, "smtp_password": "x", "imap_password": "x"})
        assert not failures, (key, failures)
        filled = {k for k, v in checked.items() if v is not None} - {
            "smtp_password", "imap_password",
        }
        assert filled <= set(sent), f"{key}: check fills in {sorted(filled - set(sent))}"
        assert sent["verify_connection"] is True


def test_separate_smtp_and_imap_passwords() -> None:
    run = run_stack_file(STACKS / "Pulumi.dev.yaml")
    bob = run.mocks.created["bob"].inputs
    assert rpc.unwrap_rpc_secret(bob["smtp_password"]) == dummy_secret(
        "lemlist-senders:passwords.bob.smtp"
    )
    assert rpc.unwrap_rpc_secret(bob["imap_password"]) == dummy_secret(
        "lemlist-senders:passwords.bob.imap"
    )


def test_one_sender_can_be_released_from_stack_protection() -> None:
    config, secret_keys = stack_config(STACKS / "Pulumi.prod.yaml")
    senders = json.loads(config["lemlist-senders:senders"])
    senders["bob"]["protect"] = False
    config["lemlist-senders:senders"] = json.dumps(senders)
    run = run_program(config, secret_keys, "prod")
    assert not run.monitor.requests["bob"].protect
    assert run.monitor.requests["alice"].protect


def test_reordering_and_inserting_senders_changes_no_resource() -> None:
    config, secret_keys = stack_config(STACKS / "Pulumi.prod.yaml")
    before = run_program(config, secret_keys, "prod").mocks.created
    senders = json.loads(config["lemlist-senders:senders"])
    keys = list(senders)
    reordered = {k: senders[k] for k in reversed(keys[1:])}
    reordered["aaa-first"] = {"sender_name": "New", "sender_email": "new@example.com"}
    reordered[keys[0]] = senders[keys[0]]
    passwords = json.loads(config["lemlist-senders:passwords"])
    passwords["aaa-first"] = "dummy"
    config["lemlist-senders:senders"] = json.dumps(reordered)
    config["lemlist-senders:passwords"] = json.dumps(passwords)
    after = run_program(config, secret_keys, "prod").mocks.created
    assert set(after) == set(before) | {"aaa-first"}
    for key, args in before.items():
        assert after[key].inputs == args.inputs


def test_an_inventory_problem_stops_the_program_with_every_reason() -> None:
    config, secret_keys = stack_config(STACKS / "Pulumi.staging.yaml")
    senders = json.loads(config["lemlist-senders:senders"])
    senders["alice"]["smtp_hots"] = "smtp.example.com"
    senders["Bad Key"] = {"sender_name": "x", "sender_email": "x@example.com"}
    config["lemlist-senders:senders"] = json.dumps(senders)
    with pytest.raises(Exception, match="smtp_hots") as info:
        run_program(config, secret_keys, "staging")
    assert "did you mean 'smtp_host'" in str(info.value)
    assert "sender 'Bad Key': invalid key" in str(info.value)


def test_a_missing_password_fails_with_the_command_to_set_it() -> None:
    config, secret_keys = stack_config(STACKS / "Pulumi.staging.yaml")
    passwords = json.loads(config["lemlist-senders:passwords"])
    del passwords["alice"]
    config["lemlist-senders:passwords"] = json.dumps(passwords)
    with pytest.raises(
        Exception, match=re.escape("pulumi config set --secret --path 'passwords.alice'")
    ):
        run_program(config, secret_keys, "staging")
    # The failed program's futures hold the same error: collected now, not at the suite's
    # exit, where asyncio printed each one's traceback after a green run.
    abandoned = collect_abandoned_futures()
    assert abandoned, "the program's outputs are expected to carry its error"
    assert all("passwords.alice" in str(error) for error in abandoned)


def test_stack_files_keep_passwords_out_of_the_senders_key() -> None:
    """A secure value inside `senders` would make the whole inventory a secret."""
    for path in STACK_FILES:
        _, secret_keys = stack_config(path)
        # the passwords, and (dev) the second team's key: never the inventory itself
        assert set(secret_keys) - {"lemlist:teams"} == {"lemlist-senders:passwords"}, path.name
        raw = yaml.safe_load(path.read_text())["config"]
        assert "lemlist:apiKey" not in raw, "example stacks must not carry an API key"
