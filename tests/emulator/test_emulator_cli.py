"""``python -m lemlist_emulator``: startup line, options, clean shutdown on signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from lemlist_emulator.cli import build_parser, main

from .helpers import IMAP_PASSWORD, KEY, SMTP_PASSWORD, mailbox, session_for

STARTUP = re.compile(r"^lemlist emulator listening on (http://127\.0\.0\.1:(\d+)/api)\n$")


@contextmanager
def running(
    args: Sequence[str], env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lemlist_emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = STARTUP.match(line)
        assert match, f"unexpected startup line {line!r}"
        assert int(match.group(2)) > 0
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_command_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    args = ["--api-key", KEY, "--rate", "off", "--fail-host", "imap.acme-mail.com:imap"]
    with (
        running([*args, "--state", str(state), "--member", "usr_a", "--member", "usr_b"]) as (
            proc,
            url,
        ),
        session_for(KEY) as api,
    ):
        created = [
            api.post(
                f"{url}/user/email-accounts",
                json=mailbox(sender_email=f"u{n}@acme-mail.com", userId="usr_b"),
                timeout=5,
            )
            for n in range(25)  # more than 20 per 2 s: --rate off
        ]
        assert [r.status_code for r in created] == [201] * 25
        account_id = created[0].json()["id"]
        check = api.post(f"{url}/user/email-accounts/{account_id}/test", timeout=5).json()
        assert check["smtp"] == {"success": True}
        assert check["imap"]["success"] is False
        denied = api.post(f"{url}/user/email-accounts", json=mailbox(userId="usr_owner"), timeout=5)
        assert denied.status_code == 403
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
        assert proc.returncode == 0
    assert stderr.count("POST /api/user/email-accounts -> 201") == 25
    for secret in (KEY, SMTP_PASSWORD, IMAP_PASSWORD):
        assert secret not in stderr
    assert state.exists()


def test_command_defaults_and_sigint() -> None:
    with running(["--rate", "2/60"], env={"LEMLIST_EMULATOR_API_KEY": "env-key-123"}) as (
        proc,
        url,
    ):
        with session_for("env-key-123") as api:
            statuses = [
                api.post(
                    f"{url}/user/email-accounts",
                    json=mailbox(sender_email=f"d{n}@acme-mail.com"),
                    timeout=5,
                ).status_code
                for n in range(3)
            ]
        assert statuses == [201, 201, 429]
        assert (
            requests.post(
                f"{url}/user/email-accounts",
                json=mailbox(),
                auth=("", "emulator-dev-key"),
                timeout=5,
            ).status_code
            == 401
        )
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
        assert proc.returncode == 0


def test_parser_options() -> None:
    args = build_parser().parse_args(
        [
            "--rate",
            "off",
            "--fail-host",
            "mail.acme.io",
            "--fail-host",
            "mail.acme.io:smtp",
            "--error-rate",
            "0.1",
            "--seed",
            "4",
        ]
    )
    assert args.rate is None
    assert args.fail_host == [("mail.acme.io", None), ("mail.acme.io", "smtp")]
    assert (args.error_rate, args.seed, args.port, args.host) == (0.1, 4, 8787, "127.0.0.1")
    assert build_parser().parse_args([]).rate == (20, 2.0)
    for bad in (["--rate", "fast"], ["--error-rate", "2"], ["--latency", "-1"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(bad)


def test_invalid_fault_mix_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "0", "--error-rate", "0.6", "--drop-rate", "0.6"]) == 2
    assert "add up to at most 1" in capsys.readouterr().err
