"""Run every benchmark and print the figures as Markdown: ``python -m bench [--quick]``.

``--quick``: N = 100 only and 3 preview rounds (about a minute); the full run (N = 100 and
500, both strategies, verify off and on, 5 preview rounds of 1000 senders) takes about seven
minutes. ``--n``, ``--preview-n`` and ``--rounds`` set the sizes (small ones prove the
command works; ``tests/test_docs_commands.py`` runs it so).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from bench import preview, throughput
from bench.common import machine_markdown


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="N = 100 only, 3 preview rounds")
    p.add_argument("--n", type=int, nargs="+", help="throughput: senders per row (100 500)")
    p.add_argument("--preview-n", type=int, default=1000, help="preview: senders (1000)")
    p.add_argument("--rounds", type=int, help="preview: measured rounds (5; --quick: 3)")
    p.add_argument("--latency", type=float, default=0.08, help="server-side latency (0.08 s)")
    p.add_argument("--jitter", type=float, default=0.04, help="latency jitter (0.04 s)")
    p.add_argument(
        "--naive-timeout", type=float, default=180.0, help="cut a naive row off after (180 s)"
    )
    args = p.parse_args(argv)
    started = time.monotonic()
    print("# lemlist provider benchmarks\n")
    print(machine_markdown() + "\n")
    print(
        "## Throughput (`python -m bench.throughput`)\n\n"
        f"Emulator: {throughput.LIMIT} requests / {throughput.WINDOW:g} s per key, "
        f"latency {args.latency:g} s +/- {args.jitter:g} s; 16 concurrent Create calls into "
        "the host as the engine starts it (32 calls at once; see `python -m bench.concurrency` "
        "for the stock 4-worker host side by side).\n",
        flush=True,
    )
    rows = throughput.run(
        args.n or ([100] if args.quick else [100, 500]),
        latency=args.latency,
        jitter=args.jitter,
        naive_timeout=args.naive_timeout,
    )
    print()
    print(throughput.report(rows))
    print("\n## Preview cost (`python -m bench.preview`)\n", flush=True)
    rounds = args.rounds or (3 if args.quick else 5)
    print(preview.report(preview.measure(n=args.preview_n, rounds=rounds)))
    print(f"\n(all benchmarks: {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
