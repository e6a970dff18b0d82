"""A dynamic-provider host that records the shape of every request it receives.

    LEMLIST_RECORD=FILE python -u -m tests.engine_record

It is ``python -m pulumi.dynamic`` (the SDK's host, run as the engine runs it) with each
provider call first written to FILE as one JSON line: the method and the request's *shape*
(:func:`shape`), never a value, so no credential is ever recorded. The real engine reaches it
through a ``pulumi-resource-pulumi-python`` script earlier on PATH (tests/e2e/test_recorded.py);
the engine model through ``ProviderHost(argv=...)``. Both then record the same thing in the
same place, and tests/engine_requests.json holds what the real engine sent.
"""

from __future__ import annotations

import json
import os
import runpy
import threading
from typing import Any

from google.protobuf import struct_pb2

RECORDED = ("Configure", "Check", "Diff", "Create", "Read", "Update", "Delete")
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_LOCK = threading.Lock()


def _kind(name: str, value: struct_pb2.Value) -> str:
    """``provider``, ``secret``, ``unknown`` or the value's protobuf kind."""
    if name == "__provider":
        return "provider"
    if value.WhichOneof("kind") == "struct_value":
        sig = value.struct_value.fields.get(SECRET_SIG[0])
        if sig is not None and sig.string_value == SECRET_SIG[1]:
            return "secret"
    if value.WhichOneof("kind") == "string_value" and value.string_value == UNKNOWN:
        return "unknown"
    return str(value.WhichOneof("kind"))


def shape(request: Any) -> dict[str, Any]:
    """Which fields a request sets and, for property maps, which keys of which kind."""
    out: dict[str, Any] = {}
    for descriptor, value in request.ListFields():
        if isinstance(value, struct_pb2.Struct):
            out[descriptor.name] = {k: _kind(k, v) for k, v in sorted(value.fields.items())}
        elif descriptor.name == "variables":
            out[descriptor.name] = sorted(value)
        else:
            out[descriptor.name] = "set"
    return out


def _recording(method: str, call: Any, path: str) -> Any:
    def record(request: Any, context: Any) -> Any:
        line = json.dumps({"method": method, "request": shape(request)}, sort_keys=True)
        with _LOCK, open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
        return call(request, context)

    return record


def _install(path: str) -> None:
    """Wrap the servicer's provider calls as the SDK's host registers it."""
    from pulumi.runtime.proto import provider_pb2_grpc

    register = provider_pb2_grpc.add_ResourceProviderServicer_to_server

    def add(servicer: Any, server: Any) -> None:
        for method in RECORDED:
            setattr(servicer, method, _recording(method, getattr(servicer, method), path))
        register(servicer, server)

    provider_pb2_grpc.add_ResourceProviderServicer_to_server = add


if __name__ == "__main__":
    _install(os.environ["LEMLIST_RECORD"])
    runpy.run_module("pulumi.dynamic.__main__", run_name="__main__", alter_sys=True)
