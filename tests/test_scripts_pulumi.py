"""scripts/pulumi, the main job's command, with a fake ``pulumi`` on PATH.

Each test copies the script into a scratch repository whose ``.venv/bin/python`` records
what it is asked: pip installs and emulator starts are recorded, not performed; everything
else runs on this interpreter. The fake ``pulumi`` records its arguments and environment.
No network: the offline install is proven with a proxy on a closed loopback port. Each run has
its own empty CLI cache (``LEMLIST_PULUMI_CLI_CACHE``) and no Go (``LEMLIST_PULUMI_GO``), so the
machine's cached or built CLI is never picked up by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lemlist_emulator import Emulator

ROOT = Path(__file__).resolve().parents[1]
DEV_KEY = "emulator-dev-key"
DEV_TEAMS = {"globex": "emulator-globex-key"}  # the dev stack's second team (lemlist:teams)

FAKE_PULUMI = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["FAKE_LOG"], "a") as log:
    env = {k: os.environ.get(k) for k in
           ("LEMLIST_API_KEY", "LEMLIST_API_URL", "PULUMI_CONFIG_PASSPHRASE",
            "PULUMI_BACKEND_URL", "LEMLIST_CONFIG_FROM_PROGRAM")}
    log.write(json.dumps({"pulumi": sys.argv[1:], "env": env}) + "\\n")
a = sys.argv[1:]
if a[:2] == ["stack", "select"] and "--create" not in a and (
    a[2] in os.environ.get("FAKE_MISSING_STACKS", "").split(",")
):
    sys.exit("error: no stack named " + a[2])
if a[:2] == ["config", "set"]:  # as the real CLI does: re-serialised, a plain false quoted
    path = "stacks/Pulumi." + a[a.index("--stack") + 1] + ".yaml"
    text = open(path).read().replace("protect: false", 'protect: "false"')
    open(path, "w").write(text + "  " + a[2] + ": " + a[3] + "\\n")
"""

# A CLI cached for the scratch repository's Pulumi version (requirements.txt: 3.0.0).
CACHED_PULUMI = FAKE_PULUMI.replace(
    "import json, os, sys\n",
    "import json, os, sys\nif sys.argv[1:] == ['version']: print('v3.0.0'); sys.exit(0)\n",
)

FAKE_PYTHON = """#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
def note(what):
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write(json.dumps({"python": what}) + "\\n")
if args[:2] == ["-m", "pip"]:
    note("pip"); sys.exit(1 if os.environ.get("FAKE_PIP_FAILS") else 0)
if args[:2] == ["-m", "lemlist_emulator"]:
    note("emulator " + " ".join(args[2:])); print("listening on http://127.0.0.1"); sys.exit(0)
if len(args) > 1 and args[0].endswith("pulumi_setup.py"):
    note(args[1])
os.execv(REAL, [REAL] + args)
""".replace("REAL", repr(sys.executable))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def path_without_pulumi() -> str:
    """This PATH minus any directory holding a real ``pulumi``."""
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not (Path(d) / "pulumi").exists())


@dataclass
class Repo:
    root: Path
    port: int
    fake_bin: Path

    def run(self, *args: str, cli: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        path = path_without_pulumi()
        environ = {
            k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")
        } | {
            "FAKE_LOG": str(self.log),
            "PATH": path,
            "LEMLIST_PULUMI_CLI_CACHE": str(self.cache),
            "LEMLIST_PULUMI_GO": "/nonexistent/go",
            **env,
        }
        environ.pop("PULUMI_BACKEND_URL", None)
        if cli:
            environ["PATH"] = f"{self.fake_bin}{os.pathsep}{path}"
        return subprocess.run(
            ["bash", str(self.root / "scripts" / "pulumi"), *args],
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )

    @property
    def cache(self) -> Path:
        return self.root.parent / "cli-cache"

    @property
    def log(self) -> Path:
        return self.root / "fake.log"

    def calls(self) -> list[dict[str, object]]:
        """What was run, in order; the wrapper's own ``--parallel N`` set aside (in
        ``parallel``), as most tests are about other flags (test_the_host_is_filled_*)."""
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        self.log.unlink()
        found = [json.loads(line) for line in lines]
        for call in found:
            args = call.get("pulumi")
            if isinstance(args, list) and "--parallel" in args:
                at = args.index("--parallel")
                call["parallel"] = args[at + 1]
                call["pulumi"] = args[:at] + args[at + 2 :]
        return found

    @property
    def state(self) -> Path:
        """The dev emulator's state file; its directory made (an emulator here keeps it)."""
        (self.root / ".emulator").mkdir(exist_ok=True)
        return self.root / ".emulator" / "dev.db"

    def pulumi_calls(self) -> list[list[str]]:
        return [c["pulumi"] for c in self.calls() if "pulumi" in c]  # type: ignore[misc]


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repo]:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    for source in [ROOT / "scripts" / "pulumi", *(ROOT / "scripts").glob("*.py")]:
        shutil.copy(source, root / "scripts" / source.name)
    (root / "requirements.txt").write_text("pulumi==3.0.0\n")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    # The port this checkout's dev emulator keeps (8787 at first: a developer's own dev
    # emulator may hold it, so a free one here).
    port = free_port()
    (root / ".emulator").mkdir()
    (root / ".emulator" / "port").write_text(f"{port}\n")
    (root / "stacks").mkdir()
    dev = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
    assert "  lemlist:apiUrl:" not in dev  # the wrapper gives each checkout its own
    (root / "stacks" / "Pulumi.dev.yaml").write_text(dev)
    # prod made the user's own (docs/gitops.md, "Make staging and prod yours"): not the example
    # salt, whose passphrase nobody has (tests/test_scripts_pulumi_stacks.py covers that one).
    prod = (ROOT / "stacks" / "Pulumi.prod.yaml").read_text()
    (root / "stacks" / "Pulumi.prod.yaml").write_text(
        "\n".join(line for line in prod.splitlines() if not line.startswith("encryptionsalt:"))
    )
    venv_bin = root / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(FAKE_PYTHON)
    (venv_bin / "python").chmod(0o755)
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "pulumi").write_text(FAKE_PULUMI)
    (fake_bin / "pulumi").chmod(0o755)
    # A release CLI ships its Python language host: the program runs the usual way.
    (fake_bin / "pulumi-language-python").write_text("#!/bin/sh\nexit 1\n")
    (fake_bin / "pulumi-language-python").chmod(0o755)
    yield Repo(root, port, fake_bin)


@pytest.mark.parametrize("args", [["--help"], ["version"], ["up", "--help"], ["-h"]])
def test_help_and_version_go_straight_to_the_cli(repo: Repo, args: list[str]) -> None:
    result = repo.run(*args)
    assert result.returncode == 0, result.stderr
    calls = repo.calls()
    assert calls == [{"pulumi": args, "env": calls[0]["env"]}], "something was started"


@pytest.mark.parametrize(
    "args, expected",
    [
        (["preview", "--stack", "prod", "--diff"], ["preview", "--diff", "--stack", "prod"]),
        (["--stack=prod", "preview"], ["preview", "--stack", "prod"]),
        (["preview", "-s", "prod"], ["preview", "--stack", "prod"]),
        (["-s", "prod", "config", "set", "--", "k", "-v"],
         ["config", "set", "--stack", "prod", "--", "k", "-v"]),
        ([], ["up", "--stack", "prod"]),
    ],
)  # fmt: skip
def test_the_stack_option_works_anywhere(repo: Repo, args: list[str], expected: list[str]) -> None:
    if not args:
        args = ["--stack", "prod"]
    result = repo.run(*args)
    assert result.returncode == 0, result.stderr
    assert repo.pulumi_calls() == [
        ["stack", "select", "prod", "--non-interactive"],
        expected,
    ]


@pytest.mark.parametrize("args", [["up", "--stack"], ["--stack", "--diff"], ["-s"], ["--stack="]])
def test_a_missing_stack_name_is_a_clear_error(repo: Repo, args: list[str]) -> None:
    result = repo.run(*args)
    assert result.returncode == 2
    assert "needs a stack name" in result.stderr
    assert "unbound variable" not in result.stderr
    assert repo.pulumi_calls() == []


def test_pip_runs_only_when_the_requirements_changed(repo: Repo) -> None:
    def pips() -> int:
        return sum(1 for c in repo.calls() if c.get("python") == "pip")

    assert repo.run("--stack", "prod", "preview").returncode == 0
    assert pips() == 1
    assert repo.run("--stack", "prod", "preview").returncode == 0
    assert pips() == 0
    (repo.root / "requirements.txt").write_text("pulumi==3.0.1\n")
    assert repo.run("--stack", "prod", "preview").returncode == 0
    assert pips() == 1


def test_a_failed_pip_install_stops_with_a_sentence_and_no_stamp(repo: Repo) -> None:
    result = repo.run("--stack", "prod", "preview", FAKE_PIP_FAILS="1")
    assert result.returncode == 1
    assert "pip could not install requirements.txt" in result.stderr
    assert repo.pulumi_calls() == []
    assert not (repo.root / ".venv" / ".requirements.sha256").exists()


def test_dev_starts_the_emulator_with_the_dev_key_when_nothing_answers(repo: Repo) -> None:
    result = repo.run("preview", LEMLIST_API_KEY="a-real-key-exported-here")
    assert result.returncode == 0, result.stderr
    calls = repo.calls()
    started = [c["python"] for c in calls if str(c.get("python", "")).startswith("emulator")]
    assert started == [
        f"emulator --port {repo.port} --state .emulator/dev.db --team globex=emulator-globex-key"
    ]
    last = calls[-1]
    assert last["pulumi"] == ["preview", "--stack", "dev"]
    assert last["env"] == {
        "LEMLIST_API_KEY": DEV_KEY,
        "LEMLIST_API_URL": f"http://127.0.0.1:{repo.port}/api",
        "PULUMI_CONFIG_PASSPHRASE": "lemlist-dev-emulator-not-a-secret",
        "PULUMI_BACKEND_URL": f"file://{repo.root}/.pulumi-state",
        "LEMLIST_CONFIG_FROM_PROGRAM": "1",
    }


def test_dev_reuses_an_emulator_that_takes_the_dev_key(repo: Repo) -> None:
    with Emulator(
        api_keys={DEV_KEY: "team_1"}, teams=DEV_TEAMS, port=repo.port, state_path=repo.state
    ):
        result = repo.run("up")
    assert result.returncode == 0, result.stderr
    calls = repo.calls()
    assert not [c for c in calls if str(c.get("python", "")).startswith("emulator")]
    assert calls[-1]["pulumi"] == ["up", "--stack", "dev"]


def test_dev_stops_when_the_emulator_there_refuses_the_dev_key(repo: Repo) -> None:
    with Emulator(api_keys={"my-own-key": "team_1"}, port=repo.port, state_path=repo.state):
        result = repo.run("up")
    assert result.returncode == 1
    assert "refuses the dev stack's API key (HTTP 401)" in result.stderr
    assert repo.pulumi_calls() == []


def test_dev_stops_when_the_emulator_there_lacks_the_second_team(repo: Repo) -> None:
    # started before teams
    with Emulator(api_keys={DEV_KEY: "team_1"}, port=repo.port, state_path=repo.state):
        result = repo.run("up")
    assert result.returncode == 1
    assert "refuses the dev stack's second team's key (lemlist:teams) (HTTP 401)" in result.stderr
    assert "emulator-globex-key" not in result.stderr
    assert repo.pulumi_calls() == []


def _moved(repo: Repo, result: subprocess.CompletedProcess[str]) -> int:
    """The port this checkout's emulator moved to: started there, kept, given to pulumi."""
    assert result.returncode == 0, result.stderr
    port = int((repo.root / ".emulator" / "port").read_text())
    assert port != repo.port
    url = f"http://127.0.0.1:{port}/api"
    assert f"so this checkout's dev emulator uses {url} (kept in .emulator/port)" in result.stderr
    calls = repo.calls()
    started = [c["python"] for c in calls if str(c.get("python", "")).startswith("emulator")]
    assert started == [
        f"emulator --port {port} --state .emulator/dev.db --team globex=emulator-globex-key"
    ]
    assert calls[-1]["env"]["LEMLIST_API_URL"] == url  # type: ignore[index]
    return port


def test_dev_moves_beside_another_checkouts_emulator_and_says_whose(
    repo: Repo, tmp_path: Path
) -> None:
    """Two checkouts on one machine: the second's dev emulator takes another port (issue 25)."""
    other = tmp_path / "other-checkout"
    (other / ".emulator").mkdir(parents=True)
    with Emulator(
        api_keys={DEV_KEY: "team_1"}, teams=DEV_TEAMS, port=repo.port,
        state_path=other / ".emulator" / "dev.db",
    ) as theirs:
        result = repo.run("up")
        assert theirs.request_log()  # asked whose it is, and left it running
    _moved(repo, result)
    assert f"is another checkout's ({other}, pid {os.getpid()})" in result.stderr


def test_dev_moves_beside_a_stale_emulator_and_says_to_stop_it(
    repo: Repo, tmp_path: Path
) -> None:
    gone = tmp_path / "deleted-checkout" / ".emulator"
    gone.mkdir(parents=True)
    with Emulator(
        api_keys={DEV_KEY: "team_1"}, teams=DEV_TEAMS, port=repo.port,
        state_path=gone / "dev.db",
    ):
        shutil.rmtree(gone.parent)
        result = repo.run("up")
    _moved(repo, result)
    assert "a stale lemlist emulator" in result.stderr
    assert f"stop it when you can (kill {os.getpid()})" in result.stderr


def test_dev_moves_beside_something_that_is_not_the_emulator(repo: Repo) -> None:
    # A web server of some other project: 501 to the probe's POST, no lemlist words.
    server = ThreadingHTTPServer(("127.0.0.1", repo.port), BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = repo.run("up")
    finally:
        server.shutdown()
        server.server_close()
    _moved(repo, result)
    assert "something that is not the lemlist emulator answers on" in result.stderr


def test_a_pinned_dev_url_stops_at_another_checkouts_emulator_and_says_whose(
    repo: Repo, tmp_path: Path
) -> None:
    """A lemlist:apiUrl in the dev stack file pins the address: no moving, one sentence."""
    dev = repo.root / "stacks" / "Pulumi.dev.yaml"
    url = f"http://127.0.0.1:{repo.port}/api"
    dev.write_text(dev.read_text().replace("config:\n", f"config:\n  lemlist:apiUrl: {url}\n", 1))
    other = tmp_path / "other-checkout"
    (other / ".emulator").mkdir(parents=True)
    with Emulator(
        api_keys={DEV_KEY: "team_1"}, teams=DEV_TEAMS, port=repo.port,
        state_path=other / ".emulator" / "dev.db",
    ):
        result = repo.run("up")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert f"is another checkout's ({other}, pid {os.getpid()})" in lines[-1]
    assert f"cd {other} && kill $(cat .emulator/emulator.pid)" in lines[-1]
    assert "remove lemlist:apiUrl from stacks/Pulumi.dev.yaml" in lines[-1]
    assert repo.pulumi_calls() == []


def test_the_dev_team_key_is_the_one_the_dev_stack_encrypts() -> None:
    """scripts/pulumi starts the emulator with the key stacks/Pulumi.dev.yaml holds."""
    from tests.inventory.helpers import DEV_PASSPHRASE
    from tests.program_host import decrypted_stack_config

    script = (ROOT / "scripts" / "pulumi").read_text()
    config, secret_keys = decrypted_stack_config(
        ROOT / "stacks" / "Pulumi.dev.yaml", DEV_PASSPHRASE
    )
    assert "lemlist:teams" in secret_keys
    assert json.loads(config["lemlist:teams"]) == {
        name: {"apiKey": key} for name, key in DEV_TEAMS.items()
    }
    for name, key in DEV_TEAMS.items():
        assert f"DEV_TEAM={name}\n" in script and f"DEV_TEAM_KEY={key} " in script


def test_dev_refuses_a_key_in_the_stack_file_which_would_win(repo: Repo) -> None:
    dev = repo.root / "stacks" / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text().replace("config:\n", "config:\n  lemlist:apiKey: abc\n", 1))
    result = repo.run("up")
    assert result.returncode == 1
    assert "stack config wins over the environment" in result.stderr
    assert repo.pulumi_calls() == []


def test_without_a_cli_it_tries_each_source_and_says_what_it_tried(repo: Repo) -> None:
    closed = free_port()  # nothing listens there: every download fails at once
    proxy = f"http://127.0.0.1:{closed}"
    result = repo.run("up", cli=False, https_proxy=proxy, HTTPS_PROXY=proxy, NO_PROXY="")
    assert result.returncode == 1
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and "installing requirements.txt" not in line  # the venv step's line
    ]
    assert lines[0].startswith("scripts/pulumi: downloading the Pulumi CLI 3.0.0 into ")
    assert lines[1].startswith("scripts/pulumi: could not download it (")
    assert lines[2].startswith("scripts/pulumi: no Pulumi CLI: none on PATH, none cached in ")
    assert "the download of 3.0.0 failed, and a build from the Go modules needs Go" in lines[2]
    assert len(lines) == 3 and "Traceback" not in result.stderr, result.stderr
    assert repo.pulumi_calls() == []


def _cache_cli(repo: Repo, version: str) -> Path:
    bin_dir = repo.cache / version / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "pulumi").write_text(CACHED_PULUMI)
    (bin_dir / "pulumi").chmod(0o755)
    return bin_dir


def test_a_cli_cached_for_the_projects_version_is_used(repo: Repo) -> None:
    _cache_cli(repo, "v3.0.0")
    result = repo.run("--stack", "prod", "preview", cli=False)
    assert result.returncode == 0, result.stderr
    calls = repo.pulumi_calls()
    assert calls[0] == ["stack", "select", "prod", "--non-interactive"]
    # The cached build has no Python language host: the program goes through --client.
    args = calls[-1]
    assert args[:3] == ["preview", "--stack", "prod"]
    assert args[3].startswith("--client=127.0.0.1:")
    assert args[4:] == ["--exec-kind", "auto.inline"]


def test_a_cli_cached_for_another_version_is_not_used(repo: Repo) -> None:
    _cache_cli(repo, "v2.99.0")
    closed = free_port()
    proxy = f"http://127.0.0.1:{closed}"
    result = repo.run("up", cli=False, https_proxy=proxy, HTTPS_PROXY=proxy, NO_PROXY="")
    assert result.returncode == 1 and "no Pulumi CLI" in result.stderr
    assert repo.pulumi_calls() == []


def test_without_a_language_host_the_program_is_served_on_client_with_the_venv_first(
    repo: Repo,
) -> None:
    (repo.fake_bin / "pulumi-language-python").unlink()
    result = repo.run("up", "--yes", "--", "extra")
    assert result.returncode == 0, result.stderr
    calls = [c for c in repo.calls() if "pulumi" in c]
    assert calls[0]["pulumi"] == ["stack", "select", "dev", "--create", "--non-interactive"]
    args = calls[-1]["pulumi"]
    assert isinstance(args, list)
    assert args[:3] == ["up", "--yes", "--stack"] and args[3] == "dev"
    assert args[4].startswith("--client=127.0.0.1:")
    assert args[5:] == ["--exec-kind", "auto.inline", "--", "extra"]


def test_the_cli_install_directory_is_ignored_by_git() -> None:
    assert ".pulumi-cli/" in (ROOT / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize(
    ("args", "width"),
    [
        (["up"], "64"),  # dev: the default team and globex, 32 each (hostpool.for_teams)
        (["preview", "--diff"], "64"),
        (["refresh", "--yes"], "64"),
        (["destroy", "--yes"], "64"),
    ],
)
def test_the_host_is_filled_when_no_parallel_is_given(
    repo: Repo, args: list[str], width: str
) -> None:
    """The engine sends at most --parallel operations at once (4 x cores by default): the
    wrapper passes the provider host's own width, so each team's pacer is kept busy."""
    result = repo.run(*args)
    assert result.returncode == 0, result.stderr
    assert repo.calls()[-1]["parallel"] == width


@pytest.mark.parametrize("given", [["--parallel", "3"], ["--parallel=3"], ["-p", "3"], ["-p3"]])
def test_a_parallel_the_user_gives_is_kept(repo: Repo, given: list[str]) -> None:
    result = repo.run("up", *given)
    assert result.returncode == 0, result.stderr
    last = repo.calls()[-1]
    args = last["pulumi"]
    assert isinstance(args, list) and "--parallel" not in args and "--parallel=64" not in args
    if given[0] == "--parallel":  # set aside by calls(): the user's, not a second one
        assert last["parallel"] == "3" and args[:1] == ["up"]
    else:
        assert "parallel" not in last and args[: 1 + len(given)] == ["up", *given]


def test_the_width_follows_lemlist_concurrency_and_the_teams(repo: Repo) -> None:
    dev = repo.root / "stacks" / "Pulumi.dev.yaml"
    text = dev.read_text()
    dev.write_text(text.replace("config:\n", "config:\n  lemlist:concurrency: 12\n", 1))
    repo.run("preview")
    assert repo.calls()[-1]["parallel"] == "12"
    more = text.replace("  lemlist:teams:\n", "  lemlist:teams:\n    acme:\n      apiKey: x\n", 1)
    dev.write_text(more)
    repo.run("preview")  # three teams in use
    assert repo.calls()[-1]["parallel"] == "96"


def test_other_commands_get_no_parallel(repo: Repo) -> None:
    repo.run("stack", "ls")
    assert all("parallel" not in c for c in repo.calls())
