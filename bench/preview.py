"""Preview cost: ``check`` + ``diff`` of N senders through the host, against a do-nothing floor.

A `pulumi preview` of an unchanged stack calls Check then Diff once per resource. This
benchmark makes exactly those calls for N distinct senders (each diff against the outputs
of a connected mailbox, so it answers "no change") through one provider host, with
``--threads`` concurrent callers, for two providers in the same host process:

* ``lemlist``: the real :class:`~lemlist_resource.email_account.provider.EmailAccountProvider`;
* ``floor``: ``bench/noop.py``, whose check returns its inputs and whose diff says "no
  change" — what gRPC, the host and (de)serialization cost by themselves.

Rounds alternate between the two (after one warm-up round each); the figure is the median.
It also prints the provider's serialized size, which every resource's state carries.

    python -m bench.preview --n 1000 --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from bench.common import (
    API_KEY,
    HOST_ARGV,
    close_host,
    machine_markdown,
    sender,
    start_host,
    table,
)
from bench.naive import NaiveProvider
from bench.noop import NoopProvider
from lemlist_resource import EmailAccountProvider
from lemlist_resource.config.names import KEY_CONFIG
from tests.harness import ProviderHost


@dataclass
class PreviewResult:
    """Median seconds per round for each provider, and what the rounds measured."""

    n: int
    rounds: int
    threads: int
    real: list[float]
    floor: list[float]
    in_process: float
    sizes: dict[str, int]

    @property
    def real_ms(self) -> float:
        return statistics.median(self.real) / self.n * 1000

    @property
    def floor_ms(self) -> float:
        return statistics.median(self.floor) / self.n * 1000

    @property
    def ratio(self) -> float:
        return statistics.median(self.real) / statistics.median(self.floor)


def _outputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The outputs a connected, checked mailbox has in state."""
    return {
        **inputs,
        "email": inputs["sender_email"],
        "provider": "custom",
        "smtp_ok": True,
        "imap_ok": True,
        "checked_at": "2025-01-01T00:00:00+00:00",
    }


def _round(
    host: ProviderHost,
    programs: list[dict[str, Any]],
    olds: list[dict[str, Any]],
    threads: int,
    expect_no_change: bool,
) -> float:
    def one(index: int) -> None:
        checked = host.check(programs[index], olds[index])
        if checked.failures:
            raise AssertionError(f"check refused sender {index}: {checked.failures}")
        diff = host.diff(f"umx_bench{index:06d}", olds[index], checked.inputs)
        if expect_no_change and diff.changes:
            raise AssertionError(f"diff of sender {index} reports a change")

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="engine") as pool:
        started = time.perf_counter()
        list(pool.map(one, range(len(programs))))
        return time.perf_counter() - started


def _in_process(programs: list[dict[str, Any]], olds: list[dict[str, Any]]) -> float:
    """Seconds per resource of the provider's own check + diff, without the host."""
    provider = EmailAccountProvider()
    provider.configure(ConfigureRequest(Config({KEY_CONFIG: API_KEY}, "bench")))
    started = time.perf_counter()
    for program, old in zip(programs, olds, strict=True):
        checked = provider.check(old, program)
        provider.diff("umx_x", old, checked.inputs)
    return (time.perf_counter() - started) / len(programs)


def sizes() -> dict[str, int]:
    """Bytes of ``__provider`` (base64 text, as stored in state) per provider class."""
    providers: dict[str, Callable[[], Any]] = {
        "EmailAccountProvider": EmailAccountProvider,
        "NoopProvider": NoopProvider,
        "NaiveProvider": NaiveProvider,
    }
    return {name: len(serialize_provider(make())) for name, make in providers.items()}


def measure(
    n: int = 1000, rounds: int = 5, threads: int = 16, host_kind: str = "widened"
) -> PreviewResult:
    """Run warm-up + ``rounds`` alternating rounds of both providers on one host.

    The host is configured with an API key, as a preview's is (check refuses a sender whose
    team has no key); preview makes no lemlist call, so none is served."""
    real_provider = serialize_provider(EmailAccountProvider())
    floor_provider = serialize_provider(NoopProvider())
    host = start_host({KEY_CONFIG: API_KEY}, real_provider, host_kind)
    try:
        programs = [sender(i) for i in range(n)]
        olds = [_outputs(host.check(p).inputs) for p in programs]
        real: list[float] = []
        floor: list[float] = []
        for number in range(rounds + 1):
            order = [(real_provider, real, True), (floor_provider, floor, True)]
            if number % 2:
                order.reverse()
            for provider, into, expect in order:
                host.provider = provider
                seconds = _round(host, programs, olds, threads, expect)
                if number:  # round 0 warms both up
                    into.append(seconds)
    finally:
        close_host(host)
    return PreviewResult(n, rounds, threads, real, floor, _in_process(programs, olds), sizes())


def report(result: PreviewResult) -> str:
    rows = [
        [
            "lemlist (EmailAccountProvider)",
            f"{statistics.median(result.real):.2f}",
            f"{result.real_ms:.3f}",
            f"{result.ratio:.3f}",
        ],
        [
            "floor (NoopProvider)",
            f"{statistics.median(result.floor):.2f}",
            f"{result.floor_ms:.3f}",
            "1.000",
        ],
    ]
    lines = [
        table(["provider", f"check+diff of {result.n}, s", "ms / resource", "x floor"], rows),
        "",
        f"Rounds (s), lemlist: {', '.join(f'{s:.2f}' for s in result.real)}; "
        f"floor: {', '.join(f'{s:.2f}' for s in result.floor)}.",
        f"The provider's own check + diff, in process: {result.in_process * 1e6:.0f} us per "
        "resource.",
        "",
        table(
            ["serialized provider", "bytes of __provider per resource"],
            [[name, size] for name, size in result.sizes.items()],
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=1000, help="senders (1000)")
    p.add_argument("--rounds", type=int, default=5, help="measured rounds per provider (5)")
    p.add_argument("--threads", type=int, default=16, help="concurrent callers (16)")
    p.add_argument(
        "--host", choices=sorted(HOST_ARGV), default="widened", help="widened (32), stock (4)"
    )
    args = p.parse_args(argv)
    print(machine_markdown())
    print(
        f"{args.threads} concurrent callers into one {args.host} host; median of "
        f"{args.rounds} rounds per provider, alternating.\n"
    )
    print(report(measure(args.n, args.rounds, args.threads, args.host)))


if __name__ == "__main__":
    main()
