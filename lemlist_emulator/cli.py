"""The command line of the emulator (``python -m lemlist_emulator``): options, then serve."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from lemlist_emulator.core import Emulator
from lemlist_emulator.faults import RandomFaults
from lemlist_emulator.ratelimit import parse_rate

DEFAULT_KEY = "emulator-dev-key"
KEY_ENV = "LEMLIST_EMULATOR_API_KEY"


def _rate(text: str) -> tuple[int, float] | None:
    try:
        return parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def _fail_host(text: str) -> tuple[str, str | None]:
    host, sep, side = text.rpartition(":")
    if sep and side.lower() in ("smtp", "imap") and host:
        return host, side.lower()
    return text, None


def build_parser() -> argparse.ArgumentParser:
    """The command's options."""
    parser = argparse.ArgumentParser(
        prog="python -m lemlist_emulator",
        description="Run a local emulator of lemlist's email-accounts API.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    add("--port", type=int, default=8787, help="port (0: any free port; default 8787)")
    add(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help=f"accepted API key, repeatable (default: ${KEY_ENV}, else {DEFAULT_KEY})",
    )
    add("--bad-team-key", action="append", default=[], metavar="KEY", help="key told 'Bad team'")
    add(
        "--member",
        action="append",
        dest="members",
        metavar="USER_ID",
        help="team member user id, repeatable; the first is the owner (default usr_owner)",
    )
    add("--state", metavar="FILE", help="SQLite file keeping accounts across restarts")
    add("--rate", type=_rate, default=(20, 2.0), help="rate limit per key: N/SECONDS or off")
    add("--latency", type=_seconds, default=0.0, help="seconds added to every response")
    add("--jitter", type=_seconds, default=0.0, help="random +/- seconds around --latency")
    add("--error-rate", type=_fraction, default=0.0, help="share of requests answered 5xx")
    add("--drop-rate", type=_fraction, default=0.0, help="share of connections dropped")
    add("--rate-limit-rate", type=_fraction, default=0.0, help="share answered 429")
    add("--stall-rate", type=_fraction, default=0.0, help="share of responses stalled")
    add("--stall-seconds", type=_seconds, default=30.0, help="length of a stall (default 30)")
    add("--garbage-rate", type=_fraction, default=0.0, help="share of 2xx with a non-JSON body")
    add(
        "--after-processing-share",
        type=_fraction,
        default=0.0,
        help="share of random faults applied after the request took effect",
    )
    add("--seed", type=int, default=0, help="seed of the random faults and jitter")
    add(
        "--fail-host",
        type=_fail_host,
        action="append",
        default=[],
        metavar="HOST[:smtp|imap]",
        help="connectivity tests of accounts on HOST fail (both sides unless one is named)",
    )
    add("--log-level", default="INFO", help="logging level of the request log (stderr)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGINT or SIGTERM; returns the exit status."""
    args = build_parser().parse_args(argv)
    keys = args.api_keys or [os.environ.get(KEY_ENV) or DEFAULT_KEY]
    rates = (
        args.error_rate,
        args.drop_rate,
        args.rate_limit_rate,
        args.stall_rate,
        args.garbage_rate,
    )
    try:
        random_faults = (
            RandomFaults(
                error_rate=args.error_rate,
                drop_rate=args.drop_rate,
                rate_limit_rate=args.rate_limit_rate,
                stall_rate=args.stall_rate,
                stall_seconds=args.stall_seconds,
                garbage_rate=args.garbage_rate,
                after_processing_share=args.after_processing_share,
                seed=args.seed,
            )
            if any(rates)
            else None
        )
        emulator = Emulator(
            api_keys=keys,
            members=args.members or ["usr_owner"],
            bad_team_keys=args.bad_team_key,
            rate_limit=args.rate,
            latency=args.latency,
            jitter=args.jitter,
            random_faults=random_faults,
            seed=args.seed,
            state_path=args.state,
            host=args.host,
            port=args.port,
        )
        for host, protocol in args.fail_host:
            emulator.fail_check(host, protocol)
        logging.basicConfig(
            level=args.log_level.upper(),
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        emulator.start()
    except (OSError, ValueError) as exc:
        print(f"lemlist emulator: {exc}", file=sys.stderr)
        return 2

    done = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    print(f"lemlist emulator listening on {emulator.url}", flush=True)
    try:
        while not done.wait(1.0):
            pass
    finally:
        emulator.stop()
    return 0

