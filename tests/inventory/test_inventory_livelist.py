"""The live review's listing (issue 29, item 4): each member asked once, a documented cap
with what it did not read, a progress line on long listings, no traceback on an odd answer."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.email_account.client import LemlistClient
from lemlist_resource.inventory.__main__ import main
from lemlist_resource.inventory.live import compare, key_env, live_markdown
from lemlist_resource.inventory.livelist import MEMBER_CAP, live_listing
from lemlist_resource.lemlist.answers import Answer

KEY = "live-list-key-7d21"
STACK = """\
config:
  lemlist:apiUrl: {url}
  lemlist-senders:senders:
    s0:
      sender_name: S0
      sender_email: s0@acme-mail.com
      smtp_host: smtp.acme-mail.com
      smtp_port: 587
      imap_host: imap.acme-mail.com
      imap_port: 993
"""


def _answer(data: object, status: int = 200) -> Answer:
    return Answer(status, "application/json", json.dumps(data).encode(), False, None, None)


class FakeLemlist:
    """lemlist's two listing routes, from a dict of members; counts every call."""

    def __init__(self, members: list[str], mailboxes: dict[str, list[Any]]) -> None:
        self.members, self.mailboxes, self.calls = members, mailboxes, Counter[str]()

    def read_route(self, path: str, what: str) -> Answer:
        self.calls[path] += 1
        if path == "/team":
            return _answer({"_id": "tea_1", "userIds": self.members})
        user = path.removeprefix("/users/")
        return _answer({"_id": user, "mailboxes": self.mailboxes.get(user, [])})

    def describe(self, answer: Answer, reason_only: bool = False) -> str:
        return answer.reason() if reason_only else answer.describe()


def _box(n: int, **extra: Any) -> dict[str, Any]:
    return {"_id": f"usm_{n}", "email": f"s{n}@acme-mail.com", "provider": "custom", **extra}


def _listing(fake: FakeLemlist, **kwargs: Any) -> Any:
    return live_listing(cast(LemlistClient, fake), **kwargs)


def test_a_member_userIds_repeats_is_asked_once() -> None:
    fake = FakeLemlist(["usr_a"] * 40 + ["usr_b", "usr_a"], {"usr_a": [_box(1)], "usr_b": []})
    listing = _listing(fake)
    assert fake.calls["/users/usr_a"] == 1 and fake.calls["/users/usr_b"] == 1
    assert [m.id for m in listing.mailboxes] == ["usm_1"] and listing.note is None


def test_the_cap_bounds_the_members_read_and_says_what_it_did_not_read() -> None:
    members = [f"usr_{i}" for i in range(120)]
    fake = FakeLemlist(members, {m: [_box(i)] for i, m in enumerate(members)})
    lines: list[str] = []
    listing = _listing(fake, cap=100, progress=lines.append)
    assert sum(n for path, n in fake.calls.items() if path.startswith("/users/")) == 100
    assert len(listing.mailboxes) == 100 and not listing.complete
    assert "read the first 100 of 120 members" in listing.note
    assert "the other 20 were not read" in listing.note
    assert lines == ["live review: read 50 of 100 members", "live review: read 100 of 100 members"]
    assert MEMBER_CAP >= 100


def test_a_short_listing_prints_no_progress() -> None:
    lines: list[str] = []
    _listing(FakeLemlist(["usr_a"], {}), progress=lines.append)
    assert lines == []


@pytest.mark.parametrize("odd", ["a string", 7, ["x"]])
def test_an_odd_member_answer_affects_that_member_only(odd: object) -> None:
    fake = FakeLemlist(["usr_a", "usr_b"], {"usr_a": [_box(1, lemlist=odd, lemwarm=odd)]})
    fake.mailboxes["usr_b"] = [_box(2)]
    listing = _listing(fake)  # never raises
    assert "usm_2" in [m.id for m in listing.mailboxes]


def test_the_cli_shows_progress_on_stderr_and_the_cap_in_the_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users = [f"usr_m{i}" for i in range(60)]
    with Emulator(api_keys={KEY: "team_1"}, members=users, rate_limit=None) as emu:
        for i in range(60):
            emu.connect(sender_email=f"s{i}@acme-mail.com", user_id=f"usr_m{i}")
        stack = tmp_path / "Pulumi.prod.yaml"
        stack.write_text(STACK.format(url=emu.url), encoding="utf-8")
        monkeypatch.setenv(key_env(None), KEY)
        out = io.StringIO()
        assert main(["live", "--max-members", "55", str(stack)], out=out) == 0
    err = capsys.readouterr().err
    assert "live review: read 50 of 55 members of the default team" in err
    assert "Traceback" not in err
    text = out.getvalue()
    assert "read the first 55 of" in text and "were not read" in text


def test_max_members_refuses_nonsense(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["live", "--max-members", "0", "x.yaml"])
    assert "give a whole number from 1 to 100000" in capsys.readouterr().err


# Issue 29, item 1 (the listing's part): what lemlist lists goes through the echo rule.
HOSTILE = "\x07\x1b[31m"


def _review(boxes: list[dict[str, Any]], senders: list[Any] | None = None) -> str:
    listing = _listing(FakeLemlist(["usr_a"], {"usr_a": boxes}))
    return live_markdown([compare(None, senders or [], listing)])


def _assert_escaped(text: str) -> None:
    assert "\x07" not in text and "\x1b" not in text
    assert "\\x07" in text and "\\x1b" in text


def test_a_listed_email_is_escaped_and_cut() -> None:
    email = HOSTILE + "a" * 200 + "@acme-mail.com"
    text = _review([_box(1, email=email, status="CONNECTED")])
    _assert_escaped(text)
    assert "a" * 150 not in text and "characters)" in text


def test_a_listed_status_is_escaped_and_cut() -> None:
    text = _review([_box(1, status=HOSTILE + "E" * 500)])
    _assert_escaped(text)
    assert "E" * 150 not in text



def test_a_plan_gated_member_route_falls_back_to_the_keys_own_mailboxes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator(api_keys={KEY: "team_1"}, rate_limit=None) as emu:
        emu.connect(sender_email="s0@acme-mail.com")
        emu.gate_plan("team_1", ["user"])
        stack = tmp_path / "Pulumi.prod.yaml"
        stack.write_text(STACK.format(url=emu.url), encoding="utf-8")
        monkeypatch.setenv(key_env(None), KEY)
        out = io.StringIO()
        assert main(["live", str(stack)], out=out) == 0
        asked = emu.count(path="/users/")
    assert asked == 1  # the first gated member ends the walk
    assert "only the API key's own user's mailboxes were listed" in out.getvalue()
