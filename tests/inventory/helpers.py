"""Run the project's Pulumi program under mocks with a stack file's configuration."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml  # type: ignore[import-untyped, unused-ignore]
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_root_resource
from pulumi.runtime.sync_await import _sync_await

from lemlist_resource.inventory import program

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEV_PASSPHRASE = "lemlist-dev-emulator-not-a-secret"
EMAIL_ACCOUNT = "pulumi-python:dynamic/lemlist:EmailAccount"


def dummy_secret(path: str) -> str:
    """The plaintext the tests put in place of the secret at config ``path``."""
    return f"dummy-secret<{path}>"


def _reveal(value: Any, path: str) -> tuple[Any, bool]:
    """Replace every ``{secure: …}`` with its dummy plaintext, like the CLI's decryption."""
    if isinstance(value, Mapping):
        if list(value) == ["secure"]:
            return dummy_secret(path), True
        pairs = {k: _reveal(v, f"{path}.{k}") for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_reveal(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def stack_config(path: Path) -> tuple[dict[str, str], list[str]]:
    """A stack file's config as the CLI hands it to a program: strings (objects as JSON),
    decrypted, and the list of keys that hold a secret."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, raw in (document.get("config") or {}).items():
        value, secret = _reveal(raw, key)
        if secret:
            secret_keys.append(key)
        if isinstance(value, str):
            config[key] = value
        elif isinstance(value, bool):
            config[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            config[key] = str(value)
        else:
            config[key] = json.dumps(value)
    return config, secret_keys


class Mocks(pulumi.runtime.Mocks):
    """Answers like lemlist: an ``umx_`` id, and ``email``/``provider`` outputs."""

    def __init__(self) -> None:
        self.created: dict[str, pulumi.runtime.MockResourceArgs] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created[args.name] = args
        state = dict(args.inputs)
        state.update(email=args.inputs.get("sender_email"), provider="custom")
        return f"umx_{args.name}", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, keeping each registration request (it carries the resource
    options, such as protect, which ``MockResourceArgs`` does not)."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.requests: dict[str, resource_pb2.RegisterResourceRequest] = {}

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self.requests[request.name] = request
        return super().RegisterResource(request)  # type: ignore[no-untyped-call, unused-ignore]


@dataclass
class ProgramRun:
    """What one run of the program under mocks produced."""

    mocks: Mocks
    monitor: RecordingMonitor
    deployment: program.Deployment | None = None
    exported: dict[str, Any] = field(default_factory=dict)
    exported_secret: bool = False


def run_program(config: dict[str, str], secret_keys: list[str], stack: str) -> ProgramRun:
    """Run ``program.run()`` under mocks; resolve the ``senders`` export."""
    mocks = Mocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks, project="lemlist-senders", stack=stack, preview=False, monitor=monitor
    )
    pulumi.runtime.set_all_config(config, secret_keys)
    result = ProgramRun(mocks, monitor)

    @pulumi.runtime.test  # type: ignore[untyped-decorator, unused-ignore]
    def body() -> pulumi.Output[Any]:
        result.deployment = program.run()
        root = get_root_resource()
        assert root is not None
        exported = pulumi.Output.from_input(root.outputs["senders"])  # type: ignore[attr-defined]
        result.exported_secret = False
        return exported.apply(result.exported.update)

    body()
    assert result.deployment is not None
    root = get_root_resource()
    result.exported_secret = _sync_await(
        pulumi.Output.from_input(root.outputs["senders"]).is_secret()  # type: ignore[union-attr]
    )
    return result


def collect_abandoned_futures() -> list[BaseException]:
    """Retrieve the errors a failed program left in futures nobody awaits, and return them.

    Each output of a program that raised holds the error in such a future; asyncio reports
    every one whose error was never retrieved when it is garbage collected, which happened at
    interpreter exit, after pytest's summary, as one traceback per future."""
    errors: list[BaseException] = []
    for obj in gc.get_objects():
        if isinstance(obj, asyncio.Future) and getattr(obj, "_log_traceback", False):
            error = obj.exception()  # retrieved: asyncio no longer reports it
            if error is not None:
                errors.append(error)
    return errors


def run_stack_file(path: Path) -> ProgramRun:
    """Run the program with a stack file's configuration (secrets replaced by dummies)."""
    config, secret_keys = stack_config(path)
    return run_program(config, secret_keys, path.name.split(".")[1])
