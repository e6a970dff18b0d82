"""Hostile stack files (issue 19): each finding is a regression test.

A plain-text key in any form is a lint problem that never echoes the key; one mailbox has
one owner; alias bombs, deep nesting, NUL/ESC characters and huge values are one-line
refusals naming the file and the line (exit 2, no traceback); merge keys work; every value
a message quotes is escaped and capped.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from pathlib import Path

import pytest

from lemlist_resource.inventory import lint, parse_stack, review
from lemlist_resource.inventory.__main__ import main
from lemlist_resource.inventory.yamlread import MAX_DEPTH, MAX_NODES, MAX_SCALAR

from .helpers import STACKS, run_program, stack_config

KEY = "live-key-7f3a9c"  # must never be printed

BASE = """
config:
  lemlist-senders:defaults:
    smtp_host: smtp.acme-mail.com
    smtp_port: 587
    imap_host: imap.acme-mail.com
    imap_port: 993
  lemlist-senders:senders:
    alice:
      sender_name: Alice
      sender_email: alice@acme-mail.com
  lemlist-senders:passwords:
    alice:
      secure: v1:abc:def
"""


def _with(extra: str) -> str:
    return BASE.replace("config:\n", "config:\n" + extra, 1)


def _lint(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "Pulumi.t.yaml"
    path.write_text(text, encoding="utf-8")
    status = main(["lint", str(path)])
    out = capsys.readouterr()
    return status, out.out + out.err


# -- 1. a plain-text key in any form ------------------------------------------------------

TEAM_KEY_FORMS = {
    "text": f"{KEY}",
    "list": f"[{KEY}]",
    "map": f"{{k: {KEY}}}",
    "secure-and-more": f"{{secure: {KEY}, x: 1}}",
    "number": "123456789",
}


@pytest.mark.parametrize("form", TEAM_KEY_FORMS.values(), ids=list(TEAM_KEY_FORMS))
def test_a_team_key_in_any_plain_form_fails_the_lint_unechoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    status, output = _lint(
        tmp_path, _with(f"  lemlist:teams:\n    acme:\n      apiKey: {form}\n"), capsys
    )
    assert status == 1, output
    assert "lemlist:teams.acme.apiKey: is in plain text in the stack file" in output
    assert KEY not in output and "123456789" not in output


@pytest.mark.parametrize("form", TEAM_KEY_FORMS.values(), ids=list(TEAM_KEY_FORMS))
def test_the_default_key_in_any_plain_form_fails_the_lint_unechoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    status, output = _lint(tmp_path, _with(f"  lemlist:apiKey: {form}\n"), capsys)
    assert status == 1, output
    assert "lemlist:apiKey: is in plain text in the stack file" in output
    assert KEY not in output and "123456789" not in output


def test_teams_as_a_json_string_fails_the_lint_unechoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = json.dumps({"acme": {"apiKey": KEY}})
    status, output = _lint(tmp_path, _with(f"  lemlist:teams: '{teams}'\n"), capsys)
    assert status == 1, output
    assert "lemlist:teams: is text (JSON?) in the stack file, not a map" in output
    assert KEY not in output


@pytest.mark.parametrize("form", ["[pw1, pw2]", "{smtp: [pw1], imap: {a: pw1}}", "12345"])
def test_a_password_in_any_plain_form_fails_the_lint_unechoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    text = BASE.replace("      secure: v1:abc:def\n", "", 1).replace(
        "    alice:\n", f"    alice: {form}\n", 2
    )
    text = text.replace(
        "  lemlist-senders:senders:\n    alice: " + form, "  lemlist-senders:senders:\n    alice:"
    )
    status, output = _lint(tmp_path, text, capsys)
    assert status == 1, output
    assert "in plain text" in output
    assert "pw1" not in output and "12345" not in output


def test_the_program_refuses_keys_the_engine_did_not_receive_as_secrets() -> None:
    config, secret_keys = stack_config(STACKS / "Pulumi.staging.yaml")
    config["lemlist:teams"] = json.dumps({"acme": {"apiKey": KEY}})  # a JSON string: no secret
    with pytest.raises(Exception, match=re.escape("lemlist:teams of stack 'staging' hold")) as info:
        run_program(config, secret_keys, "staging")
    assert KEY not in str(info.value)
    config.pop("lemlist:teams")
    config["lemlist:apiKey"] = KEY
    with pytest.raises(Exception, match="lemlist:apiKey of stack") as info:
        run_program(config, secret_keys, "staging")
    assert KEY not in str(info.value)
    run_program(config, [*secret_keys, "lemlist:apiKey"], "staging")  # a secret: fine


# -- 2. one mailbox, one owner -------------------------------------------------------------


@pytest.mark.parametrize("mailbox", ["umx_abc123", "usm_2mkqJNUjnJQiyVBht"])
def test_one_adopted_mailbox_on_two_senders_fails_the_lint(mailbox: str) -> None:
    text = BASE.replace(
        "      sender_email: alice@acme-mail.com\n",
        f"      sender_email: alice@acme-mail.com\n      adopt_id: {mailbox}\n"
        f"    bob:\n      sender_name: Bob\n      sender_email: bob@acme-mail.com\n"
        f"      adopt_id: {mailbox}\n",
    ).replace(
        "  lemlist-senders:passwords:\n",
        "  lemlist-senders:passwords:\n    bob:\n      secure: v1:x\n",
    )
    lines = [p.render("f") for p in lint(parse_stack(text, "f"))]
    shared = [line for line in lines if "is adopted by" in line]  # usm_: issue 18
    assert shared == [
        f"f: sender '{who}': adopt_id: '{mailbox}' is adopted by 2 resources (alice, bob): one "
        "mailbox has one owner. Replacing or deleting one of them would disconnect the mailbox "
        "the other still holds in its state. Keep adopt_id on one of them and remove the others."
        for who in ("alice", "bob")
    ]


# -- 5. alias bombs, 6. deep nesting and control characters ----------------------------------

BOMB = "\n".join(
    [f"a0: &a0 [{','.join(['lol'] * 10)}]"]
    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
)


@pytest.mark.parametrize("field", ["smtp_port", "imap_port", "sender_name", "team"])
def test_a_billion_laughs_is_refused_by_counting_not_by_expanding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    text = (
        BOMB
        + "\n"
        + BASE.replace(
            "      sender_name: Alice\n", f"      sender_name: Alice\n      {field}: *a8\n"
        )
    )
    tracemalloc.start()
    try:
        status, output = _lint(
            tmp_path, text.replace("sender_name: Alice\n      sender_name", "sender_name"), capsys
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 2, output
    assert re.fullmatch(
        rf".*Pulumi\.t\.yaml: more than {MAX_NODES} values once aliases are expanded "
        r".*\(line \d+\)\n",
        output,
    )
    assert peak < 50 * 1024 * 1024, f"{peak} bytes"


def test_a_bomb_in_defaults_is_refused_by_the_review_too() -> None:
    text = (
        BOMB
        + "\n"
        + BASE.replace("    imap_port: 993\n", "    imap_port: 993\n    sender_name: *a8\n")
    )
    with pytest.raises(Exception, match="once aliases are expanded"):
        review(parse_stack(BASE, "b"), parse_stack(text, "h"))


@pytest.mark.parametrize(
    "text, reason, line",
    [
        ("config:\n  x: " + "[" * 3000 + "]" * 3000 + "\n", f"nesting deeper than {MAX_DEPTH}", 2),
        ('config:\n  x: y\n  z: "a\0b"\n', "character #x0000 is not allowed", 3),
        ('config:\n  z: "a\x1bb"\n', "character #x001b is not allowed", 2),
        ("config:\n  z: " + "x" * (MAX_SCALAR + 1) + "\n", f"the limit is {MAX_SCALAR}", 2),
        ("config:\n  z: &a [*a]\n", "inside the node it names", 2),
        ("config:\n  z: 2001-13-45\n", "cannot read this value", 2),
        ("config:\n  a: &a\n    - &b [" + ",".join(["*a"] * 2) + "]\n", "inside the node", 3),
    ],
    ids=["deep", "nul", "esc", "long", "recursive", "bad-date", "recursive-2"],
)
def test_malformed_files_are_one_line_refusals_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, reason: str, line: int
) -> None:
    status, output = _lint(tmp_path, text, capsys)
    assert status == 2, output
    assert "Traceback" not in output
    assert output.count("\n") == 1 and reason in output, output
    assert output.startswith(str(tmp_path / "Pulumi.t.yaml") + ": ")
    assert output.rstrip().endswith(f"(line {line})"), output
    assert "\x00" not in output and "\x1b" not in output


def test_invalid_utf8_is_a_refusal_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Pulumi.t.yaml"
    path.write_bytes(b"config:\n  x: \xff\n")
    assert main(["lint", str(path)]) == 2
    assert capsys.readouterr().err == f"{path}: cannot read: not UTF-8 text (line 2)\n"


# -- 7. merge keys ------------------------------------------------------------------------


def test_a_merge_key_is_valid_yaml_and_an_override_is_no_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace(
        "  lemlist-senders:defaults:\n", "  lemlist-senders:defaults: &d\n"
    ).replace(
        "      sender_name: Alice\n",
        "      <<: *d\n      smtp_port: 465\n      smtp_secure: true\n      sender_name: Alice\n",
    )
    status, output = _lint(tmp_path, text, capsys)
    assert status == 0, output
    stack = parse_stack(text, "f")
    assert stack.inventory.senders["alice"].inputs["smtp_port"] == 465
    assert stack.inventory.senders["alice"].inputs["imap_host"] == "imap.acme-mail.com"


# -- 8. the echo rule -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ['"umx_\\e[2J\\a\\r\\nx"', '"' + "umx_" + "z" * 400 + '!"'])
def test_a_malformed_adopt_id_is_escaped_and_capped(value: str) -> None:
    text = BASE.replace(
        "      sender_email: alice@acme-mail.com\n",
        f"      sender_email: alice@acme-mail.com\n      adopt_id: {value}\n",
    )
    lines = [p.render("f") for p in lint(parse_stack(text, "f"))]
    (line,) = [line for line in lines if "adopt_id" in line]
    assert not any(c in line for c in "\x1b\x07\r\n")
    assert len(line) < 400


def test_a_stray_password_key_is_escaped() -> None:
    text = BASE.replace(
        "  lemlist-senders:passwords:\n",
        '  lemlist-senders:passwords:\n    "\\e[2J":\n      secure: v1:x\n',
    )
    lines = [p.render("f") for p in lint(parse_stack(text, "f"))]
    assert any("\\x1b[2J" in line for line in lines) and not any("\x1b" in line for line in lines)


# -- 1. at run time: configure refuses the forms it can tell ----------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"lemlist:apiKey": json.dumps([KEY])},
        {"lemlist:apiKey": json.dumps({"secure": KEY, "x": 1})},
        {"lemlist:teams": json.dumps({"acme": {"apiKey": [KEY]}})},
        {"lemlist:teams": json.dumps({"acme": {"apiKey": {"k": KEY}}})},
    ],
    ids=["key-list", "key-map", "team-key-list", "team-key-map"],
)
def test_configure_refuses_a_key_that_is_a_list_or_a_map(config: dict[str, str]) -> None:
    from lemlist_resource.config.settings import resolve
    from lemlist_resource.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as info:
        resolve(config.get, {})
    assert KEY not in str(info.value)
    assert "rotate" in str(info.value)
