"""Drive the real dynamic-provider host (``python -m pulumi.dynamic``) over gRPC like the engine.

Two layers:

* :class:`ProviderHost` — one host process and one method per gRPC call (Configure, Check,
  Diff, Create, Read, Update, Delete), with plain Python dicts in and out;
* :class:`Engine` — a model of the engine's step logic on top of it (check → diff →
  create / update / replace in the right order / delete, refresh, get, import), keeping a
  stack's state in memory, so lifecycle cases are written as data (see :func:`run_steps`).
  Each of its methods names the pulumi/pulumi Go function it mirrors.

The engine strips secret markers before calling this host (it answers
``acceptSecrets: false``), so properties travel in plain form, as they do in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from google.rpc import status_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from lemlist_resource import EmailAccountProvider

ROOT = Path(__file__).resolve().parents[1]
TYPE = "pulumi-python:dynamic/lemlist:EmailAccount"
SECRET_SIG = {rpc._special_sig_key: rpc._special_secret_sig}
UNKNOWN = rpc.UNKNOWN
SERIALIZED_PROVIDER = serialize_provider(EmailAccountProvider())


class HostError(Exception):
    """A gRPC call failed; ``message`` is what `pulumi up` would show the user."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class PartialFailure(HostError):
    """A Read or Update answered as a partial failure: the resource exists (its ``id``,
    ``outputs`` and ``inputs``) but failed to initialize, for ``reasons``.

    Mirrors ``parseError`` (sdk/go/common/resource/plugin/provider_plugin.go): a failed call
    whose status details hold an ``ErrorResourceInitFailed`` is ``StatusPartialFailure`` with
    the detail's properties and an ``InitError`` of its reasons."""

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        detail: provider_pb2.ErrorResourceInitFailed,
    ) -> None:
        super().__init__(code, message)
        self.id = detail.id
        self.outputs = from_struct(detail.properties)
        self.inputs = from_struct(detail.inputs) if detail.HasField("inputs") else None
        self.reasons = list(detail.reasons)
        #: The engine stores the detail's properties as the outputs: the provider must be there.
        self.keeps_provider = "__provider" in detail.properties.fields


def host_error(exc: grpc.RpcError) -> HostError:
    """What a failed call is to the engine: a :class:`PartialFailure` when its status
    details (the ``grpc-status-details-bin`` trailer, as grpc-go's ``status.FromError``
    reads it) hold an ``ErrorResourceInitFailed``, else a plain :class:`HostError`."""
    code, message = exc.code(), exc.details() or ""
    for key, value in exc.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for packed in status.details:
            detail = provider_pb2.ErrorResourceInitFailed()
            if packed.Unpack(detail):
                return PartialFailure(code, message, detail)
    return HostError(code, message)


def secret(value: Any) -> dict[str, Any]:
    """A value wrapped the way the engine marks a secret on the wire."""
    return {**SECRET_SIG, "value": value}


def to_struct(
    props: Mapping[str, Any], with_provider: bool = True, provider: str | None = None
) -> struct_pb2.Struct:
    """Encode properties as the engine does (numbers become doubles on the wire).

    ``provider``: the serialized provider to send as ``__provider`` (default: the real one).
    """
    st = struct_pb2.Struct()
    data = {k: v for k, v in props.items() if v is not None}
    if with_provider:
        data.setdefault("__provider", provider or SERIALIZED_PROVIDER)
    st.update(data)
    return st


def from_struct(st: struct_pb2.Struct) -> dict[str, Any]:
    """Decode properties, dropping the serialized provider."""
    props = rpc.deserialize_properties(st, keep_unknowns=True)
    props.pop("__provider", None)
    return dict(props)


@dataclass
class CheckOutcome:
    inputs: dict[str, Any]
    failures: list[tuple[str, str]]


@dataclass
class DiffOutcome:
    changes: bool
    replaces: list[str]
    delete_before_replace: bool
    diffs: list[str] = field(default_factory=list)
    detailed: dict[str, int] = field(default_factory=dict)


class _Process:
    """One running host process and its gRPC stub; restartable (the same command line)."""

    def __init__(self, command: list[str], environ: dict[str, str]) -> None:
        self.command, self.environ = command, environ
        self.stderr = ""  # what the processes stopped so far wrote
        #: The last Configure's config and secret keys, sent again to a new process.
        self.configured: tuple[dict[str, Any], tuple[str, ...]] | None = None
        self.start()

    def start(self) -> None:
        self.channel: grpc.Channel | None = None
        self.process = subprocess.Popen(
            self.command,
            cwd=str(ROOT),
            env=self.environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode().strip()
        if not line.isdigit():
            self.stop(final=True)
            raise RuntimeError(f"provider host did not start: {line!r}")
        self.port = int(line)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.served = False  # no resource call yet: a fresh operation

    def stop(self, final: bool = False) -> str:
        """Stop the process; keep what it wrote on stderr (``final``: return it all)."""
        if self.channel is not None:
            self.channel.close()
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        self.stderr += err.decode(errors="replace")
        return self.stderr if final else ""


class ProviderHost:
    """A running ``python -m pulumi.dynamic`` and a stub to call it.

    ``provider``: the serialized provider (``serialize_provider(...)``) every call carries as
    ``__provider``; default: the real :class:`EmailAccountProvider`. The host must be able to
    import its class (the repository root is on its ``PYTHONPATH``). ``argv``: what follows
    ``python`` on the host's command line (default: the engine's ``-u -m pulumi.dynamic``).
    """

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        provider: str | None = None,
        argv: Sequence[str] = ("-u", "-m", "pulumi.dynamic"),
    ) -> None:
        self.provider = provider or SERIALIZED_PROVIDER
        environ = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST_")}
        environ.update(env or {})
        environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT), environ.get("PYTHONPATH")])
        )
        self.calls: list[str] = []
        # Shared by every copy of this host (a view sending another ``__provider``), so that
        # :meth:`begin_operation`'s new process serves them all.
        self._live = _Process([sys.executable, *argv], environ)

    @property
    def stub(self) -> provider_pb2_grpc.ResourceProviderStub:
        return self._live.stub

    @property
    def port(self) -> int:
        return self._live.port

    def close(self) -> str:
        """Stop the host; return what it (and any host it replaced) wrote on stderr."""
        return self._live.stop(final=True)

    def begin_operation(self) -> None:
        """Start a new command as the engine does: a new provider host process, configured
        as the last one was, so nothing a provider keeps per process (the listing of
        :mod:`lemlist_resource.email_account.directory`) outlives a command. A host that has
        served no resource call since it started already is a fresh one and is kept."""
        live = self._live
        if live.served and live.configured is not None:
            live.stop()
            live.start()
            self.configure(*live.configured)

    def _struct(self, props: Mapping[str, Any]) -> struct_pb2.Struct:
        return to_struct(props, provider=self.provider)

    def _call(self, name: str, request: Any) -> Any:
        self.calls.append(name)
        self._live.served = self._live.served or name != "Configure"
        try:
            return getattr(self.stub, name)(request)
        except grpc.RpcError as exc:
            raise host_error(exc) from None

    def configure(self, config: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> None:
        """Send the stack configuration; keys in ``secret_keys`` travel as secrets.

        As ``provider.Configure`` (provider_plugin.go) sends it to the default provider: the
        whole config as ``args`` (secrets marked) and as ``variables`` (strings, keys under
        the provider's package), with the provider resource's own urn, name, type and id,
        and the protocol flags it announces (recorded: tests/engine_requests.json).
        """
        self._live.configured = (dict(config), tuple(secret_keys))
        secrets = set(secret_keys)
        args = {k: secret(v) if k in secrets else v for k, v in config.items()}
        variables = {
            f"pulumi-python:config:{k}": v if isinstance(v, str) else json.dumps(v)
            for k, v in config.items()
        }
        request = proto.ConfigureRequest(
            args=to_struct(args, with_provider=False),
            variables=variables,
            acceptSecrets=True,
            acceptResources=True,
            sends_old_inputs=True,
            sends_old_inputs_to_delete=True,
            **PROVIDER_META,
        )
        self._call("Configure", request)

    def check(
        self, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None, name: str = "r"
    ) -> CheckOutcome:
        """``CheckRequest{olds: old inputs (empty when new or before a replace), news}``;
        ``name``: the resource's (its URN: :func:`urn`)."""
        resp = self._call(
            "Check",
            proto.CheckRequest(
                **resource_meta(name),
                randomSeed=b"\0" * 32,
                # Empty olds are an empty map, without __provider, as the engine sends them.
                olds=self._struct(olds) if olds else to_struct({}, with_provider=False),
                news=self._struct(news),
            ),
        )
        return CheckOutcome(
            from_struct(resp.inputs), [(f.property, f.reason) for f in resp.failures]
        )

    def diff(
        self,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
        name: str = "r",
    ) -> DiffOutcome:
        """``DiffRequest{id, olds: old OUTPUTS, old_inputs, news: checked inputs}``."""
        resp = self._call(
            "Diff",
            proto.DiffRequest(
                id=id_,
                **resource_meta(name),
                olds=self._struct(olds),
                news=self._struct(news),
                old_inputs=self._struct(old_inputs) if old_inputs is not None else None,
            ),
        )
        return DiffOutcome(
            resp.changes == proto.DiffResponse.DIFF_SOME,
            list(resp.replaces),
            resp.deleteBeforeReplace,
            list(resp.diffs),
            {k: v.kind for k, v in resp.detailedDiff.items()} if resp.hasDetailedDiff else {},
        )

    def create(self, inputs: Mapping[str, Any], name: str = "r") -> tuple[str, dict[str, Any]]:
        """``CreateRequest{properties: checked inputs}``; returns the id and the outputs."""
        request = proto.CreateRequest(
            **resource_meta(name, status=True), properties=self._struct(inputs)
        )
        resp = self._call("Create", request)
        return resp.id, from_struct(resp.properties)

    def read(
        self,
        id_: str,
        props: Mapping[str, Any] | None,
        inputs: Mapping[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """``ReadRequest{id, properties, inputs}``; either may be absent (None), as on import.

        Refresh sends old outputs and old inputs; ``get`` the program's inputs twice; the
        import step neither (see :class:`Engine`). No ``__provider`` is added to an absent
        part: the engine sends nothing there.
        """
        request = proto.ReadRequest(
            id=id_,
            **resource_meta(status=True),
            properties=self._struct(props) if props is not None else None,
            inputs=self._struct(inputs) if inputs is not None else None,
        )
        resp = self._call("Read", request)
        return resp.id, from_struct(resp.properties), from_struct(resp.inputs)

    def update(
        self,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``UpdateRequest{id, olds: old OUTPUTS, old_inputs, news: checked inputs}``."""
        resp = self._call(
            "Update",
            proto.UpdateRequest(
                id=id_,
                **resource_meta(status=True),
                olds=self._struct(olds),
                news=self._struct(news),
                old_inputs=self._struct(old_inputs) if old_inputs is not None else None,
            ),
        )
        return from_struct(resp.properties)

    def delete(
        self,
        id_: str,
        props: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
        name: str = "r",
    ) -> None:
        """``DeleteRequest{id, properties: old OUTPUTS, old_inputs}``."""
        request = proto.DeleteRequest(
            id=id_,
            **resource_meta(name, status=True),
            properties=self._struct(props),
            old_inputs=self._struct(old_inputs) if old_inputs is not None else None,
        )
        self._call("Delete", request)


def urn(name: str) -> str:
    return f"urn:pulumi:test::lemlist::{TYPE}::{name}"


#: The default ``pulumi-python`` provider resource, as Configure names it.
PROVIDER_META = {
    "urn": "urn:pulumi:test::lemlist::pulumi:providers:pulumi-python::default",
    "name": "default",
    "type": "pulumi:providers:pulumi-python",
    "id": "00000000-0000-0000-0000-000000000000",
}


def resource_meta(name: str = "r", status: bool = False) -> dict[str, Any]:
    """What the engine sends with every resource call besides the properties
    (provider_plugin.go: ``urn``, ``name``, ``type``); ``status``: also the address and token
    of the engine's resource-status service, which Create/Read/Update/Delete carry (the
    Python host never dials it, so none runs here)."""
    meta: dict[str, Any] = {"urn": urn(name), "name": name, "type": TYPE}
    if status:
        meta |= {"resource_status_address": "127.0.0.1:1", "resource_status_token": "token"}
    return meta


# -- a model of the engine's steps -----------------------------------------------------------
#
# Each method mirrors one engine function of pulumi/pulumi (v3.2xx), read from its source:
# pkg/resource/deploy/step_generator.go, pkg/resource/deploy/step.go and
# sdk/go/common/resource/plugin/provider_plugin.go (see ../shared/pulumi-engine-steps.md).
# What the engine would do that this model leaves out: parallel steps (see the concurrency
# tests), protect / retain_on_delete (refused or skipped by the engine before the provider
# is called), ignore_changes and targets.


@dataclass
class Resource:
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    #: The reasons of a partial failure, kept in the state (``InitErrors``) until a Read or
    #: Update succeeds again.
    init_errors: list[str] = field(default_factory=list)


@dataclass
class Engine:
    """The engine's view of one stack: resource name -> state, plus the steps it took.

    ``state`` holds what the engine records per resource: the id, the *checked inputs* (the
    Check result, also for a resource that stayed the same) and the provider's outputs.
    ``external`` holds resources read with ``get`` (never deleted by ``destroy``).
    """

    host: ProviderHost
    state: dict[str, Resource] = field(default_factory=dict)
    external: dict[str, Resource] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    pending_deletes: list[tuple[str, Resource]] = field(default_factory=list)
    refresh_diffs: dict[str, DiffOutcome] = field(default_factory=dict)
    #: What the CLI prints as warnings, per resource name.
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def preview(self, program: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
        """Plan each resource (:meth:`plan`); resources no longer declared plan a delete."""
        planned = {name: self.plan(name, news) for name, news in program.items()}
        planned.update(dict.fromkeys(self.state.keys() - program.keys(), "delete"))
        return planned

    def plan(self, name: str, news: Mapping[str, Any]) -> str:
        """One resource registration during ``pulumi preview``; returns the planned operation.

        Mirrors ``stepGenerator.generateSteps`` (step_generator.go) in a dry run: Check and
        Diff only (and a replacement's re-check); the engine never calls Create, Update or
        Delete of a dynamic provider in a preview (its host does not announce preview support
        in Configure).
        """
        old = self.state.get(name)
        checked = self._check(name, news, old)
        if old is None:
            return "create"
        d = self._diff(name, old, checked)
        if d.replaces:
            self._check(name, news, None)
            return "delete-replace" if d.delete_before_replace else "replace"
        # generateStepsFromDiff: unchanged but with init errors, an update step to retry.
        return "update" if d.changes or old.init_errors else "same"

    def up(self, program: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
        """Apply ``program`` (resource name -> inputs); return name -> operation done.

        Mirrors the engine's update: :meth:`register` for each resource the program
        declares, in order, then :meth:`finish`.
        """
        done = {name: self.register(name, news) for name, news in program.items()}
        done.update(self.finish(program.keys()))
        return done

    def register(self, name: str, news: Mapping[str, Any]) -> str:
        """One resource registration during ``pulumi up``; returns the operation done.

        Mirrors ``stepGenerator.generateSteps`` / ``generateStepsFromDiff``
        (step_generator.go) and the step executor: Check (olds = old inputs), Diff, then
        Create / Update / Same, or a replacement. A replacement re-runs Check with no olds
        (``generateStepsFromDiff``: "we need to recompute the default values") and creates
        from that result. delete-before-replace deletes first; otherwise the old resource's
        delete waits for :meth:`finish`, at the end of the update.
        """
        old = self.state.get(name)
        checked = self._check(name, news, old)
        if old is None:
            self._create(name, checked)
            return "create"
        d = self._diff(name, old, checked)
        if d.replaces:
            rechecked = self._check(name, news, None)
            if d.delete_before_replace:
                self._delete(name)
                self._create(name, rechecked)
                return "delete-replace"
            self._create(name, rechecked)
            self.pending_deletes.append((name, old))
            return "replace"
        # generateStepsFromDiff (step_generator.go): a resource whose state holds init
        # errors (``hasInitErrors``) gets an update step even when nothing changed.
        if d.changes or old.init_errors:
            self.state[name] = self._update(name, old, checked)
            return "update"
        # SameStep (step.go): the new checked inputs are recorded, the outputs kept.
        self.state[name] = Resource(old.id, checked, old.outputs)
        return "same"

    def finish(self, declared: Iterable[str]) -> dict[str, str]:
        """The end of an update: the replaced resources' pending deletes, then the deletes of
        resources the program no longer declares (``DeleteStep.Apply``, step.go)."""
        for name, old in self.pending_deletes:
            self._delete_resource(name, old)
        self.pending_deletes.clear()
        done: dict[str, str] = {}
        for name in sorted(self.state.keys() - set(declared)):
            self._delete(name)
            done[name] = "delete"
        return done

    def refresh(self) -> dict[str, str]:
        """Read every resource: ``kept`` (outputs updated) or ``deleted`` (provider says gone).

        Mirrors ``RefreshStep.Apply`` (step.go) and ``provider.Read``
        (provider_plugin.go): ``ReadRequest{id, properties: old outputs, inputs: old
        inputs}``; an empty id removes the resource; returned inputs replace the old ones.
        A refresh is a command of its own, in a host of its own
        (:meth:`ProviderHost.begin_operation`).
        Then the refresh diff (``RefreshStep.Apply`` calls ``diffResource`` with the new
        inputs and outputs as the olds and the old inputs as the news, and shows the inverted
        result): ``DiffRequest{olds: refreshed outputs, old_inputs: refreshed inputs, news:
        old inputs}``. ``refresh_diffs`` keeps each resource's answer.
        """
        done: dict[str, str] = {}
        self.host.begin_operation()
        for name, res in list(self.state.items()):
            reasons: list[str] = []
            try:
                id_, outs, inputs = self.host.read(res.id, res.outputs, res.inputs)
            except PartialFailure as partial:
                # RefreshStep.Apply: a partial failure does not fail the refresh: its
                # properties are kept, a warning names the reasons, the state keeps them.
                id_, outs, inputs = partial.id or res.id, partial.outputs, partial.inputs or {}
                reasons = partial.reasons
                self.warnings.setdefault(name, []).append(
                    "Refreshed resource is in an unhealthy state:\n* " + "\n* ".join(reasons)
                )
            if not id_:
                del self.state[name]
                done[name] = "deleted"
                continue
            new = Resource(id_, inputs or res.inputs, outs, reasons)
            self.refresh_diffs[name] = self.host.diff(
                id_, new.outputs, res.inputs, new.inputs, name
            )
            self.state[name] = new
            done[name] = "unhealthy" if reasons else "kept"
        return done

    def get(self, name: str, id_: str, program_inputs: Mapping[str, Any]) -> dict[str, Any]:
        """``EmailAccount.get``-style read of an existing resource; returns its outputs.

        Mirrors ``ReadStep.Apply`` (step.go): ``ReadRequest{id, properties: program inputs,
        inputs: program inputs}`` (``__provider`` is among them, so the host finds the
        provider). The resource is recorded as external: ``destroy`` never deletes it.
        """
        read_id, outs, inputs = self.host.read(id_, program_inputs, program_inputs)
        if not read_id:
            raise LookupError(f"resource '{id_}' does not exist")
        self.external[name] = Resource(read_id, inputs or dict(program_inputs), outs)
        return outs

    def import_(self, name: str, id_: str, program_inputs: Mapping[str, Any]) -> str:
        """``ResourceOptions(import_=id_)`` and ``pulumi import``.

        Mirrors ``ImportStep.Apply`` (step.go): ``prov.Read`` with the id only -- no
        properties, no inputs -- so the Python host fails with ``KeyError: '__provider'``
        before any provider code runs (pulumi/pulumi#16175). Should that ever change, the
        rest follows the same function: no outputs -> "does not exist", no inputs -> "does
        not support importing", then Check (olds = read inputs) and Diff, which must show no
        change ("inputs to import do not match the existing resource").
        """
        read_id, outs, inputs = self.host.read(id_, None, None)
        if not outs:
            raise LookupError(f"resource '{id_}' does not exist")
        if not inputs:
            raise LookupError("provider does not support importing resources")
        new_id = read_id or id_
        checked = self._check(name, program_inputs, Resource(new_id, inputs, outs))
        d = self.host.diff(new_id, outs, checked, inputs)
        if d.changes:
            raise AssertionError(f"inputs to import do not match the existing resource: {d}")
        self.state[name] = Resource(new_id, checked, outs)
        return new_id

    def destroy(self) -> None:
        """``pulumi destroy``: ``DeleteStep.Apply`` (step.go) for every managed resource."""
        for name in sorted(self.state):
            self._delete(name)

    def _check(self, name: str, news: Mapping[str, Any], old: Resource | None) -> dict[str, Any]:
        """``CheckRequest{olds: old inputs, news: program inputs}`` (``generateSteps``);
        ``old`` None for a new resource and for a replacement's re-check."""
        outcome = self.host.check(news, old.inputs if old else {}, name)
        if outcome.failures:
            raise CheckFailed(name, outcome.failures)
        return outcome.inputs

    def _diff(self, name: str, old: Resource, checked: Mapping[str, Any]) -> DiffOutcome:
        """``stepGenerator.diff`` -> ``diffResource`` (step_generator.go) -> ``provider.Diff``
        (provider_plugin.go): ``DiffRequest{id, olds: old OUTPUTS, old_inputs, news}``."""
        return self.host.diff(old.id, old.outputs, checked, old.inputs, name)

    def _create(self, name: str, inputs: dict[str, Any]) -> None:
        """``CreateStep.Apply`` (step.go): ``CreateRequest{properties: checked inputs}``.

        A failed create records nothing (a dynamic provider cannot report a partial one).
        """
        id_, outs = self.host.create(inputs, name)
        self.log.append(f"create {name} {id_}")
        self.state[name] = Resource(id_, inputs, outs)

    def _update(self, name: str, old: Resource, checked: dict[str, Any]) -> Resource:
        """``UpdateStep.Apply`` (step.go): ``UpdateRequest{id, olds: old OUTPUTS, old_inputs,
        news: checked inputs}``; the state then holds the checked inputs and new outputs."""
        try:
            outs = self.host.update(old.id, old.outputs, checked, old.inputs)
        except PartialFailure as partial:
            # UpdateStep.Apply: the new outputs and the reasons are recorded; the step fails.
            self.log.append(f"update {name} {old.id}")
            self.state[name] = Resource(old.id, checked, partial.outputs, partial.reasons)
            raise
        self.log.append(f"update {name} {old.id}")
        return Resource(old.id, checked, outs)

    def _delete(self, name: str) -> None:
        self._delete_resource(name, self.state[name])
        del self.state[name]

    def _delete_resource(self, name: str, res: Resource) -> None:
        """``DeleteStep.Apply`` (step.go): ``DeleteRequest{id, properties: old OUTPUTS,
        old_inputs}``."""
        self.log.append(f"delete {name} {res.id}")
        self.host.delete(res.id, res.outputs, res.inputs, name)


class CheckFailed(Exception):
    """The engine would stop the preview: check returned failures."""

    def __init__(self, name: str, failures: list[tuple[str, str]]) -> None:
        super().__init__(f"{name}: {failures}")
        self.failures = failures


# -- lifecycle cases as data -------------------------------------------------------------------


Program = Mapping[str, Mapping[str, Any]]


@dataclass
class Step:
    """One action of a lifecycle case and what must be true after it.

    ``action``: ``up`` / ``preview`` (with ``program``), ``refresh``, ``destroy``,
    ``get`` or ``import`` (with ``name``, ``id`` and ``program``), or ``outside``
    (``effect`` runs against the emulator, e.g. disconnecting a mailbox in "the lemlist UI").
    ``program`` and ``id`` may be callables of (engine, emulator), for values that only exist
    once earlier steps ran (the id of a mailbox connected outside Pulumi).
    ``expect``: the operations the step returns; ``error``: a substring the failure
    message must contain; ``accounts``: how many mailboxes the emulator holds after it;
    ``check``: any further assertion on (engine, emulator).
    """

    action: str
    program: Program | Callable[[Engine, Any], Program] | None = None
    name: str = ""
    id: str | Callable[[Engine, Any], str] = ""
    effect: Callable[[Engine, Any], None] | None = None
    expect: Mapping[str, str] | None = None
    error: str | None = None
    accounts: int | None = None
    check: Callable[[Engine, Any], None] | None = None


def run_steps(engine: Engine, emulator: Any, steps: Iterable[Step]) -> None:
    """Run a lifecycle case step by step, asserting each step's expectations."""
    for number, step in enumerate(steps, 1):
        where = f"step {number} ({step.action})"
        result: Any = None
        program = step.program(engine, emulator) if callable(step.program) else step.program
        try:
            if step.action == "up":
                assert program is not None
                result = engine.up(program)
            elif step.action == "preview":
                assert program is not None
                result = engine.preview(program)
            elif step.action == "refresh":
                result = engine.refresh()
            elif step.action == "destroy":
                engine.destroy()
            elif step.action in ("get", "import"):
                assert program is not None
                id_ = step.id(engine, emulator) if callable(step.id) else step.id
                call = engine.get if step.action == "get" else engine.import_
                result = call(step.name, id_, program[step.name])
            elif step.action == "outside":
                assert step.effect is not None
                step.effect(engine, emulator)
            else:
                raise ValueError(f"unknown action {step.action}")
        except (HostError, CheckFailed) as exc:
            if step.error is None:
                raise AssertionError(f"{where} failed unexpectedly: {exc}") from exc
            assert step.error in str(exc), f"{where}: {step.error!r} not in {exc}"
        else:
            assert step.error is None, f"{where} succeeded, expected error {step.error!r}"
        if step.expect is not None:
            assert result == dict(step.expect), f"{where}: {result} != {step.expect}"
        if step.accounts is not None:
            count = len(emulator.accounts())
            assert count == step.accounts, f"{where}: emulator holds {count} accounts"
        if step.check is not None:
            step.check(engine, emulator)
