"""No dynamic-provider host outlives its command (issue 25): scripts/pulumi_inline.py, which
runs the CLI here, ends the hosts the CLI leaves behind, never kills the CLI on Ctrl-C (the CLI
cancels by itself) and passes SIGTERM on. The CLI is a fake; each run is its own process,
since the runner becomes the child subreaper of the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = "import sys; from scripts import pulumi_inline as p; sys.exit(p.run_cli(sys.argv[1:]))"
# As scripts/pulumi runs it: the shell starts the dev emulator in the background, then execs
# the runner, so that emulator is the runner's child from before the CLI, and stays.
SHELL = (
    '"$PY" -c "import time; time.sleep(600)" & echo $! > "$NOTE"; '
    'exec "$PY" -c "$RUNNER" "$PY" -c "$CLI" "$HOST"'
)

# A CLI that starts a host and exits without stopping it (as a killed CLI does).
LEAVES_A_HOST = """
import subprocess, sys
host = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[1], "w").write(str(host.pid))
"""

# A CLI that cancels on SIGTERM only: SIGINT alone must not end it.
CANCELS = """
import signal, sys
signal.signal(signal.SIGINT, lambda *_: open(sys.argv[1], "a").write("int "))
def term(*_):
    open(sys.argv[1], "a").write("term")
    sys.exit(3)
signal.signal(signal.SIGTERM, term)
print("ready", flush=True)
while True:
    signal.pause()
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux subreaper")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_host_the_cli_leaves_behind_does_not_outlive_the_command(tmp_path: Path) -> None:
    note = tmp_path / "host.pid"
    cli = [sys.executable, "-c", LEAVES_A_HOST, str(note)]
    result = subprocess.run([sys.executable, "-c", RUNNER, *cli], cwd=ROOT, timeout=60)
    assert result.returncode == 0
    assert gone(int(note.read_text()))


def test_ctrl_c_leaves_the_cli_to_cancel_and_sigterm_reaches_it(tmp_path: Path) -> None:
    note = tmp_path / "signals"
    cli = [sys.executable, "-c", CANCELS, str(note)]
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER, *cli], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert runner.stdout is not None
    assert runner.stdout.readline().strip() == "ready"
    runner.send_signal(signal.SIGINT)  # to the runner only: it must not kill the CLI
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=60) == 3
    assert note.read_text().endswith("term")


def test_a_child_from_before_the_cli_stays(tmp_path: Path) -> None:
    emulator, host = tmp_path / "emulator.pid", tmp_path / "host.pid"
    env = {**os.environ, "PY": sys.executable, "NOTE": str(emulator), "RUNNER": RUNNER,
           "CLI": LEAVES_A_HOST, "HOST": str(host)}
    result = subprocess.run(["bash", "-c", SHELL], cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 0
    assert gone(int(host.read_text()))
    pid = int(emulator.read_text())
    try:
        assert not gone(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
