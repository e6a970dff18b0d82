"""An unhealthy mailbox, as the engine understands one: a Read or Update that answers a
partial failure.

Why: lemlist can report a mailbox it still holds as ``ERROR`` or ``DISCONNECTED``: it exists
and stays in the stack, but it does not send. The engine has a way to say exactly that
(pulumi/pulumi v3.260.0):

* ``sdk/go/common/resource/plugin/provider_plugin.go`` ``parseError``: a failed Read or Update
  whose gRPC status carries an ``ErrorResourceInitFailed`` detail is a *partial failure*: the
  detail's properties and inputs are the resource's, its reasons an ``InitError``;
* ``pkg/resource/deploy/step.go`` ``RefreshStep.Apply``: a partial failure does not fail the
  refresh: the properties are kept, the CLI warns "Refreshed resource is in an unhealthy
  state: * <reason>", and the reasons are saved in the state (``InitErrors``);
* ``step_generator.go`` ``generateStepsFromDiff`` (``hasInitErrors``): a resource with saved
  reasons gets an update step at the next ``up`` even when nothing changed, so
  ``preview --expect-no-changes`` reports it and ``up`` calls Update, which looks again;
  ``UpdateStep.Apply`` keeps the reasons of a partial failure and fails the step with them.

Without this a refresh that finds a broken mailbox changes only its outputs, which the CLI
does not show (its refresh diff is the provider's Diff of the inputs): "unchanged".

How: the SDK's dynamic-provider host (``pulumi/dynamic/__main__.py``) answers Read and Update
with properties only, and this package is imported inside the host's first call (when it
unpickles the provider), too late to change that call. So :func:`report` marks the call in
progress instead: it finds the call's gRPC context (the ``context`` argument of the host's
``Read``/``Update``, up the stack of the calling thread) and sets status UNKNOWN, the reasons
as its message and the ``ErrorResourceInitFailed`` detail in ``grpc-status-details-bin`` (the
standard ``google.rpc.Status`` trailer, as ``grpcio-status``'s ``abort_with_status`` sends
it). The provider then returns its result as usual; gRPC sends the status with it, and the
engine reads the status. Outside the host nothing happens; a host of another shape (no such
context found) warns once and the mailbox's state is an output change only, as before.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import status_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from .hostdiff import PROVIDER_KEY
from .hostpool import in_host

#: The trailer grpc-go reads a status's details from (``status.FromError``).
DETAILS_TRAILER = "grpc-status-details-bin"
#: The host's methods whose calls may end as a partial failure.
CALLS = ("Read", "Update")
_WARNED: list[bool] = []
_LOCK = threading.Lock()


class HostHealthWarning(RuntimeWarning):
    """The provider host is not shaped as expected: a broken mailbox is an output only."""


def _struct(props: Mapping[str, Any]) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def partial_failure(
    context: grpc.ServicerContext,
    id_: str,
    properties: Any,
    inputs: Any | None,
    reasons: Sequence[str],
) -> None:
    """Make the call on ``context`` end as a partial failure (``ErrorResourceInitFailed``)."""
    detail = provider_pb2.ErrorResourceInitFailed(
        id=id_, properties=properties, reasons=list(reasons)
    )
    if inputs is not None:
        detail.inputs.CopyFrom(inputs)
    packed = any_pb2.Any()
    packed.Pack(detail)
    message = "; ".join(reasons)
    status = status_pb2.Status(
        code=grpc.StatusCode.UNKNOWN.value[0], message=message, details=[packed]
    )
    context.set_trailing_metadata(((DETAILS_TRAILER, status.SerializeToString()),))
    context.set_code(grpc.StatusCode.UNKNOWN)
    context.set_details(message)


def current_context() -> grpc.ServicerContext | None:
    """The gRPC context of the host's ``Read`` or ``Update`` this thread is serving, if any:
    the ``context`` argument of the nearest such frame of the host's ``__main__``."""
    main = sys.modules.get("__main__")
    host_file = getattr(main, "__file__", None)
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name in CALLS and code.co_filename == host_file:
            context = frame.f_locals.get("context")
            return context if isinstance(context, grpc.ServicerContext) else None
        frame = frame.f_back  # type: ignore[assignment]
    return None


def report(
    reasons: Sequence[str],
    id_: str,
    outputs: Mapping[str, Any],
    inputs: Mapping[str, Any] | None,
    provider: Any,
) -> bool:
    """End the host call in progress as a partial failure of the resource ``id_`` with these
    ``outputs`` and ``inputs`` (its ``provider`` reference added, as the host adds it), for
    ``reasons``. True when done; outside the host, or in one of another shape, False."""
    if not in_host():
        return False
    context = current_context()
    if context is None:
        with _LOCK:
            if not _WARNED:
                _WARNED.append(True)
                warnings.warn(
                    "lemlist provider: the Pulumi dynamic-provider host is not shaped as "
                    "expected (no Read/Update call context found), so a mailbox lemlist reports "
                    "broken shows in its outputs only, not as a refresh warning. Please report "
                    "this with your pulumi version.",
                    HostHealthWarning,
                    stacklevel=2,
                )
        return False
    properties = _struct({**outputs, PROVIDER_KEY: provider})
    live_inputs = None if inputs is None else _struct({**inputs, PROVIDER_KEY: provider})
    partial_failure(context, id_, properties, live_inputs, reasons)
    return True
