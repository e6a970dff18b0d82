"""How many calls the provider host serves at once (``lemlist_resource.host.hostpool``, issue 11).

Through the real host (``python -m pulumi.dynamic``) against the emulator. Concurrency is
asserted by counting requests held at the server at the same time (stall faults, released
once enough are held) and the most requests ever in flight there (from its request log:
a call the host has not started yet cannot overlap the calls it is waiting on), never by
timing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from lemlist_emulator import Emulator
from lemlist_emulator.faults import Fault
from lemlist_emulator.pipeline import RequestRecord
from lemlist_resource.config.settings import resolve
from lemlist_resource.errors import ConfigurationError
from lemlist_resource.host import hostpool
from tests.conftest import API_KEY, assert_no_credentials, mailbox
from tests.harness import ROOT, HostError, ProviderHost

FUTURE_HOST = ("-u", str(ROOT / "tests" / "future_host.py"))
HELD = 60.0  # a stall fault holds a request this long unless released (never reached)


def max_in_flight(records: Sequence[RequestRecord]) -> int:
    """The most requests the emulator was handling at once (an end before a start on ties)."""
    events = sorted(
        [(r.started + r.duration, -1) for r in records] + [(r.started, 1) for r in records]
    )
    most = current = 0
    for _, step in events:
        current += step
        most = max(most, current)
    return most


@pytest.fixture
def free_emulator() -> Iterator[Emulator]:
    """An emulator without a rate limit: only the host limits how many calls overlap."""
    with Emulator(api_keys={API_KEY: "team_1"}, rate_limit=None) as emu:
        yield emu


@pytest.fixture
def start_host(free_emulator: Emulator) -> Iterator[Callable[..., ProviderHost]]:
    started: list[ProviderHost] = []

    def start(argv: Sequence[str] | None = None, **config: str) -> ProviderHost:
        host = ProviderHost(argv=argv) if argv else ProviderHost()
        started.append(host)
        host.configure(
            {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": free_emulator.url, **config},
            secret_keys=["lemlist:apiKey"],
        )
        host.check(mailbox())  # the host loads the provider on the first call that carries it
        return host

    yield start
    for host in started:
        assert_no_credentials(host.close())


def overlap(host: ProviderHost, emulator: Emulator, calls: int, held: int) -> int:
    """Refresh ``calls`` mailboxes at once, the first ``held`` requests held at the server
    until all of them are there; return the most requests ever in flight at the server."""
    ids = [emulator.connect(sender_email=f"s{i}@acme-mail.com") for i in range(calls)]
    emulator.clear_log()
    emulator.inject(Fault("stall", seconds=HELD, times=held, path="/test"))
    # live checks: each Read calls the test endpoint, where the requests are held
    outputs = {**mailbox(verify_on_refresh=True), "email": "x", "provider": "custom"}
    with ThreadPoolExecutor(max_workers=calls) as engine:
        reads = [engine.submit(host.read, id_, outputs) for id_ in ids]
        all_held = emulator.wait_stalled(held, timeout=HELD / 2)
        emulator.release_stalls()
        assert [read.result()[0] for read in reads] == ids
    assert all_held, f"{held} requests were never in flight at once"
    return max_in_flight(emulator.request_log())


# -- the widened host -------------------------------------------------------------------------


def test_host_serves_32_calls_at_once_by_default(
    start_host: Callable[..., ProviderHost], free_emulator: Emulator
) -> None:
    host = start_host()
    assert overlap(host, free_emulator, calls=40, held=32) == hostpool.DEFAULT_CONCURRENCY == 32


def test_calls_sent_before_the_provider_loads_are_served_wide(free_emulator: Emulator) -> None:
    # pulumi refresh: Configure, then --parallel Reads at once, which queue in the host's own
    # pool before any of them has loaded the provider.
    host = ProviderHost()
    try:
        host.configure({"lemlist:apiKey": API_KEY, "lemlist:apiUrl": free_emulator.url})
        assert overlap(host, free_emulator, calls=16, held=16) == 16
    finally:
        assert_no_credentials(host.close())


def test_lemlist_concurrency_sets_how_many(
    start_host: Callable[..., ProviderHost], free_emulator: Emulator
) -> None:
    host = start_host(**{"lemlist:concurrency": "8"})
    assert overlap(host, free_emulator, calls=12, held=8) == 8


def test_stock_width_is_four(
    start_host: Callable[..., ProviderHost], free_emulator: Emulator
) -> None:
    host = start_host(**{"lemlist:concurrency": "4"})
    assert overlap(host, free_emulator, calls=8, held=4) == 4


def test_unexpected_host_shape_warns_once_and_keeps_four_workers(
    start_host: Callable[..., ProviderHost], free_emulator: Emulator
) -> None:
    host = start_host(FUTURE_HOST, **{"lemlist:concurrency": "16"})
    assert overlap(host, free_emulator, calls=8, held=4) == 4
    id_, outs = host.create(host.check(mailbox(verify_connection=False)).inputs)
    host.delete(id_, outs)
    stderr = host.close()
    assert stderr.count("HostShapeWarning") == 1, stderr
    assert "no class DynamicResourceProviderServicer" in stderr
    assert "4 calls at once" in stderr


def test_stock_host_loads_the_provider_without_a_warning(
    start_host: Callable[..., ProviderHost],
) -> None:
    host = start_host()
    assert "Warning" not in host.close()


# -- only inside the host ---------------------------------------------------------------------


def test_inactive_when_a_program_or_a_test_imports_the_package() -> None:
    import lemlist_resource.email_account.provider  # noqa: F401 - importing is what must not install

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hostpool.in_host() is False
        assert hostpool.install() is False
        hostpool.resize(8)
    assert hostpool.concurrency() is None
    assert "pulumi.dynamic.__main__" not in sys.modules


def test_inactive_in_a_plain_program_process() -> None:
    script = (
        "import lemlist_resource.email_account.provider, lemlist_resource.host.hostpool as h, sys;"
        "print(h.in_host(), h.concurrency(), 'pulumi.dynamic.__main__' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["False", "None", "False"]
    assert done.stderr == ""


def _servicer_class() -> type:
    """A stand-in for the host's servicer, with fresh functions on every call."""

    def method(self: object) -> None: ...

    names = (*hostpool.METHODS, "Configure")
    return type(hostpool.SERVICER, (), {n: types.FunctionType(method.__code__, {}) for n in names})


@pytest.fixture
def fake_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """This process dressed as the host: a ``__main__`` with the host's spec name."""
    module = types.ModuleType("__main__")
    module.__spec__ = types.SimpleNamespace(name=hostpool.HOST_MAIN)  # type: ignore[assignment]
    setattr(module, hostpool.SERVICER, _servicer_class())
    monkeypatch.setitem(sys.modules, "__main__", module)
    monkeypatch.setattr(hostpool, "_STATE", hostpool._State())
    yield module
    if hostpool._STATE.pool is not None:
        hostpool._STATE.pool.shutdown()


def _pool_of(module: types.ModuleType, method: str) -> Any:
    return getattr(vars(getattr(module, hostpool.SERVICER))[method], hostpool.ATTRIBUTE, None)


def test_install_marks_the_provider_calls_and_resize_swaps_the_pool(
    fake_host: types.ModuleType,
) -> None:
    assert hostpool.install() is True and hostpool.install() is True
    pool = _pool_of(fake_host, "Create")
    assert pool is not None and hostpool.concurrency() == 32
    assert all(_pool_of(fake_host, m) is pool for m in hostpool.METHODS)
    assert _pool_of(fake_host, "Configure") is None  # the host's other calls keep its pool
    hostpool.resize(32)
    assert _pool_of(fake_host, "Read") is pool
    hostpool.resize(8)
    assert hostpool.concurrency() == 8
    assert all(_pool_of(fake_host, m) not in (None, pool) for m in hostpool.METHODS)
    with pytest.raises(RuntimeError):  # the old pool takes no new work
        pool.submit(print)


def test_first_configure_lets_the_host_pool_serve_its_queue(fake_host: types.ModuleType) -> None:
    hostpool.install()
    held = threading.Condition()
    running: list[int] = []
    release = threading.Event()

    def queued_call(number: int) -> None:
        with held:
            running.append(number)
            held.notify_all()
        release.wait(HELD)

    def first_call() -> None:  # loads the provider and configures it, once the wave is in
        wave_queued.wait(HELD)
        hostpool.resize(8)

    wave_queued = threading.Event()
    host_pool = ThreadPoolExecutor(max_workers=4)  # the host's own pool, as in the SDK
    try:
        configure = host_pool.submit(first_call)
        calls = [host_pool.submit(queued_call, n) for n in range(11)]
        wave_queued.set()
        configure.result()
        with held:
            assert held.wait_for(lambda: len(running) == 8, timeout=HELD / 2), running
    finally:
        release.set()
        host_pool.shutdown()
    assert all(call.exception() is None for call in calls)
    assert hostpool.concurrency() == 8


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m, p: delattr(m, hostpool.SERVICER), "no class"),
        (lambda m, p: delattr(getattr(m, hostpool.SERVICER), "Read"), ".Read is not"),
        (
            lambda m, p: p.setattr(hostpool, "GRPC_SELECTOR", ("grpc._server", "_gone")),
            "no grpc._server._gone",
        ),
    ],
    ids=["servicer renamed", "method missing", "grpc without the hook"],
)
def test_unexpected_shape_warns_once_and_changes_nothing(
    fake_host: types.ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[types.ModuleType, pytest.MonkeyPatch], None],
    reason: str,
) -> None:
    change(fake_host, monkeypatch)
    with pytest.warns(hostpool.HostShapeWarning, match=reason) as caught:
        assert hostpool.install() is False
        assert hostpool.install() is False
    assert len(caught) == 1
    assert hostpool.concurrency() is None
    servicer = getattr(fake_host, hostpool.SERVICER, None)
    if servicer is not None:
        assert not any(hasattr(f, hostpool.ATTRIBUTE) for f in vars(servicer).values())


# -- lemlist:concurrency ----------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [(None, 32), ("1", 1), (" 16 ", 16), ("64", 64)])
def test_concurrency_setting(raw: str | None, expected: int) -> None:
    assert resolve({"lemlist:concurrency": raw}.get, environ={}).concurrency == expected


def test_concurrency_from_the_environment() -> None:
    settings = resolve(lambda _key: None, environ={"LEMLIST_CONCURRENCY": "12"})
    assert settings.concurrency == 12


@pytest.mark.parametrize("raw", ["0", "65", "-4", "8.5", "many", "1e3", "²", "9" * 200])
def test_concurrency_setting_refuses(raw: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        resolve({"lemlist:concurrency": raw}.get, environ={})
    message = str(err.value)
    assert "lemlist:concurrency must be a whole number from 1 to 64" in message
    assert len(message) < 260  # a long value is echoed clipped (echo.shown)


def test_bad_concurrency_is_refused_at_check(free_emulator: Emulator) -> None:
    host = ProviderHost()
    try:
        host.configure(
            {
                "lemlist:apiKey": API_KEY,
                "lemlist:apiUrl": free_emulator.url,
                "lemlist:concurrency": "500",
            },
            secret_keys=["lemlist:apiKey"],
        )
        with pytest.raises(HostError) as err:
            host.check(mailbox())
    finally:
        assert_no_credentials(host.close())
    assert "lemlist:concurrency must be a whole number from 1 to 64" in err.value.message
    assert free_emulator.request_log() == []


# -- the pacer and 429s at 32 calls at once ---------------------------------------------------


def _create_many(host: ProviderHost, first: int, count: int) -> list[BaseException]:
    inputs = [
        host.check(mailbox(sender_email=f"m{i}@acme-mail.com", verify_connection=False)).inputs
        for i in range(first, first + count)
    ]
    with ThreadPoolExecutor(max_workers=32) as engine:
        calls = [engine.submit(host.create, props) for props in inputs]
        return [exc for call in calls if (exc := call.exception()) is not None]


def _limited(window: float) -> Emulator:
    """20 requests per ``window`` s per key, answering in 0.3 s +/- 0.1 (so calls overlap)."""
    return Emulator(api_keys={API_KEY: "team_1"}, rate_limit=(20, window), latency=0.3, jitter=0.1)


def _configured(emulator: Emulator) -> ProviderHost:
    host = ProviderHost()
    host.configure(
        {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emulator.url},
        secret_keys=["lemlist:apiKey"],
    )
    host.check(mailbox())
    return host


def test_32_calls_at_once_provoke_no_429() -> None:
    # The server's window is 1.9 s, not lemlist's 2: the pacer keeps 2.05 s, and the 0.1 s
    # of slack keeps this test about the pacer's logic at 32 threads, not about how late a
    # loaded machine runs a thread (the benchmark rows count 429s at the real 2 s window).
    with _limited(1.9) as emulator:
        host = _configured(emulator)
        try:
            failures = _create_many(host, 0, 64)
        finally:
            assert_no_credentials(host.close())
        assert failures == []
        assert emulator.count(status=429) == 0
        assert len(emulator.accounts()) == 64
        assert max_in_flight(emulator.request_log()) > 4


def test_two_hosts_on_one_key_absorb_429s() -> None:
    with _limited(2.0) as emulator:
        hosts = [_configured(emulator), _configured(emulator)]
        try:
            with ThreadPoolExecutor(max_workers=2) as both:
                runs = [both.submit(_create_many, h, 100 * n, 40) for n, h in enumerate(hosts)]
                failures = [exc for run in runs for exc in run.result()]
        finally:
            for host in hosts:
                assert_no_credentials(host.close())
        assert failures == []
        assert emulator.count(status=429) > 0  # each host's pacer knows only its own sends
        addresses = [a["sender_email"] for a in emulator.accounts()]
        assert len(addresses) == len(set(addresses)) == 80
