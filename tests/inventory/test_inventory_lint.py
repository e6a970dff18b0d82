"""The offline lint: the provider's check rules per sender and field, plus inventory rules."""

from __future__ import annotations

import pytest

from lemlist_resource.inventory import build_inventory, lint, parse_stack, read_stack
from lemlist_resource.inventory.lint import sender_problems
from lemlist_resource.inventory.stackfile import StackFileError
from lemlist_resource.rules.validation import validate

from .helpers import FIXTURES, STACKS


def _lines(name: str) -> list[str]:
    stack = read_stack(str(FIXTURES / name))
    return [p.render(name) for p in lint(stack)]


@pytest.mark.parametrize("path", sorted(STACKS.glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_example_stacks_are_clean(path: object) -> None:
    assert lint(read_stack(str(path))) == []


def test_good_fixture_is_clean_including_string_spellings() -> None:
    stack = read_stack(str(FIXTURES / "good.yaml"))
    assert lint(stack) == []
    assert stack.inventory.protect is True
    assert stack.inventory.senders["bob_2"].protect is False


def test_field_problems_name_the_sender_and_the_field() -> None:
    lines = _lines("bad_fields.yaml")
    expected = [
        "bad_fields.yaml: sender 'alice': smtp_host: 'smtp.gmail.com' is a Gmail host; lemlist "
        "cannot use Gmail mailboxes over SMTP/IMAP with a password: connect them through "
        "lemlist's Google OAuth connect in the lemlist app instead",
        "bad_fields.yaml: sender 'bob': smtp_hots: is not an EmailAccount field; did you mean "
        "'smtp_host'?",
        "bad_fields.yaml: sender 'bob': sender_email: 'bob-at-example.com' is not a valid email "
        "address (expected name@domain.tld)",
        "bad_fields.yaml: sender 'bob': imap_port: must be between 1 and 65535, got 99999",
        "bad_fields.yaml: sender 'carol': protect: must be true or false",
        "bad_fields.yaml: sender 'carol': sender_name: is required and must not be empty",
        "bad_fields.yaml: sender 'Dave Smith': invalid key: use lower-case letters, digits, '-' "
        "and '_', starting with a letter or digit, at most 63 characters",
    ]
    for line in expected:
        assert line in lines
    assert any(
        line.startswith("bad_fields.yaml: sender 'carol': imap_host: '10.0.0.5' is a private")
        for line in lines
    )
    assert any(
        line.startswith("bad_fields.yaml: lemlist-senders:defaults.imap_pasword: passwords do not")
        for line in lines
    )
    misplaced = [line for line in lines if "sender 'carol': smtp_password:" in line]
    assert misplaced and "pulumi config set --secret --path 'passwords.carol'" in misplaced[0]
    assert "hunter2" not in "\n".join(lines)


def test_lint_reports_exactly_what_the_provider_check_refuses() -> None:
    """One rule, one place: each sender's problems are validate()'s failures, no more."""
    stack = read_stack(str(FIXTURES / "bad_fields.yaml"))
    for key, sender in stack.inventory.senders.items():
        props = {**sender.inputs, "smtp_password": "x", "imap_password": "x"}
        _, failures = validate(props)
        ours = [p for p in sender_problems(stack) if p.sender == key]
        assert [p.field for p in ours] == [f.field for f in failures]


def test_password_rules_and_no_secret_is_ever_printed() -> None:
    lines = _lines("bad_passwords.yaml")
    text = "\n".join(lines)
    assert "sender 'alice': smtp_password: is in plain text in the stack file" in text
    assert "sender 'alice': imap_password: is in plain text in the stack file" in text
    assert "sender 'dave': imap_password: is in plain text" in text
    assert "sender 'dave': smtp_password" not in text
    assert "sender 'bob': passwords.bob.smpt: is not a password part; use 'smtp' and 'imap'" in text
    assert "sender 'bob': imap_password: is missing or empty" in text
    assert (
        "sender 'carol': passwords: no password: set it with `pulumi config set --secret " in text
    )
    assert "lemlist-senders:passwords.dav\u0435: is the password of no sender" in text
    assert "lemlist:apiKey: is in plain text in the stack file" in text
    for secret in ("plaintext-alice-password", "plaintext-dave-imap", "plain-api-key-in-git"):
        assert secret not in text
    assert "v1:" not in text, "ciphertext must not be printed either"


def test_duplicate_yaml_keys_and_addresses() -> None:
    assert _lines("duplicates.yaml") == [
        "duplicates.yaml: line 15: key 'alice' appears twice (first on line 9); only the last "
        "one would count",
        "duplicates.yaml: sender 'alice-2': sender_email: 'Alice.Martin@Example.com' is also the "
        "address of sender 'alice' in the same team: lemlist connects a mailbox once per team",
    ]


def test_structure_problems() -> None:
    assert _lines("structure.yaml") == [
        "structure.yaml: lemlist-senders:sender: is not an inventory setting; did you mean "
        "'senders'?",
        "structure.yaml: lemlist-senders:protect: must be true or false",
        "structure.yaml: lemlist-senders:senders: must be a map from a stable key to a sender "
        "(not a list)",
    ]


def test_unreadable_and_invalid_files_raise() -> None:
    with pytest.raises(StackFileError, match=r"not valid YAML: .*line 4"):
        read_stack(str(FIXTURES / "not_yaml.yaml"))
    with pytest.raises(StackFileError, match="cannot read"):
        read_stack(str(FIXTURES / "missing.yaml"))
    with pytest.raises(StackFileError, match="not a Pulumi stack file"):
        parse_stack("- a\n- b\n", "list.yaml")


def test_senders_key_must_not_be_a_secret() -> None:
    stack = parse_stack(
        "config:\n  lemlist-senders:senders:\n    secure: v1:abc:def\n", "Pulumi.x.yaml"
    )
    assert any("must not be a secret" in p.message for p in lint(stack))


def test_missing_senders_key() -> None:
    assert [p.render("f") for p in build_inventory(None).problems] == [
        "f: lemlist-senders:senders: is missing: declare the senders as a map of key: "
        "{sender_name, sender_email}"
    ]


def test_flags_accept_what_pulumi_config_set_writes() -> None:
    for value, expected in ((True, True), ("true", True), ("False", False), (None, False)):
        assert build_inventory({}, None, value).protect is expected
    assert build_inventory({}, None, "yes").problems


def test_a_sender_login_or_default_wins_over_the_address() -> None:
    inv = build_inventory(
        {
            "a": {"sender_name": "A", "sender_email": "a@example.com"},
            "b": {"sender_name": "B", "sender_email": "b@example.com", "imap_login": "bee"},
        },
        {"smtp_login": "shared"},
    )
    assert inv.senders["a"].inputs["smtp_login"] == "shared"
    assert inv.senders["a"].inputs["imap_login"] == "a@example.com"
    assert inv.senders["b"].inputs["imap_login"] == "bee"
    assert inv.senders["b"].resource_name == "b"


def test_sender_email_is_per_sender_not_a_default() -> None:
    inv = build_inventory({}, {"sender_email": "all@example.com"})
    assert [p.field for p in inv.problems] == ["lemlist-senders:defaults.sender_email"]


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://lemlist.example.com/api", True),
        ("ftp://api.lemlist.com/api", True),
        ("https://api.lemlist.com/api", False),
        ("http://127.0.0.1:8787/api", False),
    ],
)
def test_api_url_follows_the_providers_rule(url: str, refused: bool) -> None:
    text = f"config:\n  lemlist:apiUrl: {url}\n  lemlist-senders:senders: {{}}\n"
    lines = [p.render("s.yaml") for p in lint(parse_stack(text, "s.yaml"))]
    assert any("lemlist:apiUrl" in line for line in lines) is refused, lines


ADOPTING = """
config:
  lemlist-senders:defaults:
    smtp_host: smtp.acme-mail.com
    smtp_port: 587
    imap_host: imap.acme-mail.com
    imap_port: 993
    adopt_id: umx_Shared0001
  lemlist-senders:senders:
    alice:
      sender_name: Alice
      sender_email: alice@acme-mail.com
      adopt_id: umx_a1B2c3D4e5F6g7H8i9J0
    bob:
      sender_name: Bob
      sender_email: bob@acme-mail.com
      adopt_id: bob@acme-mail.com
  lemlist-senders:passwords:
    alice:
      secure: v1:abc:def
    bob:
      secure: v1:abc:def
"""


def test_adopt_id_is_per_sender_and_its_shape_is_checked() -> None:
    stack = parse_stack(ADOPTING, "Pulumi.adopt.yaml")
    lines = [p.render("Pulumi.adopt.yaml") for p in lint(stack)]
    assert stack.inventory.senders["alice"].inputs["adopt_id"] == "umx_a1B2c3D4e5F6g7H8i9J0"
    assert not [line for line in lines if "sender 'alice'" in line], lines
    assert any(
        line.startswith("Pulumi.adopt.yaml: sender 'bob': adopt_id: 'bob@acme-mail.com' is not a")
        and "usm_" in line
        for line in lines
    ), lines
    assert any("defaults.adopt_id: is not a default field" in line for line in lines), lines


MICROSOFT = """\
config:
  lemlist-senders:senders:
    alice:
      sender_name: Alice
      sender_email: alice@acme-mail.com
      smtp_host: smtp.office365.com
      smtp_port: 587
      imap_host: outlook.office365.com
      imap_port: 993
      adopt: true
      adopt_id: usm_2mkqJNUjnJQiyVBht
  lemlist-senders:passwords:
    alice:
      secure: v1:abc:def
"""


def test_microsoft_hosts_and_adopt_with_adopt_id_are_refused() -> None:
    lines = [p.render("Pulumi.ms.yaml") for p in lint(parse_stack(MICROSOFT, "Pulumi.ms.yaml"))]
    hosts = (("smtp_host", "smtp.office365.com"), ("imap_host", "outlook.office365.com"))
    for field, host in hosts:
        assert any(
            line.startswith(f"Pulumi.ms.yaml: sender 'alice': {field}: '{host}' is a Microsoft 365")
            and "Microsoft OAuth" in line
            for line in lines
        ), lines
    assert any("adopt: cannot be combined with adopt_id" in line for line in lines), lines
