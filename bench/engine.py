"""`pulumi up` and `pulumi refresh` of N senders under the real Pulumi CLI (issue 17).

The same measurement as ``python -m bench.concurrency``, but the engine is the real one: a
generated program declares N ``EmailAccount``s (``verify_connection`` on, the default: a
connect then a test each), ``pulumi up --skip-preview`` creates them with the CLI's default
``--parallel``, then ``pulumi refresh --skip-preview`` reads them (from lemlist's listing:
``GET /team`` and ``GET /users/{id}`` per member, no test call since issue 27), against a
fresh emulator with lemlist's limit and latency profile. Two provider hosts, as in
``bench/common.py``'s ``HOST_ARGV``: ``widened`` (the SDK's ``pulumi-resource-pulumi-python``,
the host as the engine starts it) and ``stock`` (the same SDK host under ``runpy``, which
``lemlist_resource/hostpool.py`` leaves at the SDK's 4 workers), put first on PATH by a
script of the same name.

Per row: ``r`` requests lemlist admitted, of which test calls (``POST …/test``); the limit
``(r - 20) / 10 + RT`` (bench.concurrency explains it; RT the test's mean round trip, none for
a row without test calls: the emulator gives the listing's reading routes no latency, so with
r <= 20 that row has no floor to compare with); elapsed at the emulator (first request
received to last answered); the ratio (goal for ``up``: at most 1.15); the CLI's whole run
(process start to exit, with its own start-up); the peak of requests lemlist was serving at
once (from the emulator's request log: proof that the widening is active under the real
engine); 429s; accounts lemlist holds.

    python -m bench.engine                  # N = 100, both hosts, the CLI's default --parallel
    python -m bench.engine --parallel 32    # as the default on an 8-core machine (4 x cores)
    python -m bench.engine --n 20 --host widened     # a quick look

The CLI's default ``--parallel`` is 4 x the machine's cores: on a 2-core machine the engine
itself has at most 8 calls in flight, whatever the host serves.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import common
from bench.common import API_KEY, CREDENTIALS, HOST_ARGV, machine_markdown, sender
from bench.concurrency import LIMIT, MEAN, PROFILE, WINDOW
from lemlist_emulator import Emulator
from tests.e2e.cli import BIN, SKIP_REASON, Project, new_project

HOSTS = ("stock", "widened")

PROGRAM = """import json
import pulumi
from lemlist_resource import EmailAccount, EmailAccountArgs
for name, inputs in json.load(open("senders.json")).items():
    for key in ("smtp_password", "imap_password"):
        inputs[key] = pulumi.Output.secret(inputs[key])
    EmailAccount(name, EmailAccountArgs(**inputs))
"""


@dataclass
class Row:
    """One measured command on one host."""

    command: str
    host: str
    n: int
    requests: int = 0
    tests: int = 0
    elapsed: float = 0.0
    wall: float = 0.0
    peak: int = 0
    rate_limited: int = 0
    accounts: int = 0

    @property
    def limit(self) -> float:
        """The rate-limit floor; 0 for a row without test calls (module docstring)."""
        round_trip = MEAN["test"] if self.tests else 0.0  # up's last request is a test
        return max(self.requests - LIMIT, 0) * WINDOW / LIMIT + round_trip

    def cells(self) -> list[object]:
        ratio = f"**{self.elapsed / self.limit:.3f}**" if self.limit > 0 else "no floor"
        return [
            f"`pulumi {self.command}`", self.host, self.n, self.requests, self.tests,
            f"{self.elapsed:.2f}", f"{self.limit:.2f}", ratio, f"{self.wall:.2f}",
            self.peak, self.rate_limited, self.accounts,
        ]


HEADERS = [
    "command", "host", "N", "requests r", "of which tests", "elapsed s (emulator)", "limit s",
    "elapsed / limit", "CLI run s", "peak in flight", "429s", "accounts",
]


def peak_in_flight(emulator: Emulator) -> int:
    """The most requests the emulator was serving at one moment (from its request log)."""
    edges = sorted(
        edge
        for record in emulator.request_log()
        for edge in ((record.started, 1), (record.started + record.duration, -1))
    )
    peak = current = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak


def _stock_plugin(where: Path) -> Path:
    """A directory whose ``pulumi-resource-pulumi-python`` starts the stock host."""
    where.mkdir()
    script = where / "pulumi-resource-pulumi-python"
    argv = " ".join(shlex.quote(a) for a in HOST_ARGV["stock"])
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {argv} "$@"\n')
    script.chmod(0o755)
    return where


def _measure(
    project: Project, emulator: Emulator, command: str, host: str, n: int, parallel: int | None
) -> Row:
    emulator.clear_log()
    started = time.monotonic()
    args = [command, "--yes", "--skip-preview"]
    if parallel is not None:
        args += ["--parallel", str(parallel)]
    done = project.pulumi(*args)
    row = Row(command, host, n, wall=time.monotonic() - started)
    if any(secret in done.stdout + done.stderr for secret in CREDENTIALS):
        raise SystemExit("a credential reached the CLI's output")
    emulator.wait_idle(timeout=10)
    log = emulator.request_log()
    row.rate_limited = emulator.count(status=429)
    row.requests = len(log) - row.rate_limited
    row.tests = sum(1 for r in log if r.status != 429 and r.path.endswith("/test"))
    row.elapsed = max(r.started + r.duration for r in log) - min(r.started for r in log)
    row.peak = peak_in_flight(emulator)
    row.accounts = len(emulator.accounts())
    return row


def run(n: int, hosts: Sequence[str] = HOSTS, parallel: int | None = None) -> list[Row]:
    """``up`` then ``refresh`` of ``n`` senders on each host, each on a fresh emulator."""
    rows: list[Row] = []
    for host in hosts:
        with tempfile.TemporaryDirectory() as scratch, Emulator(
            api_keys={API_KEY: "team_1"}, rate_limit=(LIMIT, WINDOW), profile=PROFILE, seed=17
        ) as emulator:
            tmp = Path(scratch)
            project = new_project(tmp, PROGRAM, LEMLIST_API_KEY=API_KEY,
                                  LEMLIST_API_URL=emulator.url)
            senders = {f"s{i:04d}": sender(i, imap_secure=True) for i in range(n)}
            (project.dir / "senders.json").write_text(json.dumps(senders))
            if host == "stock":
                path = project.environ()["PATH"]
                first, _, rest = path.partition(":")
                project.env["PATH"] = f"{first}:{_stock_plugin(tmp / 'stock')}:{rest}"
            project.init("bench")
            for command in ("up", "refresh"):
                print(f"  {command} {n} senders, {host} host ...", end="", flush=True)
                row = _measure(project, emulator, command, host, n, parallel)
                print(
                    f" {row.elapsed:.1f} s (limit {row.limit:.1f} s), {row.requests} requests "
                    f"({row.tests} tests), CLI {row.wall:.1f} s, peak {row.peak}"
                )
                rows.append(row)
            project.pulumi("destroy", "--yes", "--skip-preview")
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=100, help="senders (100)")
    p.add_argument("--host", nargs="+", default=list(HOSTS), choices=HOSTS)
    p.add_argument("--parallel", type=int, help="pulumi's --parallel (default: the CLI's own)")
    args = p.parse_args(argv)
    if BIN is None:
        raise SystemExit(f"bench.engine: {SKIP_REASON}")
    print(machine_markdown())
    print(
        f"Emulator: {LIMIT} requests / {WINDOW:g} s per key, latency profile '{PROFILE}'; the "
        f"real Pulumi CLI, --parallel {args.parallel or 'default (4 x cores)'}.\n"
    )
    rows = run(args.n, args.host, args.parallel)
    print()
    print(common.report(HEADERS, rows, Row.cells, lambda r: f"{r.command} {r.host}", lambda r: []))


if __name__ == "__main__":
    main()
