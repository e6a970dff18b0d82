"""Stack-file bounds that scale with the file: a fleet of thousands of senders is read, while
alias expansion stays bounded relative to the document's own nodes (docs/usage.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lemlist_resource.inventory import yamlread
from lemlist_resource.inventory.__main__ import main
from lemlist_resource.inventory.yamlread import EXPANSION, MAX_NODES, YamlRefusal, scan


def _fleet(n: int) -> str:
    """A stack file of ``n`` senders with hosts and logins written out, merging an anchor."""
    lines = ["config:", "  lemlist-senders:defaults: &d", "    smtp_port: 587",
             "    imap_port: 993", "  lemlist-senders:senders:"]
    for i in range(n):
        address = f"sender{i:05d}@acme-mail.com"
        lines += [f"    s{i:05d}:", "      <<: *d", f"      sender_name: Sender {i}",
                  f"      sender_email: {address}", "      smtp_host: smtp.acme-mail.com",
                  f"      smtp_login: {address}", "      imap_host: imap.acme-mail.com",
                  f"      imap_login: {address}"]
    lines.append("  lemlist-senders:passwords:")
    lines += [f"    s{i:05d}: {{secure: 'v1:abc:{'d' * 60}'}}" for i in range(n)]
    return "\n".join(lines) + "\n"


BOMB = "\n".join(
    [f"a0: &a0 [{','.join(['lol'] * 10)}]"]
    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
)


def test_a_fleet_past_the_old_million_characters_lints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _fleet(3500)
    assert len(text) > 1_000_000
    path = tmp_path / "Pulumi.fleet.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["lint", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok (3500 senders)\n"


def test_a_bomb_inside_a_large_file_is_still_refused() -> None:
    text = _fleet(3500).replace("config:\n", BOMB + "\nconfig:\n", 1)
    with pytest.raises(YamlRefusal, match="once aliases are expanded") as refused:
        scan(text)
    assert refused.value.line is not None


def test_the_alias_allowance_is_the_document_times_the_expansion_factor() -> None:
    own = MAX_NODES  # past the floor, so the relative bound decides
    anchor = "big: &b [" + ",".join(["x"] * 100) + "]\n"
    filler = "".join(f"f{i}: v\n" for i in range(own // 2))
    # each alias adds ~101 expanded nodes for 1 own node
    fits = (EXPANSION - 1) * (own + 2 * (own // 2)) // 101 // 2
    scan(anchor + filler + "".join(f"r{i}: *b\n" for i in range(fits)))
    too_many = EXPANSION * (own + 2 * (own // 2)) // 100 + 100
    with pytest.raises(YamlRefusal, match=f"over {EXPANSION} times the"):
        scan(anchor + filler + "".join(f"r{i}: *b\n" for i in range(too_many)))


def test_a_file_over_the_ceiling_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlread, "MAX_CHARS", 1000)
    path = tmp_path / "Pulumi.t.yaml"
    path.write_text("config:\n" + "".join(f"  k{i}: v\n" for i in range(200)), encoding="utf-8")
    assert main(["lint", str(path)]) == 2
    assert "larger than 1000 characters" in capsys.readouterr().err
