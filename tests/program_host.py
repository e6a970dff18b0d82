"""Run a real Pulumi program against the real provider host, without the Pulumi CLI.

The program runs under :func:`pulumi.runtime.set_mocks`, with a stack's configuration, and
every resource it registers is forwarded to the dynamic-provider host (``python -m
pulumi.dynamic``, :class:`tests.harness.ProviderHost`) through the engine model
(:class:`tests.harness.Engine`): ``up`` runs Check then Create (on a later run Check + Diff,
then Update, Same or a replacement's Delete/Create), ``preview`` only Check + Diff. The
engine's state survives between runs, as a stack's does.

Like the engine (its host answers ``acceptSecrets: false``), secret markers are removed
before the host sees the inputs; which inputs arrived secret is recorded per resource.

    engine = Engine(host)
    run = run_program(engine, lambda: program.run(), config, secret_keys, stack="dev")
    run.operations  # {"alice": "create", ...}
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml  # type: ignore[import-untyped, unused-ignore]
from pulumi.runtime import rpc

from tests.harness import Engine
from tests.inventory.stack_crypto import decrypt, key_from_salt

PROVIDER_KEY = "__provider"


def decrypted_stack_config(path: Path, passphrase: str) -> tuple[dict[str, str], list[str]]:
    """A stack file's config as the CLI hands it to a program: strings (objects as JSON),
    secrets decrypted with the stack's passphrase, and the keys that hold a secret."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    key = key_from_salt(passphrase, document["encryptionsalt"])

    def reveal(value: Any) -> tuple[Any, bool]:
        if isinstance(value, Mapping):
            if list(value) == ["secure"]:
                return decrypt(key, value["secure"]), True
            pairs = {k: reveal(v) for k, v in value.items()}
            return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
        return value, False

    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for name, raw in (document.get("config") or {}).items():
        value, secret = reveal(raw)
        if secret:
            secret_keys.append(name)
        if isinstance(value, bool):
            config[name] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            config[name] = str(value)
        else:
            config[name] = json.dumps(value)
    return config, secret_keys


@dataclass
class ProgramRun:
    """What one run did: the operation per resource, and which inputs arrived secret."""

    operations: dict[str, str] = field(default_factory=dict)
    secret_inputs: dict[str, set[str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


class HostMocks(pulumi.runtime.Mocks):
    """Mocks whose ``new_resource`` is the engine's registration of that resource."""

    def __init__(self, engine: Engine, preview: bool, run: ProgramRun) -> None:
        self.engine = engine
        self.preview = preview
        self.run = run
        self._lock = threading.Lock()  # the mock monitor may call from several threads

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        secrets = {k for k, v in args.inputs.items() if rpc.is_rpc_secret(v)}
        news = {
            k: rpc.unwrap_rpc_secret(v) if rpc.is_rpc_secret(v) else v
            for k, v in args.inputs.items()
            if k != PROVIDER_KEY and v is not None
        }
        with self._lock:
            self.run.secret_inputs[args.name] = secrets
            if self.preview:
                self.run.operations[args.name] = self.engine.plan(args.name, news)
                old = self.engine.state.get(args.name)
                return (old.id if old else ""), dict(news)
            self.run.operations[args.name] = self.engine.register(args.name, news)
            res = self.engine.state[args.name]
            self.run.ids[args.name] = res.id
            return res.id, dict(res.outputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def run_program(
    engine: Engine,
    program: Callable[[], Any],
    config: Mapping[str, str],
    secret_keys: list[str],
    *,
    stack: str,
    project: str = "lemlist-senders",
    preview: bool = False,
) -> ProgramRun:
    """Run ``program`` once as ``pulumi up`` (or ``pulumi preview``) of ``stack``.

    After the program, an ``up`` finishes like the engine: pending deletes of replaced
    resources, then deletes of resources it no longer declares; a preview plans them.
    """
    run = ProgramRun()
    pulumi.runtime.set_mocks(
        HostMocks(engine, preview, run), project=project, stack=stack, preview=preview
    )
    pulumi.runtime.set_all_config(dict(config), secret_keys)

    @pulumi.runtime.test  # type: ignore[untyped-decorator, unused-ignore]
    def body() -> None:
        program()

    body()
    declared = set(run.operations)
    if preview:
        run.operations.update(dict.fromkeys(engine.state.keys() - declared, "delete"))
    else:
        run.operations.update(engine.finish(declared))
    return run
