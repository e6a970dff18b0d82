"""The live review (``python -m lemlist_resource.inventory live``) against the emulator:
unmanaged mailboxes and senders lemlist reports in ERROR, per team, keys from the environment."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.inventory.__main__ import main
from lemlist_resource.inventory.live import key_env, live_reports
from lemlist_resource.inventory.stackfile import read_stack

KEY = "live-review-key-51c0"

STACK = """\
config:
  lemlist:apiUrl: {url}
  lemlist-senders:defaults:
    smtp_host: smtp.acme-mail.com
    smtp_port: 587
    imap_host: imap.acme-mail.com
    imap_port: 993
    imap_secure: true
  lemlist-senders:senders:
    alice:
      sender_name: Alice
      sender_email: alice@acme-mail.com
    bob:
      sender_name: Bob
      sender_email: bob@acme-mail.com
      adopt: true
"""


@pytest.fixture
def emu() -> Emulator:
    with Emulator(api_keys={KEY: "team_1"}, rate_limit=None) as emulator:
        yield emulator  # type: ignore[misc]


def test_live_lists_unmanaged_mailboxes_and_unhealthy_senders(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = tmp_path / "Pulumi.prod.yaml"
    stack.write_text(STACK.format(url=emu.url), encoding="utf-8")
    emu.connect(sender_email="alice@acme-mail.com")
    bob = emu.connect(sender_email="bob@acme-mail.com")
    orphan = emu.connect(sender_email="orphan@acme-mail.com", user_id="usr_member")
    emu.set_status(bob, "ERROR")
    monkeypatch.setenv(key_env(None), KEY)
    out = io.StringIO()
    assert main(["live", str(stack)], out=out) == 0
    text = out.getvalue()
    assert f"unmanaged: `orphan@acme-mail.com` (`{orphan}`, CONNECTED)" in text
    assert "`bob` — `bob@acme-mail.com`" in text and "ERROR" in text
    assert "alice@acme-mail.com" not in text  # managed and healthy
    assert KEY not in text


def test_live_without_a_key_says_what_is_missing(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.prod.yaml"
    stack.write_text(STACK.format(url="http://127.0.0.1:9/api"), encoding="utf-8")
    (report,) = live_reports([read_stack(str(stack))], env={})
    assert report.note == "not checked: LEMLIST_API_KEY is not set"
    assert key_env("acme-eu") == "LEMLIST_API_KEY_ACME_EU"
