"""`pulumi up` and `pulumi refresh` against a lemlist that takes seconds: stock host vs widened.

lemlist's connect and test log into the mailbox's servers: the emulator's ``lemlist`` latency
profile answers connect in 1.0 s +/- 0.3, test in 2.0 s +/- 0.5 and disconnect in 0.3 s +/- 0.1
(uniform, seeded), with lemlist's limit of 20 requests per 2 s per key. Every row starts a
fresh emulator and a fresh host of one of two kinds (``bench/common.py``, ``HOST_ARGV``):
``stock``, the SDK's host serving 4 calls at once as before issue 11, and ``widened``, the
host as the engine starts it, where the provider serves ``lemlist:concurrency`` (default 32)
calls at once. ``--threads`` (32) engine threads issue the calls, as ``pulumi up`` does with
``--parallel`` 32 (the engine's default on an 8-core machine: 4 x cores).

Rows: create N senders with ``verify_connection`` off (1 request each: connect) and on (2:
connect, then test), after checking every input (not timed; ``up`` checks before it creates,
so the host has loaded the provider); and refresh N senders already connected with live
checks (``verify_on_refresh``: 1 test call each, besides lemlist's listing; without it a
refresh reads the listing alone, issue 27) on a host that has served nothing yet, as
``pulumi refresh`` starts one.

Per row, with ``r`` the requests lemlist admitted: the limit ``(r - 20) / 10 + RT`` seconds
(the first 20 may go at once, then 10 per second, then the last one takes a round trip ``RT``,
the profile's mean latency of the last request: connect's 1.0 s when verify is off, test's
2.0 s otherwise); elapsed from the first call sent to the last one answered; the ratio; 429s
lemlist answered; failed calls; and for creates, the accounts lemlist holds (must be N, none
twice).

    python -m bench.concurrency                    # create 100 (off, on), refresh 300, both hosts
    python -m bench.concurrency --create 20 --refresh 60     # a quick look
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench import common
from bench.common import API_KEY, close_host, machine_markdown, sender, start_host
from lemlist_emulator import Emulator
from lemlist_emulator.latency import PROFILES
from lemlist_resource.config.names import CONCURRENCY_CONFIG, KEY_CONFIG, URL_CONFIG
from lemlist_resource.host.hostpool import DEFAULT_CONCURRENCY
from tests.harness import HostError, ProviderHost

LIMIT, WINDOW = 20, 2.0
PROFILE = "lemlist"
HOSTS = ("stock", "widened")
MEAN = PROFILES[PROFILE][0]  # operation -> mean latency (s)


@dataclass
class Row:
    """One measured configuration."""

    operation: str  # "create" or "refresh"
    verify: bool
    host: str
    n: int
    elapsed: float = 0.0
    requests: int = 0
    rate_limited: int = 0
    failures: int = 0
    accounts: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        """Calls the host serves at once."""
        kind, _, width = self.host.partition(":")
        return 4 if kind == "stock" else int(width or DEFAULT_CONCURRENCY)

    @property
    def round_trip(self) -> float:
        return MEAN["connect"] if self.operation == "create" and not self.verify else MEAN["test"]

    @property
    def limit(self) -> float:
        """What lemlist's limit allows: 20 at once, then 10 per second, plus one round trip."""
        return max(self.requests - LIMIT, 0) * WINDOW / LIMIT + self.round_trip

    @property
    def ratio(self) -> float:
        return self.elapsed / self.limit

    def cells(self) -> list[object]:
        what = "refresh" if self.operation == "refresh" else f"create, verify {self.on_off}"
        accounts = (
            f"{self.accounts} ({self.duplicates} twice)" if self.operation == "create" else ""
        )
        return [
            what,
            self.n,
            f"{self.host} ({self.width})",
            self.requests,
            f"{self.elapsed:.2f}",
            f"{self.limit:.2f}",
            f"**{self.ratio:.3f}**",
            self.rate_limited,
            self.failures,
            accounts,
        ]

    @property
    def on_off(self) -> str:
        return "on" if self.verify else "off"


HEADERS = (
    "operation",
    "N",
    "host (calls at once)",
    "requests r",
    "elapsed s",
    "limit s",
    "elapsed / limit",
    "429s",
    "failures",
    "accounts",
)


def _emulator(seed: int) -> Emulator:
    return Emulator(
        api_keys={API_KEY: "team_1"}, rate_limit=(LIMIT, WINDOW), profile=PROFILE, seed=seed
    )


def _timed(
    host: ProviderHost, calls: Sequence[Callable[[], object]], threads: int
) -> tuple[float, list[str]]:
    """Run ``calls`` from ``threads`` engine threads; return (elapsed, error messages)."""
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="engine") as engine:
        started = time.monotonic()
        futures = [engine.submit(call) for call in calls]
        for future in futures:
            exc = future.exception()
            if exc is not None:
                message = exc.message if isinstance(exc, HostError) else repr(exc)
                errors.append(message.strip().splitlines()[-1][:300])
        elapsed = time.monotonic() - started
    return elapsed, errors


def _finish(row: Row, emulator: Emulator, host: ProviderHost, errors: list[str]) -> Row:
    close_host(host)
    emulator.wait_idle(timeout=10)
    row.failures, row.errors = len(errors), errors
    row.rate_limited = emulator.count(status=429)
    row.requests = len(emulator.request_log()) - row.rate_limited
    return row


def _host(emulator: Emulator, spec: str) -> ProviderHost:
    """A fresh host per ``spec``: ``stock``, ``widened`` or ``widened:W`` (lemlist:concurrency)."""
    kind, _, width = spec.partition(":")
    config = {KEY_CONFIG: API_KEY, URL_CONFIG: emulator.url}
    if width:
        config[CONCURRENCY_CONFIG] = width
    return start_host(config, host=kind)


def measure_create(n: int, verify: bool, host_spec: str, threads: int = 32, seed: int = 11) -> Row:
    """Create ``n`` senders through a fresh host against a fresh lemlist-like emulator."""
    row = Row("create", verify, host_spec, n)
    with _emulator(seed) as emulator:
        host = _host(emulator, host_spec)
        inputs = [host.check(sender(i, verify_connection=verify)).inputs for i in range(n)]
        calls = [lambda props=props: host.create(props) for props in inputs]
        row.elapsed, errors = _timed(host, calls, threads)
        _finish(row, emulator, host, errors)
        addresses = [str(a["sender_email"]).lower() for a in emulator.accounts()]
        row.accounts = len(addresses)
        row.duplicates = len(addresses) - len(set(addresses))
    return row


def measure_refresh(n: int, host_spec: str, threads: int = 32, seed: int = 12) -> Row:
    """Refresh ``n`` connected senders through a fresh host that has served nothing yet."""
    row = Row("refresh", True, host_spec, n)
    with _emulator(seed) as emulator:
        state = [_connected(emulator, i) for i in range(n)]
        host = _host(emulator, host_spec)
        calls = [lambda id_=id_, outs=outs: _kept(host, id_, outs) for id_, outs in state]
        row.elapsed, errors = _timed(host, calls, threads)
        _finish(row, emulator, host, errors)
    return row


def _connected(emulator: Emulator, index: int) -> tuple[str, dict[str, Any]]:
    """A sender connected in lemlist, and the outputs its stack state holds."""
    inputs = sender(index, verify_connection=False, verify_on_refresh=True)
    ours = ("verify_connection", "verify_on_refresh")  # not lemlist's fields
    fields = {k: v for k, v in inputs.items() if k not in ours}
    id_ = emulator.connect(**fields)
    return id_, {**inputs, "email": inputs["sender_email"], "provider": "custom"}


def _kept(host: ProviderHost, id_: str, outputs: dict[str, Any]) -> None:
    found, _, _ = host.read(id_, outputs, outputs)
    if found != id_:
        raise RuntimeError(f"refresh lost {id_}")


def run(create: int, refresh: int, hosts: Sequence[str] = HOSTS, threads: int = 32) -> list[Row]:
    """Every row, the hosts side by side; progress on stdout."""
    rows: list[Row] = []
    plan: list[tuple[str, Callable[[str], Row]]] = []
    if create:
        for verify in (False, True):
            plan.append(
                (
                    f"create N={create} verify={'on' if verify else 'off'}",
                    lambda kind, v=verify: measure_create(create, v, kind, threads),
                )
            )
    if refresh:
        plan.append((f"refresh N={refresh}", lambda kind: measure_refresh(refresh, kind, threads)))
    for title, measure in plan:
        for kind in hosts:
            print(f"  {title} host={kind} ...", end="", flush=True)
            row = measure(kind)
            print(f" {row.elapsed:.1f} s, limit {row.limit:.1f} s, {row.rate_limited} 429s")
            rows.append(row)
    return rows


def report(rows: Sequence[Row]) -> str:
    """The Markdown table, plus the first distinct errors of a row that had failures."""
    return common.report(
        HEADERS,
        rows,
        Row.cells,
        lambda row: f"{row.operation} {row.host} N={row.n}",
        lambda row: row.errors,
    )


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--create", type=int, default=100, help="senders per create row (100; 0: none)")
    p.add_argument("--refresh", type=int, default=300, help="senders to refresh (300; 0: none)")
    p.add_argument("--threads", type=int, default=32, help="engine threads (32)")
    p.add_argument(
        "--host",
        nargs="+",
        default=list(HOSTS),
        help="stock, widened (lemlist:concurrency unset) or widened:W (W calls at once)",
    )
    args = p.parse_args(argv)
    print(machine_markdown())
    connect, test = MEAN["connect"], MEAN["test"]
    print(
        f"Emulator: {LIMIT} requests / {WINDOW:g} s per key, latency profile '{PROFILE}' "
        f"(connect {connect:g} s, test {test:g} s, +/- jitter); {args.threads} engine threads.\n"
    )
    rows = run(args.create, args.refresh, args.host, args.threads)
    print()
    print(report(rows))


if __name__ == "__main__":
    main()
