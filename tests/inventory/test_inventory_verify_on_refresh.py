"""``verify_on_refresh`` in a stack file (issue 27): a sender key and a stack default, checked
by the lint with the provider's own rule, passed to the resource by the bundled program, and
reviewed as an in-place change (never a reconnect)."""

from __future__ import annotations

import json
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from lemlist_resource.inventory import lint, parse_stack, review
from lemlist_resource.inventory.model import DEFAULT_FIELDS, INPUT_FIELDS

from .helpers import STACKS, run_program, stack_config

CT = "v1:AAAAAAAAAAAAAAAA:"


def _config(defaults: dict[str, Any] | None = None, **alice: Any) -> dict[str, Any]:
    return {
        "lemlist-senders:defaults": {
            "smtp_host": "smtp.example.com",
            "smtp_port": 587,
            "imap_host": "imap.example.com",
            "imap_port": 993,
            **(defaults or {}),
        },
        "lemlist-senders:senders": {
            "alice": {"sender_name": "Alice", "sender_email": "alice@example.com", **alice},
        },
        "lemlist-senders:passwords": {"alice": {"secure": f"{CT}alice"}},
    }


def _stack(config: dict[str, Any]) -> Any:
    return parse_stack(yaml.safe_dump({"config": config}, sort_keys=False), "Pulumi.prod.yaml")


def test_it_is_a_sender_key_and_a_stack_default() -> None:
    assert "verify_on_refresh" in INPUT_FIELDS and "verify_on_refresh" in DEFAULT_FIELDS
    assert lint(_stack(_config(verify_on_refresh=True))) == []
    assert lint(_stack(_config({"verify_on_refresh": "true"}))) == []
    stack = _stack(_config({"verify_on_refresh": True}, verify_on_refresh=False))
    assert stack.inventory.senders["alice"].inputs["verify_on_refresh"] is False  # its own wins


def test_the_lint_refuses_what_the_provider_refuses() -> None:
    problems = lint(_stack(_config(verify_on_refresh="nightly")))
    assert [(p.sender, p.field) for p in problems] == [("alice", "verify_on_refresh")]
    assert "true or false" in problems[0].message


def test_turning_it_on_is_reviewed_as_an_update_in_place() -> None:
    result = review(_stack(_config()), _stack(_config({"verify_on_refresh": True})))
    assert (result.changed, result.replaced) == (1, 0)
    assert "updated in place: no reconnect" in result.markdown
    assert "`verify_on_refresh`" in result.markdown
    assert "will be disconnected" not in result.markdown


def test_the_program_passes_it_to_the_resource() -> None:
    config, secret_keys = stack_config(STACKS / "Pulumi.dev.yaml")
    senders = json.loads(config["lemlist-senders:senders"])
    first = next(iter(senders))
    senders[first]["verify_on_refresh"] = True
    config["lemlist-senders:senders"] = json.dumps(senders)
    run = run_program(config, secret_keys, "dev")
    assert run.mocks.created[first].inputs["verify_on_refresh"] is True
    others = [name for name in senders if name != first]
    assert others and all(
        run.mocks.created[name].inputs.get("verify_on_refresh") is None for name in others
    )
