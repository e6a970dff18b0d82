"""The command line of the emulator (``python -m lemlist_emulator``): options, then serve."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from lemlist_emulator.campaigns import parse_campaign
from lemlist_emulator.directory import STATUSES
from lemlist_emulator.emulator import Emulator
from lemlist_emulator.faults import RandomFaults
from lemlist_emulator.latency import PROFILES, parse_milliseconds, parse_per_operation
from lemlist_emulator.model import ID_PREFIXES
from lemlist_emulator.ratelimit import LEMLIST_RATE, parse_rate
from lemlist_emulator.teams import DEFAULT_TEAM

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


def _per_operation(text: str) -> float | dict[str, float]:
    try:
        value = parse_per_operation(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    values = value.values() if isinstance(value, dict) else [value]
    if any(seconds < 0 for seconds in values):
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value:
        raise argparse.ArgumentTypeError("expected NAME=VALUE")
    return name.strip(), value


def _fail_host(text: str) -> tuple[str, str | None]:
    host, sep, side = text.rpartition(":")
    if sep and side.lower() in ("smtp", "imap") and host:
        return host, side.lower()
    return text, None


def _status(text: str) -> tuple[str, str]:
    address, sep, status = text.rpartition("=")
    if not sep or "@" not in address or status.upper() not in STATUSES:
        raise argparse.ArgumentTypeError(f"expected ADDRESS={'|'.join(STATUSES)}")
    return address.strip(), status.upper()


def _gate(text: str) -> tuple[str, list[str] | None]:
    team, _, operations = text.partition(":")
    names = [name.strip() for name in operations.split(",") if name.strip()]
    return team.strip() or DEFAULT_TEAM, names or None


def build_parser() -> argparse.ArgumentParser:
    """The command's options."""
    parser = argparse.ArgumentParser(
        prog="python -m lemlist_emulator",
        description="Run a local emulator of lemlist's email-accounts API.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    add("--port", type=int, default=8787, help="port (0: any free port; default 8787)")
    add("--state", metavar="FILE", help="SQLite file keeping accounts across restarts")
    add("--log-level", default="INFO", help="logging level of the request log (stderr)")
    _team_options(add)
    _timing_options(add)
    _fault_options(add)
    _lemlist_options(add)
    return parser


def _lemlist_options(add: Callable[..., Any]) -> None:
    add("--id-prefix", choices=ID_PREFIXES, default="usm", help="prefix of new mailbox ids "
        "(usm: as lemlist lists them, the default; umx: connect's documented example)")  # fmt: skip
    add("--strict-not-found", action="store_true", help="answer 404 Not found for unknown "
        "paths and user ids (default: 200 HTML and 200 {}, as lemlist does)")  # fmt: skip
    add("--plan-gate", type=_gate, action="append", default=[], metavar="TEAM[:OP,...]",
        help="TEAM's plan lacks these operations (connect, test, disconnect, channels, team, "
        "user; none named: every route): they answer 402")  # fmt: skip
    add("--campaign", type=parse_campaign, action="append", default=[],
        metavar="USER_ID=NAME[:STATE]", help="seed a campaign USER_ID sends in (the default "
        "team's), listed by GET /team/senders; STATE: running (default), paused, draft, ended, "
        "archived or errors")  # fmt: skip
    add("--mailbox-status", type=_status, action="append", default=[], metavar="ADDRESS=STATUS",
        help="mailboxes of ADDRESS report STATUS (CONNECTED, ERROR, DISCONNECTED) in "
        "GET /users/{userId}, now and when connected later")  # fmt: skip


def _team_options(add: Callable[..., Any]) -> None:
    add(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help=f"key of the default team, repeatable (default: ${KEY_ENV}, else {DEFAULT_KEY} "
        "unless --team is given)",
    )
    add(
        "--member",
        action="append",
        dest="members",
        metavar="USER_ID",
        help="default team's member user id, repeatable; the first is the owner (usr_owner)",
    )
    add(
        "--team",
        type=_pair,
        action="append",
        default=[],
        metavar="NAME=KEY",
        help="another team and its API key, repeatable (a team sees only its own accounts)",
    )
    add(
        "--team-member",
        type=_pair,
        action="append",
        default=[],
        metavar="NAME=USER_ID",
        help="a member of team NAME, repeatable; the first is its owner (usr_NAME_owner)",
    )
    add("--bad-team-key", action="append", default=[], metavar="KEY", help="key told 'Bad team'")


def _timing_options(add: Callable[..., Any]) -> None:
    add("--rate", type=_rate, default=LEMLIST_RATE, help="rate limit per key: N/SECONDS or off")
    add(
        "--latency",
        type=_per_operation,
        metavar="SECONDS|OP=SECONDS,...",
        help="seconds each operation takes (connect, test, disconnect), e.g. "
        "connect=1.0,test=2.0,disconnect=0.3; a bare number: every operation",
    )
    add("--jitter", type=_per_operation, metavar="SECONDS|OP=SECONDS,...", help="random +/- "
        "seconds around --latency, same forms")  # fmt: skip
    add(
        "--profile",
        choices=sorted(PROFILES),
        help="named latency profile; --latency/--jitter override its operations "
        "(lemlist: connect 1.0+/-0.3 s, test 2.0+/-0.5 s, disconnect 0.3+/-0.1 s)",
    )
    add("--arrival-jitter", type=parse_milliseconds, default=0.0, metavar="MS",
        help="up to MS ms (uniform) from accepting a request to counting it (--rate)")  # fmt: skip
    add("--seed", type=int, default=0, help="seed of the random faults and jitter")


def _fault_options(add: Callable[..., Any]) -> None:
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
    add(
        "--fail-host",
        type=_fail_host,
        action="append",
        default=[],
        metavar="HOST[:smtp|imap]",
        help="connectivity tests of accounts on HOST fail (both sides unless one is named)",
    )
    add("--no-lemwarm-seat", action="store_true", help="lemwarm start: 400 billing-error (no seat)")


def _random_faults(args: argparse.Namespace) -> RandomFaults | None:
    rates = (args.error_rate, args.drop_rate, args.rate_limit_rate, args.stall_rate)
    if not any(rates) and not args.garbage_rate:
        return None
    return RandomFaults(
        error_rate=args.error_rate,
        drop_rate=args.drop_rate,
        rate_limit_rate=args.rate_limit_rate,
        stall_rate=args.stall_rate,
        stall_seconds=args.stall_seconds,
        garbage_rate=args.garbage_rate,
        after_processing_share=args.after_processing_share,
        seed=args.seed,
    )


def _teams(args: argparse.Namespace) -> tuple[list[str], dict[str, list[str]], dict[str, Any]]:
    """The default team's keys, the other teams' keys, and every team's listed members."""
    from_env = [os.environ[KEY_ENV]] if os.environ.get(KEY_ENV) else []
    keys = args.api_keys or from_env or ([] if args.team else [DEFAULT_KEY])
    teams: dict[str, list[str]] = {}
    for name, key in args.team:
        teams.setdefault(name, []).append(key)
    members: dict[str, Any] = {DEFAULT_TEAM: args.members or ["usr_owner"]} if keys else {}
    for name, user in args.team_member:
        members.setdefault(name, []).append(user)
    return keys, teams, members


def build_emulator(args: argparse.Namespace) -> Emulator:
    """The emulator the parsed options describe (not started)."""
    keys, teams, members = _teams(args)
    emulator = Emulator(
        api_keys={key: DEFAULT_TEAM for key in keys},
        teams=teams,
        members=members,
        bad_team_keys=args.bad_team_key,
        rate_limit=args.rate,
        latency=args.latency,
        jitter=args.jitter,
        profile=args.profile,
        random_faults=_random_faults(args),
        seed=args.seed,
        state_path=args.state,
        host=args.host,
        port=args.port,
        id_prefix=args.id_prefix,
        catch_all=not args.strict_not_found,
        arrival_jitter=args.arrival_jitter,
    )
    for host, protocol in args.fail_host:
        emulator.fail_check(host, protocol)
    if args.no_lemwarm_seat:
        emulator.set_lemwarm_seat(False)
    for team, operations in args.plan_gate:
        emulator.gate_plan(team, operations)
    for address, status in args.mailbox_status:
        emulator.set_status(address, status)
    for user, name, state in args.campaign:
        emulator.add_campaign(user, name, state)
    return emulator


def _serve(emulator: Emulator) -> None:
    """Serve until SIGINT or SIGTERM, then stop."""
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGINT or SIGTERM; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        emulator = build_emulator(args)
        logging.basicConfig(
            level=args.log_level.upper(),
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        emulator.start()
    except (OSError, ValueError) as exc:
        print(f"lemlist emulator: {exc}", file=sys.stderr)
        return 2
    _serve(emulator)
    return 0
