"""The project's own stacks pass the pack: each runs under mocks, and every EmailAccount it
registers goes through every policy, with its properties deserialized by pulumi_policy's own
function (as ``Analyze`` does) and the stack's name and ``protect`` option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format
from lemlist_policies import RESOURCE_TYPE, policies
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

from tests.inventory.helpers import STACKS, run_stack_file, stack_config

from .helpers import options


def _violations(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    stack = path.name.split(".")[1]
    run = run_stack_file(path)
    monkeypatch.setattr(pulumi, "get_stack", lambda: stack)
    found: list[str] = []
    resources: list[PolicyResource] = []
    # As the engine runs the pack: a disabled policy (lemlist-deliverability) is not run.
    active = [p for p in policies() if p.enforcement_level is not EnforcementLevel.DISABLED]
    for name, request in run.monitor.requests.items():
        assert request.type == RESOURCE_TYPE
        props: Any = unknown_checking_proxy(
            deserialize_properties(json_format.MessageToDict(request.object))
        )
        opts = options(protect=request.protect)
        args = ResourceValidationArgs(request.type, props, name, name, opts, None)
        resources.append(PolicyResource(request.type, props, name, name, opts, None, None, [], {}))
        for policy in active:
            if isinstance(policy, ResourceValidationPolicy):
                policy.validate(args, lambda m, _u=None, p=policy.name: found.append(f"{p}: {m}"))
    for policy in active:
        if not isinstance(policy, ResourceValidationPolicy):
            policy.validate(
                StackValidationArgs(resources),
                lambda m, _u=None, p=policy.name: found.append(f"{p}: {m}"),
            )
    return found


@pytest.mark.parametrize("path", sorted(STACKS.glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_example_stacks_pass_every_policy(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _violations(path, monkeypatch) == []


def test_prod_without_protect_fails_the_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (STACKS / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    assert "lemlist-senders:protect: true" in text
    unprotected = tmp_path / "Pulumi.prod.yaml"
    unprotected.write_text(
        text.replace("lemlist-senders:protect: true", "lemlist-senders:protect: false")
    )
    assert stack_config(unprotected)[0]["lemlist-senders:protect"] == "false"
    found = _violations(unprotected, monkeypatch)
    assert found and all(line.startswith("lemlist-production-protect: ") for line in found)
    assert len(found) == len(run_stack_file(unprotected).monitor.requests)
