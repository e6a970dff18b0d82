"""The pack as Pulumi runs it: ``python -u -m pulumi.policy <engine> .`` from ``policy/``.

That is the command of Pulumi's ``pulumi-analyzer-policy-python`` shim (with the pack's
virtualenv; here the test virtualenv), with the variables the engine sets for a policy
process (``constructEnv`` in sdk/go/common/resource/plugin/analyzer_plugin.go). The tests
speak the Analyzer gRPC protocol to it as the engine does: GetAnalyzerInfo, Configure (the
reconciled ``--policy-pack-config``), Analyze and AnalyzeStack with properties marshalled
the engine's way (numbers as doubles, secrets as signature objects, unknowns as sentinels).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from lemlist_policies import RESOURCE_TYPE
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE

from .conftest import POLICY_DIR
from .helpers import IMAP_PASSWORD, SMTP_PASSWORD, account, urn

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
MANDATORY, ADVISORY = analyzer_pb2.MANDATORY, analyzer_pb2.ADVISORY


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    """Properties as the engine marshals them for an analyzer (KeepSecrets, KeepUnknowns)."""
    wire = dict(props)
    for name in ("smtp_password", "imap_password"):
        if name in wire:
            wire[name] = {**SECRET_SIG, "value": wire[name]}
    struct = struct_pb2.Struct()
    struct.update(wire)
    return struct


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    env = dict(os.environ)
    env.update(PULUMI_PROJECT="lemlist-senders", PULUMI_STACK="prod", PULUMI_DRY_RUN="true")
    env.pop("PULUMI_CONFIG", None)
    process = subprocess.Popen(  # the engine address is not dialled unless the pack fails
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=POLICY_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        port = process.stdout.readline().strip()  # PolicyPack prints its port, then serves
        if not port.isdigit():
            process.kill()
            pytest.fail(f"the policy pack did not start: {process.stderr.read()}")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=60)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _configure(stub: analyzer_pb2_grpc.AnalyzerStub, config: dict[str, Any]) -> None:
    """Send a ``--policy-pack-config`` as the engine does after reconciling it."""
    info = stub.GetAnalyzerInfo(empty_pb2.Empty())
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for policy in info.policies:
        given = dict(config.get(policy.name, {}))
        level = given.pop("enforcementLevel", None)
        entry = request.policyConfig[policy.name]
        entry.enforcementLevel = (
            analyzer_pb2.EnforcementLevel.Value(level.upper()) if level else policy.enforcementLevel
        )
        defaults = json_format.MessageToDict(policy.configSchema.properties)
        entry.properties.update({k: v["default"] for k, v in defaults.items() if "default" in v})
        entry.properties.update(given)
    stub.Configure(request)


def _analyze(
    stub: analyzer_pb2_grpc.AnalyzerStub, props: dict[str, Any], protect: bool = False
) -> list[analyzer_pb2.AnalyzeDiagnostic]:
    response = stub.Analyze(
        analyzer_pb2.AnalyzeRequest(
            type=RESOURCE_TYPE,
            properties=_struct(props),
            urn=urn("alice"),
            name="alice",
            options=analyzer_pb2.AnalyzerResourceOptions(protect=protect),
        )
    )
    for diagnostic in response.diagnostics:
        assert SMTP_PASSWORD not in diagnostic.message
        assert IMAP_PASSWORD not in diagnostic.message
    return list(response.diagnostics)


def test_info_lists_every_policy_with_its_level_and_config_schema(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "lemlist-senders" and info.supportsConfig
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels.pop("lemlist-unsupported-relay") == ADVISORY
    assert levels.pop("lemlist-deliverability") == analyzer_pb2.DISABLED
    warmup = [levels.pop("lemlist-warmup-outside-dev"), levels.pop("lemlist-warmup-rampup")]
    assert warmup == [ADVISORY, ADVISORY]
    assert set(levels.values()) == {MANDATORY} and len(levels) == 7
    schemas = {p.name: json_format.MessageToDict(p.configSchema) for p in info.policies}
    assert schemas["lemlist-production-protect"]["properties"]["stackPattern"] == {
        "type": "string",
        "default": "prod*",
    }


def test_a_clean_protected_mailbox_passes_on_prod(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    _configure(analyzer, {})
    assert _analyze(analyzer, account(), protect=True) == []


def test_violations_reach_the_engine_with_their_levels(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    _configure(analyzer, {})
    bad = account(smtp_port=25.0, smtp_host="smtp.sendgrid.net", verify_connection=False)
    found = {d.policyName: d for d in _analyze(analyzer, bad, protect=False)}
    assert set(found) == {
        "lemlist-transport-tls",
        "lemlist-unsupported-relay",
        "lemlist-production-protect",  # PULUMI_STACK=prod reached pulumi.get_stack()
        "lemlist-verify-connection",
    }
    assert found["lemlist-unsupported-relay"].enforcementLevel == ADVISORY
    assert found["lemlist-transport-tls"].enforcementLevel == MANDATORY
    assert "smtp_port 25 is plain SMTP" in found["lemlist-transport-tls"].message


def test_policy_pack_config_sets_levels_and_knobs(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    _configure(
        analyzer,
        {
            "lemlist-unsupported-relay": {"enforcementLevel": "mandatory"},
            "lemlist-transport-tls": {"enforcementLevel": "disabled"},
            "lemlist-production-protect": {"stackPattern": "live-*"},
            "lemlist-sender-domains": {"allowedDomains": ["acme.io"]},
        },
    )
    bad = account(smtp_port=25.0, smtp_host="smtp.sendgrid.net")
    found = {d.policyName: d for d in _analyze(analyzer, bad, protect=False)}
    assert set(found) == {"lemlist-unsupported-relay", "lemlist-sender-domains"}
    assert found["lemlist-unsupported-relay"].enforcementLevel == MANDATORY


def test_unknown_values_are_skipped_not_reported(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    _configure(analyzer, {})
    props = account(smtp_port=UNKNOWN_NUMBER_VALUE, imap_port=UNKNOWN_NUMBER_VALUE)
    # Without the skip, pulumi_policy would answer "can't run policy ... during preview".
    assert _analyze(analyzer, props, protect=True) == []


def test_stack_policy_reports_each_duplicate(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    _configure(analyzer, {})
    resources = [
        analyzer_pb2.AnalyzerResource(
            type=RESOURCE_TYPE, properties=_struct(account()), urn=urn(name), name=name
        )
        for name in ("alice", "alice-again")
    ]
    response = analyzer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources))
    assert [d.urn for d in response.diagnostics] == [urn("alice"), urn("alice-again")]
    assert all(d.policyName == "lemlist-one-mailbox-per-address" for d in response.diagnostics)
    assert json.dumps([d.message for d in response.diagnostics]).count(SMTP_PASSWORD) == 0
