"""Why a resource changes, as the preview shows it: the changed fields, by name.

Why: the SDK's dynamic-provider host (``pulumi/dynamic/__main__.py``, pulumi 3.260.0) answers
Diff with ``changes``, ``replaces`` and ``deleteBeforeReplace`` only. The engine then works
out the ``[diff: …]`` summary from the inputs itself, and it shows nothing for a change to a
secret (a password rotation previews as a bare ``+- carol replace``) nor for a value not
known yet (a Warmup that follows a replaced mailbox).

What it touches: the function the host's ``Diff`` wrapper calls, swapped for the stock logic plus
``diffs`` and a detailed diff (``hasDetailedDiff``) naming every changed field, when the
provider's answer is a :class:`NamedDiff`. Names only: the engine shows a secret's values as
``[secret]``. The host's own ``_abort_with_traceback`` still wraps it, so errors read as before.
Active only in that host; a host not shaped as expected keeps its stock Diff.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from pulumi.dynamic import DiffResult
from pulumi.runtime import proto, rpc

from .hostpool import in_host

SERVICER = "DynamicResourceProviderServicer"
_LOCK = threading.Lock()
PROVIDER_KEY = "__provider"


class NamedDiff(DiffResult):
    """A :class:`DiffResult` that also names the fields that changed (``diffs``)."""

    def __init__(self, diffs: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.diffs = list(diffs)


def response(result: DiffResult) -> Any:
    """The DiffResponse for ``result``: the stock fields, and the changed names if known."""
    fields: dict[str, Any] = {}
    if result.changes is None:
        fields["changes"] = proto.DiffResponse.DIFF_UNKNOWN
    elif result.changes:
        fields["changes"] = proto.DiffResponse.DIFF_SOME
    else:
        fields["changes"] = proto.DiffResponse.DIFF_NONE
    replaces = list(result.replaces or [])
    fields["replaces"] = replaces
    if result.delete_before_replace is not None:
        fields["deleteBeforeReplace"] = result.delete_before_replace
    names = getattr(result, "diffs", None)
    if isinstance(result, NamedDiff) and names and result.changes:
        fields["diffs"] = names
        fields["hasDetailedDiff"] = True
        fields["detailedDiff"] = {
            name: proto.PropertyDiff(
                kind=proto.PropertyDiff.UPDATE_REPLACE
                if name in replaces
                else proto.PropertyDiff.UPDATE,
                inputDiff=True,
            )
            for name in names
        }
    return proto.DiffResponse(**fields)


def install() -> bool:
    """In the host, make Diff name the changed fields. True when active; idempotent."""
    if not in_host():
        return False
    main = sys.modules["__main__"]
    servicer = getattr(main, SERVICER, None)
    get_provider = getattr(main, "get_provider", None)
    stock = vars(servicer).get("Diff") if isinstance(servicer, type) else None
    cells = [
        cell
        for cell in getattr(stock, "__closure__", None) or ()
        if getattr(cell.cell_contents, "__name__", None) == "Diff"
    ]
    if get_provider is None or len(cells) != 1:
        return False
    with _LOCK:
        if getattr(cells[0].cell_contents, "_names_fields", False):
            return True

        def diff(self: Any, request: Any, _context: Any) -> Any:
            olds = rpc.deserialize_properties(request.olds, True)
            news = rpc.deserialize_properties(request.news, True)
            source = olds if news[PROVIDER_KEY] == rpc.UNKNOWN else news
            provider = get_provider(source, self._config)
            return response(provider.diff(request.id, olds, news))

        diff.__name__ = "Diff"
        diff._names_fields = True  # type: ignore[attr-defined]
        # The gRPC server bound the host's wrapper at start: swap what that wrapper calls.
        cells[0].cell_contents = diff
        return True
