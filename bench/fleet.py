"""Fleets under the real Pulumi CLI (issue 27, items 3 and 4): many teams in one stack, and the
engine itself at thousands of resources.

Both run a generated program of N ``EmailAccount``s spread evenly over T teams (each team its
own key in ``lemlist:teams``, so its own pacer and its own 20 requests per 2 s at lemlist)
against a fresh emulator with lemlist's limit and latency profile, through the real CLI, with
``--parallel`` as ``./scripts/pulumi`` passes it (the provider host's own width, by the
provider's rule: 32 per team in use, at most 320), unless ``--parallel`` says otherwise.

``teams`` (item 3): ``pulumi up`` then ``pulumi refresh``, with the engine's checkpoints on
and off (``PULUMI_SKIP_CHECKPOINTS``: the state written once at the end). Per row: requests
lemlist admitted, the busiest team's share, its floor (``(r - 20) / 10 + RT`` for that
team's r requests: lemlist cannot go faster per key), elapsed at the emulator, the ratio to
that floor (goal for ``up``: at most 1.15), the CLI's whole run, the peak of requests in
flight, 429s.

``scale`` (item 4): ``pulumi up`` of N, then a one-sender change (a replacement: 3 requests)
with the engine's checkpoints on and off (``PULUMI_SKIP_CHECKPOINTS``), then ``refresh``.
Per row: the CLI's whole run, the time lemlist spent (first request received to last
answered), the engine's time outside lemlist's calls (the difference), the CPU time of the
dynamic-provider host, of the ``pulumi`` process and of the program (where that time goes),
and the host's and the CLI's peak memory (VmHWM), sampled from /proc every 0.2 s.

    python -m bench.fleet teams --n 1000 --teams 10     # item 3's rows (~6 min)
    python -m bench.fleet scale --n 2000 --teams 10     # item 4's rows (~6 min)
    python -m bench.fleet teams --n 100 --teams 2       # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import common
from bench.common import API_KEY, CREDENTIALS, machine_markdown, sender
from bench.concurrency import LIMIT, MEAN, PROFILE, WINDOW
from bench.engine import PROGRAM, peak_in_flight
from lemlist_emulator import Emulator
from lemlist_resource.config.settings import check_concurrency
from tests.e2e.cli import BIN, SKIP_REASON, Project, new_project


def team_key(team: int) -> str:
    return f"bench-team-key-{team:02d}"


def floor(requests: int, tests: bool) -> float:
    """lemlist's floor for ``requests`` on one key (bench.concurrency explains it)."""
    return max(requests - LIMIT, 0) * WINDOW / LIMIT + (MEAN["test"] if tests else 0.0)


def _cpu_seconds(proc: Path) -> float:
    """User plus system CPU time of a process so far (/proc/PID/stat fields 14 and 15)."""
    try:
        fields = (proc / "stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Usage:
    """The peak resident memory (VmHWM, MiB) and the CPU time (s) of the host and the CLI,
    sampled from /proc (the CPU time: the last sample of each process, summed)."""

    host: float = 0.0
    cli: float = 0.0
    host_cpu: dict[int, float] = field(default_factory=dict)
    cli_cpu: dict[int, float] = field(default_factory=dict)
    program_cpu: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self, where: Path) -> None:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if Path(os.readlink(proc / "cwd")) != where:
                    continue
                command = (proc / "cmdline").read_bytes()
                status = (proc / "status").read_text()
            except OSError:
                continue
            peak = next((int(line.split()[1]) / 1024 for line in status.splitlines()
                         if line.startswith("VmHWM:")), 0.0)
            cpu = _cpu_seconds(proc)
            if b"pulumi.dynamic" in command:
                self.host = max(self.host, peak)
                self.host_cpu[int(proc.name)] = cpu
            elif command.split(b"\0")[0].endswith(b"/pulumi"):
                self.cli = max(self.cli, peak)
                self.cli_cpu[int(proc.name)] = cpu
            elif b"pulumi_inline.py" in command:  # the program, served to the CLI
                self.program_cpu[int(proc.name)] = cpu

    @contextmanager
    def watch(self, where: Path) -> Iterator[Usage]:
        def loop() -> None:
            while not self._stop.wait(0.2):
                self._sample(where)

        sampler = threading.Thread(target=loop, daemon=True)
        sampler.start()
        try:
            yield self
        finally:
            self._stop.set()
            sampler.join()


@dataclass
class Run:
    """One measured CLI command."""

    label: str
    wall: float = 0.0
    requests: int = 0
    tests: bool = False
    per_team: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    peak: int = 0
    rate_limited: int = 0
    usage: Usage = field(default_factory=Usage)

    @property
    def team_floor(self) -> float:
        busiest = max(self.per_team.values(), default=0)
        return floor(busiest, self.tests)

    def team_cells(self) -> list[object]:
        limit = self.team_floor
        ratio = f"**{self.elapsed / limit:.3f}**" if limit > 0 else "no floor"
        busiest = max(self.per_team.values(), default=0)
        return [self.label, self.requests, len(self.per_team), busiest, f"{limit:.2f}",
                f"{self.elapsed:.2f}", ratio, f"{self.wall:.2f}", self.peak, self.rate_limited]

    def scale_cells(self) -> list[object]:
        return [self.label, self.requests, f"{self.wall:.2f}", f"{self.elapsed:.2f}",
                f"**{self.wall - self.elapsed:.2f}**",
                f"{sum(self.usage.host_cpu.values()):.1f}",
                f"{sum(self.usage.cli_cpu.values()):.1f}",
                f"{sum(self.usage.program_cpu.values()):.1f}",
                f"{self.usage.host:.0f}", f"{self.usage.cli:.0f}"]


TEAM_HEADERS = ["command", "requests", "teams", "busiest team's requests", "its floor s",
                "elapsed s (emulator)", "elapsed / floor", "CLI run s", "peak in flight", "429s"]
SCALE_HEADERS = ["command", "requests", "CLI run s", "at lemlist s", "engine outside lemlist s",
                 "host CPU s", "CLI CPU s", "program CPU s", "host peak MiB", "CLI peak MiB"]


def stack(tmp: Path, emulator: Emulator, n: int, teams: int) -> Project:
    """A project of ``n`` senders over ``teams`` teams, on ``emulator``, initialized."""
    project = new_project(tmp, PROGRAM, LEMLIST_API_KEY=API_KEY, LEMLIST_API_URL=emulator.url)
    senders = {f"s{i:05d}": sender(i, imap_secure=True, team=f"t{i % teams:02d}")
               for i in range(n)}
    (project.dir / "senders.json").write_text(json.dumps(senders))
    project.init("bench")
    for team in range(teams):
        project.pulumi("config", "set", "--secret", "--path",
                       f"lemlist:teams.t{team:02d}.apiKey", team_key(team))
    return project


def measure(
    project: Project, emulator: Emulator, label: str, args: Sequence[str], **env: str
) -> Run:
    emulator.clear_log()
    run = Run(label)
    saved = dict(project.env)
    project.env.update(env)
    try:
        with run.usage.watch(project.dir):
            started = time.monotonic()
            done = project.pulumi(*args, "--yes", "--skip-preview")
            run.wall = time.monotonic() - started
    finally:
        project.env = saved
    if any(secret in done.stdout + done.stderr for secret in CREDENTIALS):
        raise SystemExit("a credential reached the CLI's output")
    emulator.wait_idle(timeout=10)
    log = [r for r in emulator.request_log() if r.status != 429]
    run.rate_limited = emulator.count(status=429)
    run.requests = len(log)
    run.tests = any(r.path.endswith("/test") for r in log)
    run.per_team = Counter(str(r.team) for r in log)
    if log:
        run.elapsed = max(r.started + r.duration for r in log) - min(r.started for r in log)
    run.peak = peak_in_flight(emulator)
    print(f"  {label}: CLI {run.wall:.1f} s, lemlist {run.elapsed:.1f} s, {run.requests} "
          f"requests, {run.rate_limited} x 429, host {run.usage.host:.0f} MiB", flush=True)
    return run


@contextmanager
def fleet(n: int, teams: int) -> Iterator[tuple[Project, Emulator]]:
    keys = {f"t{team:02d}": team_key(team) for team in range(teams)}
    with tempfile.TemporaryDirectory() as scratch, Emulator(
        api_keys={API_KEY: "team_1"}, teams=keys, rate_limit=(LIMIT, WINDOW), profile=PROFILE,
        seed=17,
    ) as emulator:
        yield stack(Path(scratch), emulator, n, teams), emulator


def teardown(project: Project, width: Sequence[str]) -> None:
    """Destroy the fleet, checkpoints off (on, a destroy of thousands takes minutes)."""
    project.env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    project.pulumi("destroy", "--yes", "--skip-preview", *width)


def teams_rows(n: int, teams: int, parallel: int, skips: Sequence[str]) -> list[Run]:
    """``up`` and ``refresh``, once per checkpoint setting (``skips``: PULUMI_SKIP_CHECKPOINTS
    values), each on a fresh emulator and stack."""
    rows: list[Run] = []
    for skip in skips:
        mode = "checkpoints off" if skip == "true" else "checkpoints on"
        with fleet(n, teams) as (project, emulator):
            width = ["--parallel", str(parallel)]
            rows += [measure(project, emulator, f"`pulumi {cmd}`, {mode}", [cmd, *width],
                             PULUMI_SKIP_CHECKPOINTS=skip) for cmd in ("up", "refresh")]
            teardown(project, width)
    return rows


def scale_rows(n: int, teams: int, parallel: int, skips: Sequence[str], rounds: int) -> list[Run]:
    with fleet(n, teams) as (project, emulator):
        width = ["--parallel", str(parallel)]
        # Created with checkpoints off: on, the writes grow with the square of N (the teams
        # rows show it at 1,000), which is not what these rows measure.
        rows = [measure(project, emulator, f"`pulumi up` of {n}, checkpoints off",
                        ["up", *width], PULUMI_SKIP_CHECKPOINTS="true")]
        senders = json.loads((project.dir / "senders.json").read_text())
        for turn, skip in enumerate(list(skips) * rounds):  # the settings alternate
            senders["s00000"]["sender_name"] = f"Sender 0, renamed {turn}"
            (project.dir / "senders.json").write_text(json.dumps(senders))
            label = f"one-sender change, checkpoints {'off' if skip == 'true' else 'on'}"
            rows.append(measure(project, emulator, label, ["up", *width],
                                PULUMI_SKIP_CHECKPOINTS=skip))
        for skip in skips:
            label = f"`pulumi refresh` of {n}, checkpoints {'off' if skip == 'true' else 'on'}"
            rows.append(measure(project, emulator, label, ["refresh", *width],
                                PULUMI_SKIP_CHECKPOINTS=skip))
        teardown(project, width)
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("what", choices=("teams", "scale"))
    p.add_argument("--n", type=int, default=1000, help="senders (1000)")
    p.add_argument("--teams", type=int, default=10, help="teams (10)")
    p.add_argument("--parallel", type=int,
                   help="pulumi's --parallel (default: what ./scripts/pulumi passes)")
    p.add_argument("--checkpoints", nargs="+", choices=("on", "off"), default=["on", "off"],
                   help="the engine's checkpoints on, off (PULUMI_SKIP_CHECKPOINTS) or both")
    p.add_argument("--rounds", type=int, default=2,
                   help="scale: one-sender changes per checkpoint setting (2)")
    args = p.parse_args(argv)
    if BIN is None:
        raise SystemExit(f"bench.fleet: {SKIP_REASON}")
    # As scripts/pulumi computes it: the provider's rule, the default team plus T teams.
    parallel = args.parallel or check_concurrency(None, args.teams + 1)
    print(machine_markdown())
    print(f"Emulator: {LIMIT} requests / {WINDOW:g} s per key, latency profile '{PROFILE}'; "
          f"{args.n} senders over {args.teams} teams; the real Pulumi CLI, --parallel "
          f"{parallel}.\n")
    skips = ["true" if mode == "off" else "false" for mode in args.checkpoints]
    if args.what == "teams":
        rows = teams_rows(args.n, args.teams, parallel, skips)
        print(common.table(TEAM_HEADERS, [r.team_cells() for r in rows]))
    else:
        rows = scale_rows(args.n, args.teams, parallel, skips, args.rounds)
        print(common.table(SCALE_HEADERS, [r.scale_cells() for r in rows]))


if __name__ == "__main__":
    main()
