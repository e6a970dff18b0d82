"""Serve more than 4 calls at once in the Pulumi SDK's dynamic-provider host.

Why: the engine starts ``python -u -m pulumi.dynamic`` (``pulumi/dynamic/__main__.py``), which
serves gRPC with ``futures.ThreadPoolExecutor(max_workers=4)``, hard-coded, while the engine
sends up to ``--parallel`` (4 x cores) operations at once. lemlist's connect and test calls
take seconds, so 4 workers admit far fewer requests than lemlist's 10 per second (issue 11).

What it touches: an attribute of six servicer functions, and once, the width of the host's
own pool (below); nothing else. gRPC's server (``grpc/_server.py``,
``_select_thread_pool_for_behavior``, grpcio 1.85) looks up an ``experimental_thread_pool``
attribute on each method handler *at call time* and, when it holds a ``ThreadPoolExecutor``,
runs the call there instead of in the server's default pool. The host registers bound
methods of its ``DynamicResourceProviderServicer``, and a bound method reads attributes
through to its function, so setting ``experimental_thread_pool`` on the functions ``Check``,
``Diff``, ``Create``, ``Read``, ``Update`` and ``Delete`` of that class (in the host's
``__main__`` module) routes those calls to a pool of our width. The host's code, its
servicer and every other call (Configure, GetPluginInfo, Cancel) stay as they are.

When: the host imports this package inside the first call whose ``__provider`` it decodes
(``get_provider``: ``dill.loads``), and calls ``provider.configure`` with the stack config
right after, in the same call. So :func:`install` runs when ``provider.py`` is imported, with
:data:`DEFAULT_CONCURRENCY`, and :func:`resize` when ``configure`` has read
``lemlist:concurrency``. Calls that reached the host before (a ``pulumi refresh`` sends
``--parallel`` Reads at once) are already queued in the host's own pool, where no rerouting
reaches them; so the first ``resize`` also lets that pool start as many threads
(:func:`_widen_host_pool`: ``_max_workers`` of the ``ThreadPoolExecutor`` whose worker runs
``configure``; best effort, skipped if that is not how the host looks).

Active only in that host: ``sys.modules["__main__"].__spec__.name`` is
``pulumi.dynamic.__main__`` only under ``python -m pulumi.dynamic``; a Pulumi program, a test
or any other importer has another ``__main__`` and nothing happens. In the host, if the shape
is not the one above (a future SDK or grpcio), one :class:`HostShapeWarning` on stderr (the
engine shows the host's stderr to the user) and the host's stock behaviour.
"""

from __future__ import annotations

import gc
import importlib
import sys
import threading
import types
import warnings
from concurrent.futures import ThreadPoolExecutor

HOST_MAIN = "pulumi.dynamic.__main__"
SERVICER = "DynamicResourceProviderServicer"
#: The calls that reach provider code; the host's other calls keep its own pool.
METHODS = ("Check", "Diff", "Create", "Read", "Update", "Delete")
ATTRIBUTE = "experimental_thread_pool"
#: Where grpcio honours ATTRIBUTE (grpc/_server.py); its absence means the hook is gone.
GRPC_SELECTOR = ("grpc._server", "_select_thread_pool_for_behavior")

#: Calls served at once. Measured (docs/benchmarks.md): a refresh at lemlist's 2 s test
#: latency needs about 20 calls in flight to reach lemlist's 10 requests per second.
DEFAULT_CONCURRENCY = 32
MIN_CONCURRENCY = 1
MAX_CONCURRENCY = 64
STOCK_CONCURRENCY = 4  # the host's own pool
#: The widest pool the host opens by itself: DEFAULT_CONCURRENCY per team, up to 10 teams.
MAX_POOL = 10 * DEFAULT_CONCURRENCY


def for_teams(teams: int) -> int:
    """The pool width for a stack of ``teams`` teams when ``lemlist:concurrency`` is unset:
    :data:`DEFAULT_CONCURRENCY` per team (each team has its own pacer, so its own 20 requests
    per 2 s to fill), at most :data:`MAX_POOL`."""
    return min(DEFAULT_CONCURRENCY * max(teams, 1), MAX_POOL)


class HostShapeWarning(RuntimeWarning):
    """The provider host is not shaped as this module expects; it keeps 4 workers."""


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: ThreadPoolExecutor | None = None
        self.size = 0
        self.handlers: list[types.FunctionType] = []
        self.warned = False
        self.configured = False


_STATE = _State()


def in_host() -> bool:
    """True when this process is the SDK's dynamic-provider host (``python -m pulumi.dynamic``)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == HOST_MAIN


def _handlers(main: object) -> list[types.FunctionType] | str:
    """The servicer functions to mark, or why the host is not shaped as expected."""
    servicer = getattr(main, SERVICER, None)
    if not isinstance(servicer, type):
        return f"its __main__ has no class {SERVICER}"
    found = []
    for name in METHODS:
        function = vars(servicer).get(name)
        if not isinstance(function, types.FunctionType):
            return f"{SERVICER}.{name} is not a plain method"
        found.append(function)
    module_name, selector = GRPC_SELECTOR
    try:
        grpc_server = importlib.import_module(module_name)
    except ImportError:
        return f"{module_name} cannot be imported"
    if not callable(getattr(grpc_server, selector, None)):
        return f"this grpcio has no {module_name}.{selector} (the per-method pool hook)"
    return found


def install(concurrency: int = DEFAULT_CONCURRENCY) -> bool:
    """Route the host's provider calls to a pool of ``concurrency`` workers.

    Returns True when active. Outside the host: does nothing, returns False. In a host of an
    unexpected shape: warns once, changes nothing, returns False. Idempotent.
    """
    if not in_host():
        return False
    with _STATE.lock:
        if _STATE.pool is not None:
            return True
        handlers = _handlers(sys.modules["__main__"])
        if isinstance(handlers, str):
            if not _STATE.warned:
                _STATE.warned = True
                warnings.warn(
                    f"lemlist provider: the Pulumi dynamic-provider host is not shaped as "
                    f"expected ({handlers}), so it serves {STOCK_CONCURRENCY} calls at once "
                    "and lemlist:concurrency has no effect; operations on many mailboxes "
                    "will be slower. Please report this with your pulumi and grpcio versions.",
                    HostShapeWarning,
                    stacklevel=2,
                )
            return False
        _STATE.handlers = handlers
        _STATE.pool, _STATE.size = _mark(handlers, concurrency), concurrency
        return True


def resize(concurrency: int) -> None:
    """Serve ``concurrency`` calls at once from now on (no-op when not installed).

    The first time (``configure``, inside the host's first provider call), the host's own pool
    may also run that many threads, for the calls it queued before :func:`install`.
    """
    with _STATE.lock:
        old = _STATE.pool
        if old is None:
            return
        first, _STATE.configured = not _STATE.configured, True
        if _STATE.size == concurrency:
            old = None
        else:
            _STATE.pool, _STATE.size = _mark(_STATE.handlers, concurrency), concurrency
    if old is not None:
        old.shutdown(wait=False)  # calls already queued there still run
    if first:
        _widen_host_pool(concurrency)


def _widen_host_pool(size: int) -> bool:
    """Let the host's own pool (the one running this thread) start up to ``size`` threads.

    The engine's first wave (a refresh sends ``--parallel`` Reads at once) reaches the host
    before the provider is loaded, so it queues behind the host's 4 workers; rerouting
    cannot reach it. Best effort, through two attributes private to ``ThreadPoolExecutor``
    but unchanged since Python 3.2 (``_threads``, ``_max_workers``): if either is missing,
    or this thread is not a worker of a pool, nothing changes and those calls go 4 at a time.
    """
    me = threading.current_thread()
    for pool in (o for o in gc.get_objects() if isinstance(o, ThreadPoolExecutor)):
        if pool is _STATE.pool or me not in getattr(pool, "_threads", ()):
            continue
        width = getattr(pool, "_max_workers", None)
        if not isinstance(width, int) or width >= size:
            return False
        pool._max_workers = size
        for _ in range(size - width):  # a submit starts a thread while none is idle
            pool.submit(int)
        return True
    return False


def concurrency() -> int | None:
    """How many provider calls the host serves at once; None when this module is inactive."""
    with _STATE.lock:
        return None if _STATE.pool is None else _STATE.size


def _mark(handlers: list[types.FunctionType], size: int) -> ThreadPoolExecutor:
    if not MIN_CONCURRENCY <= size <= MAX_POOL:
        raise ValueError(f"concurrency must be {MIN_CONCURRENCY} to {MAX_POOL}")
    pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="lemlist-provider")
    for function in handlers:
        setattr(function, ATTRIBUTE, pool)
    return pool
