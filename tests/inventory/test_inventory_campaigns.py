"""The live review names the campaigns (issue 26, item 4): for every sender a PR replaces
or removes, the running campaigns its user sends in (GET /team/senders?state=running),
against the emulator; offline, the summary says the live review would tell."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.inventory.__main__ import main
from lemlist_resource.inventory.live import key_env

KEY = "campaigns-key-90ab"

STACK = """\
config:
  lemlist:apiUrl: {url}
  lemlist-senders:defaults:
    smtp_port: 587
    imap_host: imap.acme-mail.com
    imap_port: 993
  lemlist-senders:senders:
    alice:
      sender_name: Alice
      sender_email: alice@acme-mail.com
      smtp_host: {alice_host}
{more}"""
BOB = """\
    bob:
      sender_name: Bob
      sender_email: bob@acme-mail.com
      smtp_host: smtp.acme-mail.com
"""


def _files(tmp_path: Path, url: str) -> tuple[str, str]:
    base, head = tmp_path / "base.yaml", tmp_path / "head.yaml"
    base.write_text(STACK.format(url=url, alice_host="smtp.acme-mail.com", more=BOB), "utf-8")
    head.write_text(STACK.format(url=url, alice_host="smtp2.acme-mail.com", more=""), "utf-8")
    return str(base), str(head)


def test_diff_live_names_the_running_campaigns_of_replaced_and_removed_senders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator(api_keys={KEY: "team_1"}, rate_limit=None) as emu:
        emu.connect(sender_email="alice@acme-mail.com", user_id="usr_member")
        emu.connect(sender_email="bob@acme-mail.com", user_id="usr_owner")
        emu.add_campaign("usr_member", "Community Launch")
        emu.add_campaign("usr_member", "Q4 Outreach")
        emu.add_campaign("usr_member", "Onboarding", status="paused")
        emu.add_campaign("usr_owner", "\x1b[31mPainted" + "x" * 300)
        base, head = _files(tmp_path, emu.url)
        monkeypatch.setenv(key_env(None), KEY)
        out = io.StringIO()
        assert main(["diff", base, head, "--live"], out=out) == 0
        asked = emu.count(path="/team/senders")
    text = out.getvalue()
    assert (
        "REPLACES `alice@acme-mail.com` — user `usr_member` sends in 2 running campaign(s): "
        "Community Launch, Q4 Outreach; they send no email from this mailbox between the "
        "disconnect and the reconnect"
    ) in text
    assert "REMOVES `bob@acme-mail.com` — user `usr_owner` sends in 1 running campaign(s)" in text
    assert "Onboarding" not in text  # paused: not running
    assert "\x1b" not in text and "x" * 100 not in text  # a campaign name: escaped, cut
    assert asked == 1


def test_the_offline_summary_says_the_live_review_would_tell(tmp_path: Path) -> None:
    base, head = _files(tmp_path, "http://127.0.0.1:9/api")
    out = io.StringIO()
    assert main(["diff", base, head], out=out) == 0
    assert "the live review (`diff --live`) names them" in out.getvalue()


def test_no_disconnect_reads_no_campaigns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(api_keys={KEY: "team_1"}, rate_limit=None) as emu:
        base, _ = _files(tmp_path, emu.url)
        monkeypatch.setenv(key_env(None), KEY)
        assert main(["diff", base, base, "--live"], out=io.StringIO()) == 0
        assert emu.count(path="/team/senders") == 0
