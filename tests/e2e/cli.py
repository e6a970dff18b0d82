"""The real Pulumi CLI for the e2e suites: found as scripts/pulumi finds it, run as it runs it.

``scripts/pulumi_cli.py`` decides which CLI (PATH, then the cached build of the project's
version); ``.ci/run`` obtains one first, so in CI (``CI`` set) a missing CLI fails the suite
instead of skipping it. Without a Python language host (the Go build has none) a program
runs through ``scripts/pulumi_inline.py`` (the SDK's language server, ``--client``), exactly
as ``./scripts/pulumi`` runs the main job.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from scripts import pulumi_cli, pulumi_inline

ROOT = Path(__file__).resolve().parents[2]
BIN = pulumi_cli.find()
SKIP_REASON = (
    "no Pulumi CLI: none on PATH and none cached (run ./scripts/pulumi once, or "
    "python scripts/pulumi_cli.py ensure, to build it from its Go modules)"
)


def require_cli() -> Path:
    """The CLI's bin directory; skips without one, except in CI, where that is a failure."""
    if BIN is None:
        if os.environ.get("CI"):
            pytest.fail(f"the e2e suite must run in CI, but there is {SKIP_REASON}")
        pytest.skip(SKIP_REASON)
    return BIN


@dataclass
class Project:
    """A Pulumi project directory on a scratch file backend, driven through the real CLI."""

    dir: Path
    backend: Path
    passphrase: str = "e2e-only-passphrase"
    env: dict[str, str] = field(default_factory=dict)

    def environ(self) -> dict[str, str]:
        bin_dir = require_cli()
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "LEMLIST_"))}
        # This virtualenv first, as in an activated one: under --client the dynamic-provider
        # script runs python3 from PATH (scripts/pulumi_inline.py says why).
        path = [str(Path(sys.executable).parent), str(bin_dir), keep.get("PATH", "")]
        return keep | pulumi_cli.OFFLINE_ENV | {
            "PATH": os.pathsep.join(path),
            "PULUMI_BACKEND_URL": f"file://{self.backend}",
            "PULUMI_CONFIG_PASSPHRASE": self.passphrase,
            "PULUMI_HOME": str(self.backend.parent / "pulumi-home"),
            "NO_COLOR": "1",
        } | self.env

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``pulumi ARGS`` in the project, with ``--non-interactive``; ``check``: must pass."""
        bin_dir = require_cli()
        command = [str(bin_dir / "pulumi"), *args, "--non-interactive"]
        if not pulumi_cli.has_language_host(bin_dir):
            command = [sys.executable, str(ROOT / "scripts" / "pulumi_inline.py"), *command]
        done = subprocess.run(
            command, cwd=self.dir, env=self.environ(), capture_output=True, text=True,
            timeout=600, check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def init(self, stack: str) -> None:
        self.pulumi("stack", "select", stack, "--create")

    def export(self) -> dict[str, Any]:
        return dict(json.loads(self.pulumi("stack", "export").stdout))

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.pulumi("stack", "output", "--json").stdout))


def serve_program(program: Callable[[], None]) -> tuple[Any, str]:
    """The SDK's language server for ``program``, as ``scripts/pulumi_inline.py`` serves the
    project's: the server, to stop, and its address."""
    return pulumi_inline.serve(program)


def new_project(tmp_path: Path, program: str, name: str = "lemlist-e2e", **env: str) -> Project:
    """A project whose ``__main__.py`` is ``program``, run in this test's virtualenv."""
    project = tmp_path / "project"
    project.mkdir()
    venv = Path(sys.executable).parent.parent
    (project / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
    )
    (project / "__main__.py").write_text(program)
    backend = tmp_path / "state"
    backend.mkdir()
    return Project(project, backend, env=dict(env))


def policy_pack(tmp_path: Path) -> Path:
    """A copy of the project's policy pack, run in this test's virtualenv (it has pulumi-policy)."""
    pack = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", pack, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    text = (pack / "PulumiPolicy.yaml").read_text()
    venv = Path(sys.executable).parent.parent
    (pack / "PulumiPolicy.yaml").write_text(text.replace("virtualenv: venv", f"virtualenv: {venv}"))
    return pack


# -- A checkout of the repository, driven through ./scripts/pulumi as an operator does --------


def free_port() -> int:
    """A loopback port the system picks (then free again)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_checkout(copy: Path, port: int | None) -> Path:
    """The tracked files of the repository in ``copy``, the dev emulator's kept port ``port``
    (None: none kept, so the wrapper tries 8787 first), and a virtualenv that is this test's
    own seen through links (its interpreter and packages), with the wrapper's pip stamp made,
    so the script installs nothing into this test's virtualenv."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode().split("\0")
    for name in filter(None, files):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    venv = Path(sys.executable).parent.parent
    shadow = copy / ".venv"
    (shadow / "bin").mkdir(parents=True)
    shutil.copy(venv / "pyvenv.cfg", shadow / "pyvenv.cfg")
    (shadow / "lib").symlink_to(venv / "lib")
    (shadow / "bin" / "python").symlink_to(venv / "bin" / "python")
    stamp = subprocess.run(
        [sys.executable, "scripts/pulumi_setup.py", "stamp", "requirements.txt", "pyproject.toml"],
        cwd=copy, capture_output=True, text=True, check=True,
    ).stdout
    (shadow / ".requirements.sha256").write_text(stamp)
    if port is not None:
        (copy / ".emulator").mkdir()
        (copy / ".emulator" / "port").write_text(f"{port}\n")
    return copy


def stop_emulator(copy: Path) -> None:
    """End the dev emulator the script started in ``copy``, if it did."""
    pid_file = copy / ".emulator" / "emulator.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        except ProcessLookupError:
            pass


def run_wrapper(
    copy: Path, *args: str, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """``./scripts/pulumi ARGS --non-interactive`` in ``copy``, in a clean environment plus
    ``env``; ``check``: it must pass."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "LEMLIST_"))}
    environ["PULUMI_HOME"] = str(copy.parent / "pulumi-home")
    environ.update(env)
    done = subprocess.run(
        ["bash", str(copy / "scripts" / "pulumi"), *args, "--non-interactive"],
        cwd=copy, env=environ, capture_output=True, text=True, timeout=900, check=False,
    )
    if check:
        assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done
