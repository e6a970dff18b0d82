"""``lint --dns`` of N sender domains against a local DNS server: wall time and queries.

Each domain publishes what a healthy one does: two MX hosts (half of them a shared
provider's, half their own), an SPF record with the provider's include (three records deep,
as Google's is) and the SMTP host's address, DMARC ``p=quarantine`` with reports to itself
(one in four to an outside report service that authorizes them), and a 2048-bit DKIM key at
``s1``. One sender per domain. The server is the tests' dnslib server on 127.0.0.1
(``--latency MS`` delays each answer, like a resolver on the network); every round runs
``python -m lemlist_resource.inventory lint --dns`` in a fresh process (start-up included),
with the default timeout and budget (3 s per lookup, 60 s for the run).

``--code DIR …``: the checkouts to measure, alternating round by round (default: this one);
each child runs from its directory, so its own ``lemlist_resource`` is the one imported.

    python -m bench.lint_dns --n 100 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import machine_markdown, table
from tests.deliverability.dnsserver import LocalDNS, ZoneResolver

ROOT = Path(__file__).resolve().parent.parent
#: A 2048-bit RSA public key made for the tests (tests/deliverability/zones.zone, good.test).
_KEY_LINE = next(
    line.split(" TXT ", 1)[1]
    for line in (ROOT / "tests/deliverability/zones.zone").read_text().splitlines()
    if line.startswith("s1._domainkey.good.test.")
)
_PROVIDER = """_spf.provider.bench. 300 IN TXT "v=spf1 include:_nb1.provider.bench include:_nb2.provider.bench ~all"
_nb1.provider.bench. 300 IN TXT "v=spf1 ip4:203.0.113.0/25 ~all"
_nb2.provider.bench. 300 IN TXT "v=spf1 ip4:203.0.113.128/25 ~all"
aspmx.provider.bench. 300 IN A 203.0.113.10
alt1.provider.bench. 300 IN A 203.0.113.11
"""  # noqa: E501


def zone_text(n: int) -> str:
    """The zone of ``n`` sender domains ``bench000.test`` … and the provider they share."""
    lines = [_PROVIDER]
    for i in range(n):
        d, ip = f"bench{i:03d}.test", f"192.0.2.{i % 250 + 1}"
        if i % 2:
            mx = [f"{d}. 300 IN MX 1 aspmx.provider.bench.",
                  f"{d}. 300 IN MX 5 alt1.provider.bench."]  # fmt: skip
        else:
            mx = [f"{d}. 300 IN MX 10 mx1.{d}.", f"{d}. 300 IN MX 20 mx2.{d}.",
                  f"mx1.{d}. 300 IN A 198.51.100.{i % 250 + 1}",
                  f"mx2.{d}. 300 IN A 198.51.100.{i % 250 + 1}"]  # fmt: skip
        rua = "rua@reports.vendor.bench" if i % 4 == 0 else f"dmarc@{d}"
        lines += [
            *mx,
            f'{d}. 300 IN TXT "v=spf1 include:_spf.provider.bench ip4:{ip}/32 ~all"',
            f'{d}. 300 IN TXT "google-site-verification=bench{i}"',
            f'_dmarc.{d}. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:{rua}"',
            f"s1._domainkey.{d}. 300 IN TXT {_KEY_LINE}",
            f"smtp.{d}. 300 IN A {ip}",
            f"imap.{d}. 300 IN A {ip}",
        ]
        if i % 4 == 0:
            lines.append(f'{d}._report._dmarc.reports.vendor.bench. 300 IN TXT "v=DMARC1"')
    return "\n".join(lines) + "\n"


def stack_text(n: int) -> str:
    """A stack file of one sender per domain, its own SMTP and IMAP hosts, selector s1."""
    head = ["config:", "  lemlist-senders:defaults:", "    smtp_port: 587",
            "    imap_port: 993", "    imap_secure: true", "  lemlist-senders:dkim:"]  # fmt: skip
    head += [f"    bench{i:03d}.test: s1" for i in range(n)]
    senders, passwords = ["  lemlist-senders:senders:"], ["  lemlist-senders:passwords:"]
    for i in range(n):
        d = f"bench{i:03d}.test"
        senders += [f"    s{i:03d}:", f"      sender_name: Sender {i}",
                    f"      sender_email: sender@{d}", f"      smtp_host: smtp.{d}",
                    f"      imap_host: imap.{d}"]  # fmt: skip
        passwords.append(f"    s{i:03d}: {{secure: v1:AAAAAAAAAAAAAAAA:Y2lwaGVydGV4dA==}}")
    return "\n".join([*head, *senders, *passwords]) + "\n"


class _Delayed(ZoneResolver):  # type: ignore[misc]
    """Answers after ``delay`` seconds, like a resolver on the network (dnslib serves each
    question in its own thread, so delays overlap as they would)."""

    def __init__(self, zone: str, delay: float) -> None:
        super().__init__(zone)
        self.delay = delay

    def resolve(self, request: Any, handler: Any) -> Any:
        if self.delay:
            time.sleep(self.delay)  # simulated network latency (a benchmark, not a test)
        return super().resolve(request, handler)


def _child(code: Path, server: LocalDNS, stack: Path) -> tuple[float, int, int]:
    """One ``lint --dns`` run from ``code``: seconds, queries the server got, exit status."""
    argv = [sys.executable, "-m", "lemlist_resource.inventory", "lint", "--dns",
            "--dns-server", server.address, str(stack)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(code)}
    before = len(server.resolver.questions)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=code, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"lint --dns from {code} failed ({done.returncode}):\n{done.stderr}")
    return seconds, len(server.resolver.questions) - before, done.returncode


def _imported_from(code: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(code)}
    argv = [sys.executable, "-c", "import lemlist_resource as m; print(m.__file__)"]
    out = subprocess.run(argv, cwd=code, env=env, capture_output=True, text=True, check=True)
    found = Path(out.stdout.strip()).resolve()
    if not found.is_relative_to(code.resolve()):
        raise SystemExit(f"{code}: lemlist_resource is imported from {found}, not from there")
    return str(found.parent.parent)


def measure(n: int, rounds: int, codes: Sequence[Path], latency: float) -> list[list[object]]:
    """One row per checkout: median, min and max seconds of ``rounds`` runs, queries."""
    server = LocalDNS(_Delayed(zone_text(n), latency))
    times: dict[Path, list[float]] = {c: [] for c in codes}
    queries: dict[Path, int] = {}
    status: dict[Path, int] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stack = Path(tmp, "Pulumi.bench.yaml")
            stack.write_text(stack_text(n))
            for _ in range(rounds):
                for code in codes:
                    seconds, queries[code], status[code] = _child(code, server, stack)
                    times[code].append(seconds)
    finally:
        server.stop()
    rows: list[list[object]] = []
    for c in codes:
        spread = [f"{f(times[c]):.2f}" for f in (statistics.median, min, max)]
        rows.append([_imported_from(c), n, f"{latency * 1000:g}", rounds, *spread,
                     queries[c], status[c]])  # fmt: skip
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="sender domains (100)")
    parser.add_argument("--rounds", type=int, default=5, help="runs per checkout (5)")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0], metavar="MS",
                        help="milliseconds added to each answer (0)")  # fmt: skip
    parser.add_argument("--code", type=Path, nargs="+", default=[ROOT], metavar="DIR",
                        help="checkouts to measure (this one)")  # fmt: skip
    args = parser.parse_args(argv)
    rows: list[list[object]] = []
    for ms in args.latency:
        rows += measure(args.n, args.rounds, [c.resolve() for c in args.code], ms / 1000)
    print(machine_markdown())
    print(table(["code", "domains", "latency ms", "rounds", "median s", "min s", "max s",
                 "queries", "lint status"], rows))  # fmt: skip


if __name__ == "__main__":
    main()
