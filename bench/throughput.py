"""Throughput of `pulumi up` creating N senders, against lemlist's limit of 20 requests / 2 s.

Every row starts a fresh emulator (a fresh rate window, lemlist's 20 requests per 2 s per
key, server-side latency) and a fresh provider host (``--host``: ``widened``, the host as the
engine starts it, serving ``lemlist:concurrency`` = 32 calls at once; ``stock``, the SDK's 4
workers as before issue 11; see ``bench/common.py``). The inputs are checked first (not
timed), then ``--threads`` threads issue the N ``Create`` calls at once, as the engine does
when it runs resource operations in parallel; the host's workers take them as they free up.

Figures per row: elapsed time from the first ``Create`` sent to the last one answered; the
bound ``(R*N - 20) / 10`` s where R is the number of API requests per sender (1 without the
connectivity check, 2 with it): the first 20 requests may go at once, then lemlist admits 10
per second; the 429s lemlist answered; the ``Create`` calls that failed; and the accounts the
emulator holds afterwards (must be N, no two for the same address).

Two strategies: ``paced`` is the real provider (its client takes a send slot from a pacer
shared by the host's threads); ``naive`` is the same provider with pacing turned off, where
only the thread that received a 429 sleeps for its Retry-After (``bench/naive.py``).

    python -m bench.throughput                      # N = 100 and 500, both strategies
    python -m bench.throughput --n 100 --latency 0.2
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from concurrent.futures import ALL_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from pulumi.dynamic.dynamic import serialize_provider

from bench import common
from bench.common import API_KEY, close_host, machine_markdown, sender, start_host
from bench.naive import NaiveProvider
from lemlist_emulator import Emulator
from lemlist_emulator.ratelimit import LEMLIST_RATE
from lemlist_resource.config.names import KEY_CONFIG, URL_CONFIG
from tests.harness import HostError, ProviderHost

LIMIT, WINDOW = LEMLIST_RATE
WORKERS = {"stock": 4, "widened": 32}  # calls the host serves at once
HOSTS = tuple(WORKERS)
STRATEGIES = ("paced", "naive")


@dataclass
class Row:
    """One measured configuration."""

    strategy: str
    verify: bool
    n: int
    latency: float
    jitter: float
    elapsed: float = 0.0
    requests: int = 0
    rate_limited: int = 0
    failures: int = 0
    unfinished: int = 0
    accounts: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    host: str = "widened"

    @property
    def per_sender(self) -> int:
        return 2 if self.verify else 1

    @property
    def bound(self) -> float:
        """Seconds lemlist's limit makes unavoidable: 20 at once, then 10 per second."""
        return max(self.per_sender * self.n - LIMIT, 0) * WINDOW / LIMIT

    @property
    def ratio(self) -> float:
        return self.elapsed / self.bound if self.bound else float("nan")

    @property
    def floor(self) -> float:
        """The least any client could take with the host's W workers and this mean latency.

        Requests go in groups of 20, one group per window; inside a group only W are in
        flight at once, so a group needs ``ceil(size / W)`` round trips. The bound above
        ignores those round trips (it assumes 20 requests leave and finish at once). And
        W workers never send more than ``W / latency`` requests per second, whatever the limit.
        """
        workers = WORKERS[self.host]
        total = self.per_sender * self.n
        groups = math.ceil(total / LIMIT)
        last = total - LIMIT * (groups - 1)
        paced = (groups - 1) * WINDOW + math.ceil(last / workers) * self.latency
        return max(paced, math.ceil(total / workers) * self.latency)

    def cells(self) -> list[object]:
        failed = f"{self.failures}" + (f" (+{self.unfinished} cut off)" if self.unfinished else "")
        return [
            f"{self.host} ({WORKERS[self.host]})",
            self.strategy,
            "on" if self.verify else "off",
            self.n,
            self.requests,
            f"> {self.elapsed:.2f}" if self.unfinished else f"{self.elapsed:.2f}",
            f"{self.bound:.2f}",
            f"> {self.ratio:.3f}" if self.unfinished else f"{self.ratio:.3f}",
            f"{self.floor:.2f}",
            self.rate_limited,
            failed,
            self.accounts,
            self.duplicates,
        ]


HEADERS = (
    "host (calls at once)", "strategy", "verify", "N", "requests", "elapsed s", "bound s",
    "elapsed / bound", "host floor s", "429s", "failures", "accounts", "duplicates",
)  # fmt: skip


def measure(
    strategy: str,
    n: int,
    *,
    verify: bool = False,
    latency: float = 0.08,
    jitter: float = 0.04,
    threads: int = 16,
    timeout: float = 300.0,
    seed: int = 6,
    host: str = "widened",
    arrival_jitter: float = 0.0,
) -> Row:
    """Create ``n`` senders through a fresh host against a fresh emulator; return the figures."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}")
    row = Row(strategy, verify, n, latency, jitter, host=host)
    provider = serialize_provider(NaiveProvider()) if strategy == "naive" else None
    with Emulator(
        api_keys={API_KEY: "team_1"},
        rate_limit=(LIMIT, WINDOW),
        latency=latency,
        jitter=jitter,
        seed=seed,
        arrival_jitter=arrival_jitter,
    ) as emulator:
        host = start_host({KEY_CONFIG: API_KEY, URL_CONFIG: emulator.url}, provider, row.host)
        try:
            inputs = [_checked(host, sender(i, verify_connection=verify)) for i in range(n)]
            pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="engine")
            started = time.monotonic()
            finished: list[float] = []
            futures: list[Future[tuple[str, dict[str, object]]]] = []
            for props in inputs:
                future = pool.submit(host.create, props)
                future.add_done_callback(lambda _f: finished.append(time.monotonic()))
                futures.append(future)
            done, pending = wait(futures, timeout=timeout, return_when=ALL_COMPLETED)
            row.elapsed = (max(finished) if finished else time.monotonic()) - started
            if pending:
                row.unfinished = len(pending)
                row.elapsed = timeout
            pool.shutdown(wait=False, cancel_futures=True)
            for future in done:
                exc = future.exception()
                if exc is not None:
                    row.failures += 1
                    message = exc.message if isinstance(exc, HostError) else repr(exc)
                    row.errors.append(message.strip().splitlines()[-1][:300])
        finally:
            close_host(host)  # also ends calls still running after a timeout
        emulator.wait_idle(timeout=10)
        addresses = [str(a["sender_email"]).lower() for a in emulator.accounts()]
        row.accounts = len(addresses)
        row.duplicates = len(addresses) - len(set(addresses))
        row.requests = len(emulator.request_log())
        row.rate_limited = emulator.count(status=429)
    return row


def _checked(host: ProviderHost, props: dict[str, object]) -> dict[str, object]:
    outcome = host.check(props)
    if outcome.failures:
        raise SystemExit(f"the benchmark's inputs are invalid: {outcome.failures}")
    return outcome.inputs


def run(
    ns: Sequence[int],
    strategies: Sequence[str] = STRATEGIES,
    verify: Sequence[bool] = (False, True),
    latency: float = 0.08,
    jitter: float = 0.04,
    threads: int = 16,
    naive_timeout: float = 180.0,
    progress: bool = True,
    hosts: Sequence[str] = ("widened",),
    arrival_jitter: float = 0.0,
) -> list[Row]:
    """Measure every combination; the naive rows are cut off after ``naive_timeout`` s."""
    rows = []
    for n in ns:
        for check in verify:
            for strategy in strategies:
                for host in hosts:
                    timeout = naive_timeout if strategy == "naive" else 600.0
                    if progress:
                        on_off = "on " if check else "off"
                        print(f"  {host} {strategy:5} verify={on_off} N={n} ...", end="")
                    row = measure(
                        strategy,
                        n,
                        verify=check,
                        latency=latency,
                        jitter=jitter,
                        threads=threads,
                        timeout=timeout,
                        host=host,
                        arrival_jitter=arrival_jitter,
                    )
                    if progress:
                        print(
                            f" {row.elapsed:.1f} s, ratio {row.ratio:.3f}, {row.rate_limited} 429s"
                        )
                    rows.append(row)
    return rows


def report(rows: Sequence[Row]) -> str:
    """The Markdown table, plus the first distinct error of every row that had failures."""
    return common.report(
        HEADERS,
        rows,
        Row.cells,
        lambda row: f"{row.strategy} verify={row.verify} N={row.n}",
        lambda row: row.errors,
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, nargs="+", default=[100, 500], help="senders per row")
    p.add_argument(
        "--latency", type=float, default=0.08, help="server-side seconds per response (0.08)"
    )
    p.add_argument("--jitter", type=float, default=0.04, help="+/- uniform jitter (0.04)")
    p.add_argument("--threads", type=int, default=16, help="concurrent Create calls (16)")
    p.add_argument(
        "--strategy", choices=STRATEGIES, nargs="+", default=list(STRATEGIES), help="both"
    )
    p.add_argument(
        "--verify",
        choices=("off", "on"),
        nargs="+",
        default=["off", "on"],
        help="verify_connection rows: off = 1 request per sender, on = 2 (both)",
    )
    p.add_argument(
        "--naive-timeout", type=float, default=180.0, help="cut a naive row off after (180 s)"
    )
    p.add_argument(
        "--host", choices=HOSTS, nargs="+", default=["widened"], help="widened (32), stock (4)"
    )
    p.add_argument("--arrival-jitter", type=float, default=0.0, metavar="MS",
                   help="emulator: up to MS ms from accepting to counting (0)")  # fmt: skip
    return p


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    print(machine_markdown())
    print(
        f"Emulator: {LIMIT} requests / {WINDOW:g} s per key, latency {args.latency:g} s "
        f"+/- {args.jitter:g} s, arrival jitter up to {args.arrival_jitter:g} ms; "
        f"{args.threads} concurrent Create calls into the host "
        f"({', '.join(f'{h}: {WORKERS[h]} calls at once' for h in args.host)}).\n"
    )
    rows = run(
        args.n,
        args.strategy,
        [v == "on" for v in args.verify],
        args.latency,
        args.jitter,
        args.threads,
        args.naive_timeout,
        hosts=args.host,
        arrival_jitter=args.arrival_jitter / 1000,
    )
    print()
    print(report(rows))


if __name__ == "__main__":
    main()
