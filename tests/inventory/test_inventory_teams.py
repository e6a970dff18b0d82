"""Teams in the inventory: ``team`` per sender or as a default, ``lemlist:teams`` checked
offline by the lint (as configure and check would), and the review telling a team move."""

from __future__ import annotations

from lemlist_resource.inventory import lint, parse_stack
from lemlist_resource.inventory.lint import key_notes, warnings
from lemlist_resource.inventory.review import review

TEAMS = """
config:
  lemlist:apiKey:
    secure: v1:abc:def
  lemlist:teams:
    acme:
      apiKey:
        secure: v1:abc:def
    globex:
      apiKey:
        secure: v1:abc:def
      apiUrl: https://eu.lemlist.example.com/api
  lemlist-senders:defaults:
    smtp_host: smtp.acme-mail.com
    smtp_port: 587
    imap_host: imap.acme-mail.com
    imap_port: 993
  lemlist-senders:senders:
    alice:
      sender_name: Alice
      sender_email: alice@acme-mail.com
    bob:
      sender_name: Bob
      sender_email: bob@acme-mail.com
      team: acme
  lemlist-senders:passwords:
    alice:
      secure: v1:abc:def
    bob:
      secure: v1:abc:def
"""


TEAMS_FREE = """
config:
  lemlist-senders:senders:
    alice:
      sender_name: Alice
      sender_email: alice@acme-mail.com
      smtp_host: smtp.acme-mail.com
      smtp_port: 587
      imap_host: imap.acme-mail.com
      imap_port: 993
  lemlist-senders:passwords:
    alice:
      secure: v1:abc:def
"""


def _lines(text: str, source: str = "Pulumi.t.yaml") -> list[str]:
    return [p.render(source) for p in lint(parse_stack(text, source))]


def test_teams_and_a_sender_team_are_clean() -> None:
    stack = parse_stack(TEAMS, "Pulumi.t.yaml")
    assert lint(stack) == [] and warnings(stack) == []
    assert stack.inventory.senders["bob"].inputs["team"] == "acme"
    assert stack.inventory.senders["alice"].inputs["team"] is None


def test_an_unknown_team_is_refused_with_the_configured_ones() -> None:
    lines = _lines(TEAMS.replace("team: acme", "team: acmee"))
    assert len(lines) == 1, lines
    assert lines[0].startswith("Pulumi.t.yaml: sender 'bob': team: 'acmee' is not configured")
    assert "acme, globex" in lines[0] and "Did you mean 'acme'?" in lines[0]


def test_team_can_be_a_stack_default() -> None:
    text = TEAMS.replace("    imap_port: 993\n", "    imap_port: 993\n    team: globex\n", 1)
    stack = parse_stack(text, "Pulumi.t.yaml")
    assert lint(stack) == []
    assert stack.inventory.senders["alice"].inputs["team"] == "globex"
    assert stack.inventory.senders["bob"].inputs["team"] == "acme"  # its own wins


def test_a_malformed_team_name_is_the_providers_refusal() -> None:
    lines = _lines(TEAMS.replace("team: acme", "team: Acme Corp"))
    assert (
        len(lines) == 1 and "sender 'bob': team: 'Acme Corp' is not a usable team name" in lines[0]
    )


def test_team_keys_must_be_secrets_and_never_printed() -> None:
    text = TEAMS.replace(
        "    acme:\n      apiKey:\n        secure: v1:abc:def\n",
        "    acme:\n      apiKey: plain-acme-key-123\n",
    )
    lines = _lines(text)
    assert len(lines) == 1, lines
    assert "lemlist:teams.acme.apiKey: is in plain text" in lines[0]
    assert "--secret --path 'lemlist:teams.acme.apiKey'" in lines[0]
    assert "plain-acme-key-123" not in "\n".join(lines)


def test_bad_team_entries_follow_the_providers_rules() -> None:
    text = TEAMS.replace(
        "      apiUrl: https://eu.lemlist.example.com/api\n",
        "      apiUrl: http://eu.lemlist.example.com/api\n      apikey: x\n",
    ).replace("    acme:\n      apiKey:\n        secure: v1:abc:def\n", "    acme: {}\n")
    joined = "\n".join(_lines(text))
    assert "lemlist:teams.acme.apiKey is missing" in joined
    assert (
        "lemlist:teams.globex.apiUrl 'http://eu.lemlist.example.com/api' uses plain http" in joined
    )
    assert "lemlist:teams.globex.'apikey' is not a team setting: did you mean 'apiKey'?" in joined
    # bob's team exists but has no usable key: the key problem says so, not "unknown team"
    assert "sender 'bob'" not in joined


def test_teams_as_one_secret_are_refused() -> None:
    text = TEAMS.replace(
        TEAMS[TEAMS.index("  lemlist:teams:") : TEAMS.index("  lemlist-senders:defaults")],
        "  lemlist:teams:\n    secure: v1:abc:def\n",
    )
    lines = _lines(text)
    assert any("lemlist:teams: must not be one secret" in line for line in lines), lines


def test_a_missing_default_key_is_a_note_naming_the_senders_without_team() -> None:
    text = TEAMS.replace("  lemlist:apiKey:\n    secure: v1:abc:def\n", "")
    stack = parse_stack(text, "Pulumi.t.yaml")
    assert lint(stack) == [] and warnings(stack) == []  # LEMLIST_API_KEY may provide it
    (note,) = key_notes(stack)
    line = note.render("Pulumi.t.yaml")
    assert "1 sender(s) without team (alice)" in line and "LEMLIST_API_KEY" in line
    assert key_notes(parse_stack(TEAMS_FREE, "Pulumi.t.yaml")) == []  # single team: env var
    everyone_in_a_team = text.replace(
        "      sender_name: Alice\n", "      sender_name: Alice\n      team: globex\n"
    )
    assert key_notes(parse_stack(everyone_in_a_team, "Pulumi.t.yaml")) == []


def test_the_review_says_a_team_move_connects_first_then_disconnects() -> None:
    base = parse_stack(TEAMS, "Pulumi.t.yaml")
    head = parse_stack(TEAMS.replace("team: acme", "team: globex"), "Pulumi.t.yaml")
    result = review(base, head)
    assert result.replaced == 1
    text = result.markdown
    assert "REPLACES the mailbox" in text
    assert (
        "moves from team 'acme' to team 'globex': connects `bob@acme-mail.com` in team "
        "'globex' first (with its key), then disconnects it in team 'acme'"
    ) in text
    assert "`team`: `acme` → `globex`" in text
    to_default = review(base, parse_stack(TEAMS.replace("      team: acme\n", ""), "Pulumi.t.yaml"))
    assert "moves from team 'acme' to the default team" in to_default.markdown


def test_the_review_names_the_team_of_a_new_sender() -> None:
    base = parse_stack(TEAMS.replace("      team: acme\n", ""), "Pulumi.t.yaml")
    base_without_bob = parse_stack(
        TEAMS.replace(
            "    bob:\n      sender_name: Bob\n      sender_email: bob@acme-mail.com\n"
            "      team: acme\n",
            "",
        ).replace("    bob:\n      secure: v1:abc:def\n", ""),
        "Pulumi.t.yaml",
    )
    assert base.inventory.senders["bob"].inputs["team"] is None
    added = review(base_without_bob, parse_stack(TEAMS, "Pulumi.t.yaml")).markdown
    assert "connects a new mailbox in team 'acme'" in added


def test_one_address_in_two_teams_is_two_mailboxes_but_not_twice_in_one() -> None:
    twice = TEAMS.replace(
        "      sender_email: bob@acme-mail.com\n", "      sender_email: alice@acme-mail.com\n"
    )
    assert lint(parse_stack(twice, "Pulumi.t.yaml")) == []  # alice: default team; bob: acme
    same_team = twice.replace("      team: acme\n", "")
    lines = _lines(same_team)
    assert len(lines) == 1 and "is also the address of sender 'alice' in the same team" in lines[0]
