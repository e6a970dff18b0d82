"""The inventory's ``lemwarm:`` block: parsing, lint (lemlist's ranges, offline), the PR
summary (always an update in place) and the bundled program (one Warmup per sender)."""

from __future__ import annotations

import json
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from lemlist_resource.inventory import StackFile, lint, parse_stack, review

from .helpers import EMAIL_ACCOUNT, run_program

WARMUP = "pulumi-python:dynamic/lemlist:Warmup"
CT = "v1:AAAAAAAAAAAAAAAA:"


def _config(defaults_lemwarm: Any = None, **senders: dict[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "smtp_host": "smtp.example.com",
        "smtp_port": 587,
        "imap_host": "imap.example.com",
        "imap_port": 993,
        "imap_secure": True,
    }
    if defaults_lemwarm is not None:
        defaults["lemwarm"] = defaults_lemwarm
    return {
        "lemlist-senders:defaults": defaults,
        "lemlist-senders:senders": senders,
        "lemlist-senders:passwords": {k: {"secure": f"{CT}{k}0"} for k in senders},
    }


def _sender(name: str, **extra: Any) -> dict[str, Any]:
    return {"sender_name": name.title(), "sender_email": f"{name}@example.com", **extra}


def _stack(config: dict[str, Any]) -> StackFile:
    return parse_stack(yaml.safe_dump({"config": config}, sort_keys=False), "Pulumi.prod.yaml")


def test_a_sender_block_merges_over_the_default_block() -> None:
    config = _config(
        {"warm_email_max": 20, "warm_email_rampup": 2},
        alice=_sender("alice", lemwarm={"warm_email_max": 30}),
        bob=_sender("bob"),
    )
    senders = _stack(config).inventory.senders
    assert senders["alice"].lemwarm == {"warm_email_max": 30, "warm_email_rampup": 2}
    assert senders["bob"].lemwarm == {"warm_email_max": 20, "warm_email_rampup": 2}
    assert "lemwarm" not in senders["alice"].inputs  # never an EmailAccount input


def test_without_any_block_no_warmup_is_managed() -> None:
    assert _stack(_config(alice=_sender("alice"))).inventory.senders["alice"].lemwarm is None


def test_lint_checks_lemlists_ranges_and_names_offline() -> None:
    config = _config(
        {"warm_email_max": 20, "colour": "blue"},
        alice=_sender("alice", lemwarm={"warm_email_rampup": 41, "answer_percentage": "half"}),
        bob=_sender("bob", lemwarm={"enabld": False}),
        carol=_sender("carol", lemwarm=["warm_email_max"]),
    )
    lines = [p.render("f") for p in lint(_stack(config))]
    assert any("defaults.lemwarm.colour: is not a lemwarm setting" in line for line in lines)
    assert any("'alice': lemwarm.warm_email_rampup: must be a whole number from 1 to 40"
               in line and "41" in line for line in lines)  # fmt: skip
    assert any("'alice': lemwarm.answer_percentage: must be a whole number from 0 to 100"
               in line for line in lines)  # fmt: skip
    assert any("'bob': lemwarm.enabld" in line and "did you mean 'enabled'" in line
               for line in lines)  # fmt: skip
    assert any("'carol': lemwarm: must be a map" in line for line in lines)
    assert sum("colour" in line for line in lines) == 1  # the default's, once


def test_a_valid_block_lints_clean() -> None:
    config = _config({"enabled": True, "warm_email_max": 40, "plain_text": False},
                     alice=_sender("alice"))  # fmt: skip
    assert lint(_stack(config)) == []


def test_review_shows_a_warmup_change_as_an_in_place_update() -> None:
    base = _config({"warm_email_max": 20}, alice=_sender("alice"), bob=_sender("bob"))
    head = _config(
        {"warm_email_max": 20},
        alice=_sender("alice", lemwarm={"warm_email_max": 30, "enabled": False}),
        bob=_sender("bob"),
    )
    summary = review(_stack(base), _stack(head))
    assert (summary.changed, summary.replaced) == (1, 0)
    text = summary.markdown
    assert "warm-up: updated in place (no reconnect)" in text
    assert "`lemwarm.warm_email_max`: `20` → `30`" in text
    assert "`lemwarm.enabled`: `true` → `false`" in text
    assert "REPLACES" not in text and "replace" not in text.split("####")[-1].lower()


def test_review_names_a_new_senders_warmup_and_a_changed_default() -> None:
    base = _config(None, alice=_sender("alice"))
    head = _config({"warm_email_max": 15}, alice=_sender("alice"), bob=_sender("bob"))
    text = review(_stack(base), _stack(head)).markdown
    assert "warm-up: starts, managed in place (`warm_email_max` `15`)" in text
    assert "default `lemwarm`: changed" in text


def test_review_says_a_replaced_mailboxs_warmup_is_reapplied() -> None:
    base = _config({"warm_email_max": 20}, alice=_sender("alice"))
    head = _config({"warm_email_max": 20}, alice=_sender("alice", smtp_port=465))
    text = review(_stack(base), _stack(head)).markdown
    assert "REPLACES the mailbox" in text and "warm-up: re-applied on the new mailbox" in text


def test_the_program_declares_one_warmup_per_sender_with_a_block() -> None:
    config = _config(
        {"warm_email_max": 20},
        alice=_sender("alice", lemwarm={"answer_percentage": 40}),
        bob=_sender("bob", team="globex"),
    )
    plain = {k: json.dumps(v) for k, v in config.items() if k != "lemlist-senders:passwords"}
    plain["lemlist-senders:passwords"] = json.dumps({"alice": "pw-a", "bob": "pw-b"})
    run = run_program(plain, ["lemlist-senders:passwords"], stack="prod")
    types = {name: args.typ for name, args in run.mocks.created.items()}
    assert types == {
        "alice": EMAIL_ACCOUNT,
        "bob": EMAIL_ACCOUNT,
        "alice-lemwarm": WARMUP,
        "bob-lemwarm": WARMUP,
    }
    alice = run.mocks.created["alice-lemwarm"].inputs
    assert (alice["mailbox_id"], alice["warm_email_max"], alice["answer_percentage"]) == (
        "umx_alice",
        20,
        40,
    )
    assert run.mocks.created["bob-lemwarm"].inputs["team"] == "globex"
    parent = run.monitor.requests["alice-lemwarm"].parent
    assert parent.endswith("::alice")
    assert run.deployment is not None and set(run.deployment.warmups) == {"alice", "bob"}
