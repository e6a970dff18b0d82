"""Find or obtain the Pulumi CLI, always: the one place that decides which CLI the project runs.

    python scripts/pulumi_cli.py find      print the CLI's bin directory, or exit 1
    python scripts/pulumi_cli.py ensure    the same, obtaining a CLI first when there is none

In this order (issue 17):
1. ``pulumi`` on PATH;
2. a CLI cached for the project's Pulumi version (``$CACHE/v<version>/bin/pulumi`` whose
   ``pulumi version`` prints it), where steps 3 and 4 put theirs;
3. the SDK's installer (``PulumiCommand.install``: a download from get.pulumi.com, fine for
   users online; the full release, Python language host included);
4. a build from the Go modules (scripts/pulumi-cli/build) when ``go`` is present.

The version is the project's Pulumi SDK pin (requirements.txt); scripts/pulumi-cli/go.mod
pins the same (tests/test_pulumi_cli.py). ``$CACHE`` is ``$LEMLIST_PULUMI_CLI_CACHE``, else
``${XDG_CACHE_HOME:-~/.cache}/lemlist-resource/pulumi-cli``: outside the checkout, so a fresh
clone on the same machine finds it. Standard library only (step 3 imports the SDK lazily).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROG = "scripts/pulumi"
BUILD = ROOT / "scripts" / "pulumi-cli" / "build"
# What the CLI needs to stay on this machine (docs/development.md, "The real engine").
OFFLINE_ENV = {
    "PULUMI_SKIP_UPDATE_CHECK": "true",  # the CLI's only call home: its version check
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",  # a missing plugin fails at once
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}


def version() -> str:
    """The project's Pulumi version: requirements.txt's ``pulumi==`` pin."""
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(r"^pulumi==([0-9][0-9.]*)\s*$", text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"{PROG}: requirements.txt pins no pulumi==X.Y.Z")
    return match.group(1)


def cache_dir() -> Path:
    """Where obtained CLIs live, one directory per version."""
    explicit = os.environ.get("LEMLIST_PULUMI_CLI_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lemlist-resource" / "pulumi-cli"


def cli_version(pulumi: Path) -> str | None:
    """What ``pulumi version`` prints, or None when it does not run."""
    try:
        done = subprocess.run(  # noqa: S603 - a path this module chose
            [str(pulumi), "version"], capture_output=True, text=True, timeout=60,
            env={**os.environ, **OFFLINE_ENV}, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def cached(want: str) -> Path | None:
    """The cached CLI of version ``want``, when it is there and says so."""
    bin_dir = cache_dir() / f"v{want}" / "bin"
    if cli_version(bin_dir / "pulumi") == f"v{want}":
        return bin_dir
    return None


def find() -> Path | None:
    """Steps 1 and 2: the bin directory of a CLI that needs no download or build."""
    on_path = shutil.which("pulumi")
    if on_path is not None:
        return Path(on_path).resolve().parent
    return cached(version())


def install(want: str) -> Path | None:
    """Step 3: the SDK's installer (a download); None when it cannot (offline, here)."""
    root = cache_dir() / f"v{want}"
    print(f"{PROG}: downloading the Pulumi CLI {want} into {root} (once)", file=sys.stderr)
    try:
        from pulumi.automation import PulumiCommand

        PulumiCommand.install(root=str(root), version=want)
    except Exception as exc:  # whatever urllib or the install script raised
        reason = getattr(exc, "reason", None) or type(exc).__name__
        print(f"{PROG}: could not download it ({reason}).", file=sys.stderr)
        return None
    return cached(want)


def have_go() -> bool:
    """Whether a Go toolchain is here: ``$LEMLIST_PULUMI_GO``, else on PATH, else where the
    project's machines install it (the build script looks in the same places)."""
    go = os.environ.get("LEMLIST_PULUMI_GO") or shutil.which("go") or "/usr/local/go/bin/go"
    return os.access(go, os.X_OK)


def build(want: str) -> Path | None:
    """Step 4: the build from Go modules; None when there is no Go or it fails (said)."""
    if not have_go():
        return None
    done = subprocess.run([str(BUILD)], stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        return None
    return cached(want)


def ensure() -> Path | None:
    """Steps 1 to 4, in order; None (and one sentence on stderr) when nothing worked."""
    found = find()
    if found is not None:
        return found
    want = version()
    obtained = install(want) or build(want)
    if obtained is None:
        built = "failed (its output is above)" if have_go() else "needs Go (PATH, /usr/local/go)"
        print(
            f"{PROG}: no Pulumi CLI: none on PATH, none cached in {cache_dir()}/v{want}, the "
            f"download of {want} failed, and a build from the Go modules {built}: install "
            "Pulumi (https://www.pulumi.com/docs/install/) and put it on PATH.",
            file=sys.stderr,
        )
    return obtained


def has_language_host(bin_dir: Path) -> bool:
    """Whether the CLI can run a Python program itself (the release ships the host; the Go
    build cannot: scripts/pulumi-cli/build)."""
    return (bin_dir / "pulumi-language-python").exists() or shutil.which(
        "pulumi-language-python"
    ) is not None


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "has-language-host":
        return 0 if has_language_host(Path(argv[1])) else 1
    if argv not in (["find"], ["ensure"]):
        print(f"{PROG}: pulumi_cli.py: expected find, ensure or has-language-host DIR",
              file=sys.stderr)
        return 2
    found = find() if argv[0] == "find" else ensure()
    if found is None:
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
