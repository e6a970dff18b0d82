"""Where the e2e suites find the Pulumi CLI: on PATH, else the one scripts/pulumi installed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL_CLI = ROOT / ".pulumi-cli"


def cli_root() -> Path | None:
    """The install root (``<root>/bin/pulumi``) of the CLI to use, or None when there is none."""
    found = shutil.which("pulumi")
    if found is not None:
        return Path(found).resolve().parent.parent
    if (LOCAL_CLI / "bin" / "pulumi").exists():
        return LOCAL_CLI
    return None


SKIP_REASON = (
    "no Pulumi CLI: none on PATH and none in .pulumi-cli/ (run ./scripts/pulumi once to "
    "install it there, or install it from pulumi.com/docs/install), so the Automation API "
    "suite cannot run here"
)


def cli_path_env() -> str:
    """PATH with the CLI's directory first (its language plugins live next to it)."""
    root = cli_root()
    assert root is not None
    return os.pathsep.join([str(root / "bin"), os.environ.get("PATH", "")])
