"""Lint, review and program parsing of large stack files: time and peak memory by size.

For each N it writes a stack file of N senders (each with its hosts and logins written out,
a password per sender, in 10 teams) and measures, each in a fresh child process so peaks do
not mix: ``lint`` (``python -m lemlist_resource.inventory lint``), ``review`` (``diff`` of the
file against a copy with one sender changed) and ``program`` (what the bundled program does
with the configuration the engine hands it: JSON-decode ``senders`` and build the
inventory). Figures: wall seconds, tracemalloc's peak and the child's ru_maxrss.

    python -m bench.inventory --n 1000,10000,50000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.common import machine_markdown, table

_CHILD = r"""
import json, resource, sys, time, tracemalloc, io, contextlib
mode, head, base, traced = sys.argv[1:5]
if traced == "1":
    tracemalloc.start()
start = time.perf_counter()
if mode == "program":
    import yaml
    from lemlist_resource.inventory.model import build_inventory
    with open(head) as f:
        config = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["config"]
    if traced == "1":
        tracemalloc.reset_peak()
    start = time.perf_counter()
    given = json.dumps(config["lemlist-senders:senders"])  # the engine's JSON string
    inv = build_inventory(json.loads(given), config["lemlist-senders:defaults"], None)
    status = len(inv.problems)
else:
    from lemlist_resource.inventory.__main__ import main
    argv = ["lint", head] if mode == "lint" else ["diff", base, head]
    with contextlib.redirect_stdout(io.StringIO()):
        status = main(argv)
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps([seconds, peak, rss, status]))
"""


def stack_text(n: int, changed: int | None = None) -> str:
    """A stack file of ``n`` senders in 10 teams (sender ``changed`` renamed)."""
    lines = [
        "config:",
        "  lemlist:apiUrl: http://127.0.0.1:1/api",
        "  lemlist-senders:defaults:",
        "    smtp_port: 587",
        "    imap_port: 993",
        "  lemlist-senders:senders:",
    ]
    for i in range(n):
        address = f"sender{i:05d}@team{i % 10}.acme-mail.com"
        name = f"Sender {i}" + (" (renamed)" if i == changed else "")
        lines += [
            f"    s{i:05d}:",
            f"      sender_name: {name}",
            f"      sender_email: {address}",
            f"      smtp_host: smtp.team{i % 10}.acme-mail.com",
            f"      smtp_login: {address}",
            f"      imap_host: imap.team{i % 10}.acme-mail.com",
            f"      imap_login: {address}",
        ]
    lines.append("  lemlist-senders:passwords:")
    lines += [f"    s{i:05d}:\n      secure: v1:AAAAAAAAAAAAAAAA:{'B' * 40}" for i in range(n)]
    return "\n".join(lines) + "\n"


def _child(mode: str, head: Path, base: Path, traced: bool) -> list[float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(head), str(base), "1" if traced else "0"],
        capture_output=True, text=True, check=True,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(mode: str, head: Path, base: Path) -> list[float]:
    """``[seconds, tracemalloc peak, ru_maxrss KiB, status]``: time and RSS from a plain
    child run, the Python-heap peak from a second run under tracemalloc (which slows it)."""
    seconds, _, rss, status = _child(mode, head, base, traced=False)
    peak = _child(mode, head, base, traced=True)[1]
    return [seconds, peak, rss, status]


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="1000,10000,50000", help="comma-separated sizes")
    args = parser.parse_args(argv)
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.n.split(",")):
            head, base = Path(tmp, "Pulumi.head.yaml"), Path(tmp, "Pulumi.base.yaml")
            head.write_text(stack_text(n, changed=n // 2))
            base.write_text(stack_text(n))
            size = head.stat().st_size / 1e6
            for mode in ("lint", "review", "program"):
                seconds, peak, rss, status = measure(mode, head, base)
                rows.append([n, f"{size:.1f}", mode, f"{seconds:.2f}",
                             f"{peak / 1e6:.0f}", f"{rss / 1024:.0f}", int(status)])
    print(machine_markdown())
    print(table(["senders", "file MB", "step", "seconds", "peak MB (tracemalloc)",
                 "max RSS MB", "status"], rows))


if __name__ == "__main__":
    main()
