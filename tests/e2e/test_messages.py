"""What a user reads when ``pulumi up`` fails, under the real CLI: golden diagnostics.

Each case runs the real ``pulumi up`` (or ``preview``) of one mailbox against the emulator
in a common failure, and compares the "Diagnostics:" block the CLI prints with
``tests/e2e/golden/<case>.txt``, after normalizing what changes between runs (mailbox ids,
ports, paths) and the order of the block's sections (the CLI prints them in map order).
Every error reads as one sentence first: no traceback, no chained repeat, no credential.

To rewrite the golden files after a deliberate change of wording: ``UPDATE_GOLDEN=1
./scripts/test tests/e2e/test_messages.py``, then read the diff.
"""

from __future__ import annotations

import inspect
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from lemlist_emulator.faults import Fault
from lemlist_resource.lemlist.transport import Transport
from tests.conftest import API_KEY, assert_no_credentials
from tests.e2e.cli import ROOT, new_project
from tests.e2e.test_engine import program
from tests.mailboxes import mailbox

pytestmark = pytest.mark.e2e

GOLDEN = Path(__file__).parent / "golden"
WRONG_KEY = "wrong-key-0b7d1e"
#: Where a mailbox's check fails (Emulator.fail_check), and lemlist's words for it.
SMTP_HOST = mailbox()["smtp_host"]
#: One 429 more than the client accepts before it gives up.
RATE_LIMITED_TRIES = inspect.signature(Transport).parameters["max_rate_limited"].default + 1


@dataclass(frozen=True)
class Case:
    """One failure: the program's overrides, the environment (from the emulator's URL and
    a URL where no lemlist answers), what to arrange at the emulator, and the command."""

    name: str
    overrides: dict[str, object] = field(default_factory=dict)
    env: Callable[[str, str], dict[str, str]] = lambda _url, _other: {}
    arrange: Callable[[Emulator], object] = lambda _emulator: None
    command: str = "up"


CASES = (
    Case("wrong_key", env=lambda _url, _other: {"LEMLIST_API_KEY": WRONG_KEY}),
    Case("nothing_listening", env=lambda _url, other: {"LEMLIST_API_URL": other}),
    Case("not_lemlist", env=lambda _url, _other: {"LEMLIST_API_URL": "not-lemlist"}),
    Case("already_connected", arrange=lambda emulator: emulator.connect(**mailbox())),
    # lemlist answers 400 "Invalid host"; check refuses it first, at preview.
    Case("invalid_host", overrides={"smtp_host": "smtp.gmail.com"}, command="preview"),
    Case("check_failed", arrange=lambda emulator: emulator.fail_check(SMTP_HOST, "smtp")),
    Case("unknown_team", overrides={"team": "nope"}, command="preview"),
    Case(
        "rate_limited",
        # one 429 more than the client accepts; Retry-After 0 keeps it quick
        arrange=lambda emulator: emulator.inject(
            Fault("rate_limit", retry_after=0, times=RATE_LIMITED_TRIES)
        ),
    ),
)


class NotLemlist(BaseHTTPRequestHandler):
    """A web site that is not lemlist's API: the standard library's 404 page for any path."""

    def do_POST(self) -> None:
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def not_lemlist() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotLemlist)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (a port just released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


def diagnostics(stdout: str, tmp: Path) -> str:
    """The CLI's "Diagnostics:" block, its sections sorted, volatile parts normalized."""
    found = re.search(r"^Diagnostics:\n(.*?)(?=^\S|\Z)", stdout, re.S | re.M)
    assert found, f"no Diagnostics block in:\n{stdout}"
    sections = sorted(s.strip("\n") for s in re.split(r"\n\s*\n", found.group(1)) if s.strip())
    text = "\n\n".join(sections) + "\n"
    for pattern, stable in (
        (re.escape(str(tmp)), "<tmp>"),
        (re.escape(str(ROOT)), "<root>"),
        (r"\b(usm|umx)_[A-Za-z0-9_-]{6,}", r"\1_<id>"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:<port>"),
    ):
        text = re.sub(pattern, stable, text)
    return text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_what_a_user_reads(
    case: Case, emulator: Emulator, not_lemlist: str, tmp_path: Path
) -> None:
    emulator.reset()
    case.arrange(emulator)
    env = {"LEMLIST_API_KEY": API_KEY, "LEMLIST_API_URL": emulator.url}
    env |= case.env(emulator.url, closed_port_url())
    if env["LEMLIST_API_URL"] == "not-lemlist":
        env["LEMLIST_API_URL"] = not_lemlist
    project = new_project(tmp_path, program(**case.overrides), **env)
    project.init("e2e")

    done = project.pulumi(case.command, *(["--yes"] if case.command == "up" else []), check=False)
    assert done.returncode != 0, done.stdout
    output = done.stdout + done.stderr
    assert_no_credentials(output)
    assert WRONG_KEY not in output
    assert "Traceback" not in output and "During handling" not in output, output
    assert len(emulator.accounts()) == (1 if case.name == "already_connected" else 0)
    assert emulator.pending_faults() == []

    read = diagnostics(done.stdout, tmp_path)
    golden = GOLDEN / f"{case.name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(read)
    assert read == golden.read_text(), f"{case.name}: the CLI now prints:\n{read}"


BROKEN = """
from pulumi.dynamic import Resource, ResourceProvider


class Broken(ResourceProvider):
    def create(self, props):
        raise RuntimeError("a bug outside the lemlist provider")


class Thing(Resource):
    pass


Thing(Broken(), "broken", {}, pulumi.ResourceOptions(depends_on=[alice]))
"""


def test_an_error_that_is_not_ours_keeps_its_traceback(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Only our errors lose the traceback: another provider's failure in the same host
    (after ours was loaded there) keeps it, so a bug still shows where it is."""
    emulator.reset()
    env = {"LEMLIST_API_KEY": API_KEY, "LEMLIST_API_URL": emulator.url}
    project = new_project(tmp_path, program() + BROKEN, **env)
    project.init("e2e")
    done = project.pulumi("up", "--yes", check=False)
    assert done.returncode != 0
    assert len(emulator.accounts()) == 1, done.stdout  # ours: created, in the same host
    read = diagnostics(done.stdout, tmp_path)
    assert "error: Traceback (most recent call last):" in read, read
    assert "RuntimeError: a bug outside the lemlist provider" in read, read
    assert_no_credentials(done.stdout + done.stderr)
