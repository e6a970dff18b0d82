"""Every shell command the README and docs/*.md show works as written.

A command is a line (with its backslash continuations) of a fenced block whose info string
is a shell: ``bash``, ``sh``, ``shell``. ``console`` blocks are transcripts of an example
session (their state is the one the text describes) and are not run. Each command is either

* **run** here, in a scratch copy of the repository (the tracked files, the project's
  ``.venv`` linked in, ``python`` being the virtualenv's): the commands of one document run
  in order, in one ``bash -euo pipefail`` per stretch between emulators, so a variable set by
  one block is seen by the next;
* **an emulator** (``python -m lemlist_emulator …``): started in the background on a port the
  system picks, used by the commands after it (until the next one), then stopped with
  SIGINT; the port the document names means that one in the commands after it (any other
  port of the 87xx range a free one), so nothing collides with a running dev stack (8787)
  or with parallel runs;
* **a benchmark**: run with small sizes (:data:`SMALL`): proves the command, not a figure;
* **covered elsewhere** (:data:`ELSEWHERE`, by prefix, each with its reason), e.g. the
  commands that need the Pulumi CLI, which the e2e suite (``tests/e2e``) runs.

A command that matches none of these runs: a new documented command is tested by default.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
SHELLS = {"bash", "sh", "shell"}

#: Commands not run here, by prefix, and why (where they are proven instead).
ELSEWHERE: dict[str, str] = {
    "./scripts/pulumi": "needs the Pulumi CLI: the e2e suite (tests/e2e, the workflow's e2e "
    "job) runs the main job through it; tests/test_scripts_pulumi.py covers the wrapper",
    "pulumi ": "needs the Pulumi CLI and a stack of the reader's own: tests/e2e",
    "./scripts/test": "the suite itself (CI runs it through .ci/run)",
    "./scripts/soak": "the suite itself, many times: a maintenance command",
    "./scripts/fuzz": "the property tests, many times with new seeds: a maintenance command",
    "python -m pytest": "tests of this very suite",
    "python3 -m venv": "creates the virtualenv from the package index: scripts/test does it "
    "on every fresh clone (.ci/run)",
    "python -m pip wheel": "pip's build isolation fetches setuptools from the package index "
    "(network); tests/test_release.py checks the version the build reads",
    "git ": "acts on the reader's clone or remote (branches, commits, push, clone, tags)",
    "gh ": "opens a pull request on GitHub (network)",
}

#: Benchmarks run with small sizes (argparse keeps the last value of a repeated option).
SMALL: dict[str, str] = {
    "python -m bench.throughput": "--n 5",
    "python -m bench.concurrency": "--create 2 --refresh 2",
    "python -m bench.preview": "--n 10 --rounds 1",
    "python -m bench": "--n 5 --preview-n 10 --rounds 1",
    "python -m bench.engine": "--n 2 --host widened",  # the real CLI (.ci/run provides it)
    "python -m bench.inventory": "--n 50",
    "python -m bench.lint_dns": "--n 3 --rounds 1",
    "python -m bench.fleet": "--n 2 --teams 1 --checkpoints off --rounds 1",  # the real CLI
}
EMULATOR = "python -m lemlist_emulator"


@dataclass(frozen=True)
class Command:
    doc: str
    line: int
    text: str

    def covered_by(self) -> str | None:
        return next((p for p in ELSEWHERE if self.text.startswith(p)), None)

    def where(self) -> str:
        return f"{self.doc}:{self.line}: {self.text}"


def commands(doc: Path) -> list[Command]:
    """The shell commands of a document's shell blocks, in order (comment lines dropped; a
    command continues over a trailing backslash or an open quotation)."""
    found: list[Command] = []
    fence: str | None = None
    pending, start = "", 0
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            fence = None if fence is not None else (line[3:].split() or [""])[0]
            continue
        if fence not in SHELLS or (not pending and not line.strip()):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        if not complete(pending + line):  # a quoted string spanning lines
            pending += line + "\n"
            continue
        text = (pending + line).strip()
        pending = ""
        if not text.startswith("#"):
            found.append(Command(doc.relative_to(ROOT).as_posix(), start, text))
    return found


def complete(text: str) -> bool:
    """False while a quotation opened in ``text`` is not closed yet."""
    try:
        shlex.split(text, comments=True)
    except ValueError:
        return False
    return True


def small(text: str) -> str:
    """A benchmark command with small sizes appended (before a trailing comment)."""
    for prefix, options in SMALL.items():
        if re.match(re.escape(prefix) + r"(\s|$)", text):
            code, _, comment = text.partition("#")
            return f"{code.rstrip()} {options}" + (f"  #{comment}" if comment else "")
    return text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Session:
    """Runs one document's commands in a scratch copy of the repository."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.ports: dict[str, str] = {}
        self.script: list[str] = []
        self.emulator: subprocess.Popen[str] | None = None
        venv = ROOT / ".venv" / "bin"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST_")}
        self.env.update(
            PATH=f"{venv}{os.pathsep}{os.environ['PATH']}", VIRTUAL_ENV=str(venv.parent)
        )
        self.env.pop("PYTHONPATH", None)

    def ported(self, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            return self.ports.setdefault(match.group(0), str(free_port()))

        return re.sub(r"\b87\d\d\b", swap, text)

    def add(self, command: Command) -> None:
        text = small(command.text)
        if text.startswith(EMULATOR):
            self.flush()
            # It binds a port the system picks (no race for a free one); the port the doc
            # names (8787 without --port) then means that one in the commands after it.
            named = re.search(r"--port[ =](\d+)", text)
            text = re.sub(r"--port[ =]\d+", "--port 0", text)
            port = self.start(text if named else f"{text} --port 0", command)
            self.ports[named.group(1) if named else "8787"] = port
        else:
            self.script.append(f"# {command.doc}:{command.line}\n{self.ported(text)}")

    def flush(self) -> None:
        if not self.script:
            return
        script = "\n".join(self.script)
        self.script = []
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=self.scratch,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (
            f"exit {done.returncode}\n--- script\n{script}\n--- stdout\n{done.stdout[-3000:]}"
            f"\n--- stderr\n{done.stderr[-3000:]}"
        )

    def start(self, text: str, command: Command) -> str:
        """Start an emulator in the background; returns the port it listens on."""
        self.stop()
        with open(self.scratch / f"emulator-{command.line}.log", "w") as log:
            self.emulator = subprocess.Popen(
                ["bash", "-c", f"exec {text}"],
                cwd=self.scratch,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert self.emulator.stdout is not None
        first = self.emulator.stdout.readline()  # blocks until it listens (or exits)
        if "listening on http://127.0.0.1:" not in first:
            self.emulator.kill()
            self.emulator.wait()
            self.emulator = None
            error = (self.scratch / f"emulator-{command.line}.log").read_text()
            pytest.fail(f"{command.where()} did not start: {first!r} {error[-2000:]}")
        return first.rsplit(":", 1)[1].split("/", 1)[0]

    def stop(self) -> None:
        if self.emulator is not None:
            self.emulator.send_signal(signal.SIGINT)
            assert self.emulator.wait(timeout=30) == 0
            self.emulator = None


#: What a fresh clone does not hold (and a scratch copy must not): tools, state, caches.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "venv", ".pulumi*", ".emulator", ".soak", ".fuzz",
    "__pycache__", "*.egg-info",
    ".*_cache", ".hypothesis", "build", "dist", "*.db",
)


def scratch_copy(into: Path) -> Path:
    """The repository as a fresh clone has it, with the project's .venv linked in."""
    shutil.copytree(ROOT, into, ignore=NOT_IN_A_CLONE, dirs_exist_ok=True)
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_every_documented_command_works(doc: Path, tmp_path: Path) -> None:
    session = Session(scratch_copy(tmp_path))
    try:
        for command in commands(doc):
            if command.covered_by() is None:
                session.add(command)
        session.flush()
    finally:
        session.stop()


def test_commands_are_found_and_every_exception_is_used() -> None:
    every = [c for doc in DOCS for c in commands(doc)]
    run = [c for c in every if c.covered_by() is None]
    assert any(c.text.startswith(EMULATOR) for c in run)
    assert any(c.text.startswith("curl ") for c in run)
    assert {p for p in SMALL} <= {small_prefix(c.text) for c in run}
    used = {c.covered_by() for c in every}
    assert set(ELSEWHERE) <= used, f"unused exceptions: {set(ELSEWHERE) - used}"


def small_prefix(text: str) -> str | None:
    return next((p for p in SMALL if re.match(re.escape(p) + r"(\s|$)", text)), None)
