"""The pull-request summary: added, removed, changed, and every replacement called out."""

from __future__ import annotations

import copy
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from lemlist_resource.email_account.changes import plan_change
from lemlist_resource.inventory import Review, StackFile, StackFileError, load, parse_stack, review
from lemlist_resource.inventory.review import REMOVE_WARNING, REPLACE_WARNING
from lemlist_resource.rules.release import today as utc_today

from .helpers import STACKS

CT = "v1:AAAAAAAAAAAAAAAA:"


def _config(**senders: dict[str, Any]) -> dict[str, Any]:
    return {
        "lemlist-senders:protect": False,
        "lemlist-senders:defaults": {
            "smtp_host": "smtp.example.com",
            "smtp_port": 587,
            "imap_host": "imap.example.com",
            "imap_port": 993,
        },
        "lemlist-senders:senders": senders,
        "lemlist-senders:passwords": {k: {"secure": f"{CT}{k}0"} for k in senders},
    }


BASE = _config(
    alice={"sender_name": "Alice", "sender_email": "alice@example.com"},
    bob={"sender_name": "Bob", "sender_email": "bob@example.com", "smtp_port": 465},
    carol={"sender_name": "Carol", "sender_email": "carol@example.com"},
)


def _stack(config: dict[str, Any], name: str = "stacks/Pulumi.prod.yaml") -> StackFile:
    return parse_stack(yaml.safe_dump({"config": config}, sort_keys=False), name)


def _review(head: dict[str, Any], base: dict[str, Any] = BASE) -> Review:
    return review(_stack(base), _stack(head))


def _head() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def test_no_change() -> None:
    result = _review(_head())
    assert (result.added, result.removed, result.changed, result.replaced) == (0, 0, 0, 0)
    assert "No sender changes." in result.markdown
    assert "⚠" not in result.markdown
    assert result.markdown.startswith("### lemlist senders: `prod` (stacks/Pulumi.prod.yaml)")


def test_reordering_and_inserting_is_only_an_addition() -> None:
    head = _head()
    senders = head["lemlist-senders:senders"]
    head["lemlist-senders:senders"] = {
        "dave": {"sender_name": "Dave", "sender_email": "dave@example.com"},
        **dict(reversed(list(senders.items()))),
    }
    head["lemlist-senders:passwords"]["dave"] = {"secure": f"{CT}d"}
    result = _review(head)
    assert (result.added, result.removed, result.changed, result.replaced) == (1, 0, 0, 0)
    assert "- `dave` — `dave@example.com`: connects a new mailbox" in result.markdown
    assert "(smtp.example.com:587, imap.example.com:993)" in result.markdown


def test_an_adopting_sender_says_it_connects_nothing_and_removing_adopt_id_is_no_change() -> None:
    head = _head()
    head["lemlist-senders:senders"]["dave"] = {
        "sender_name": "Dave",
        "sender_email": "dave@example.com",
        "adopt_id": "umx_Dave0001",
    }
    head["lemlist-senders:passwords"]["dave"] = {"secure": f"{CT}d"}
    result = _review(head)
    assert "adopts the mailbox `umx_Dave0001` already connected in lemlist" in result.markdown
    assert "connects a new mailbox" not in result.markdown
    later = copy.deepcopy(head)
    del later["lemlist-senders:senders"]["dave"]["adopt_id"]
    after = _review(later, base=head)
    assert (after.added, after.removed, after.changed, after.replaced) == (0, 0, 0, 0)


def test_a_stored_field_change_replaces_the_mailbox() -> None:
    head = _head()
    head["lemlist-senders:senders"]["alice"]["smtp_host"] = "smtp.other.example.com"
    result = _review(head)
    assert (result.changed, result.replaced) == (1, 1)
    md = result.markdown
    assert "- `alice` — `alice@example.com`" in md
    assert f"  - {REPLACE_WARNING}" in md
    assert "  - `smtp_host`: `smtp.example.com` → `smtp.other.example.com`" in md
    assert "**1 mailbox(es) will be disconnected** (1 replaced, 0 removed)" in md


def test_the_summary_uses_the_provider_diff_rule() -> None:
    """Every field the provider's diff would replace for is flagged, and only those."""
    head = _head()
    alice = head["lemlist-senders:senders"]["alice"]
    alice.update(verify_connection=False)
    bob = head["lemlist-senders:senders"]["bob"]
    bob.update(user_id="usr_2")
    result = _review(head)
    assert plan_change({"verify_connection": True}, {"verify_connection": False}).replaces == []
    assert plan_change({"user_id": None}, {"user_id": "usr_2"}).replaces == ["user_id"]
    alice_block = result.markdown.split("- `alice`")[1].split("\n- ")[0]
    bob_block = result.markdown.split("- `bob`")[1].split("\n- ")[0]
    assert "updated in place: no reconnect" in alice_block and "REPLACES" not in alice_block
    assert REPLACE_WARNING in bob_block
    assert result.replaced == 1


def test_passwords_show_only_as_changed() -> None:
    head = _head()
    head["lemlist-senders:passwords"]["carol"] = {
        "smtp": {"secure": f"{CT}new-smtp"},
        "imap": {"secure": f"{CT}carol0"},
    }
    md = _review(head).markdown
    assert "  - `smtp_password`: changed" in md
    assert "imap_password" not in md
    assert REPLACE_WARNING in md
    assert CT not in md and "new-smtp" not in md


def test_equivalent_spellings_are_not_changes() -> None:
    head = _head()
    alice = head["lemlist-senders:senders"]["alice"]
    alice.update(sender_email="Alice@Example.com", smtp_login="alice@example.com")
    alice.update(imap_login="alice@example.com")
    head["lemlist-senders:senders"]["bob"]["smtp_port"] = "465"
    head["lemlist-senders:senders"]["carol"]["smtp_login"] = "carol@example.com"
    head["lemlist-senders:senders"]["carol"]["smtp_secure"] = False
    assert _review(head).changed == 0


def test_a_defaulted_login_follows_the_address_exactly_like_the_provider_diff() -> None:
    """Logins compare case-sensitively: re-casing an address that logins default to
    changes the logins, and the provider would replace the mailbox, so the summary says so."""
    head = _head()
    head["lemlist-senders:senders"]["alice"]["sender_email"] = "Alice@Example.com"
    result = _review(head)
    assert result.replaced == 1
    assert "`smtp_login`: `alice@example.com` → `Alice@Example.com`" in result.markdown


def test_a_default_change_reaches_every_sender_that_does_not_override_it() -> None:
    head = _head()
    head["lemlist-senders:defaults"]["smtp_port"] = 2525
    result = _review(head)
    assert result.replaced == 2
    md = result.markdown
    assert "- default `smtp_port`: `587` → `2525`" in md
    assert "- `alice`" in md and "- `carol`" in md and "- `bob`" not in md


def test_removal_disconnects_and_protection_blocks_it() -> None:
    head = _head()
    del head["lemlist-senders:senders"]["carol"]
    del head["lemlist-senders:passwords"]["carol"]
    result = _review(head)
    assert result.removed == 1
    assert f"- `carol` — `carol@example.com`: {REMOVE_WARNING}" in result.markdown
    assert "protected" not in result.markdown
    base = copy.deepcopy(BASE)
    base["lemlist-senders:protect"] = True
    head["lemlist-senders:protect"] = True
    md = _review(head, base).markdown
    assert "🔒 protected: `pulumi up` will refuse to remove it" in md


def test_protected_replacement_and_its_release() -> None:
    base = copy.deepcopy(BASE)
    base["lemlist-senders:protect"] = True
    head = copy.deepcopy(base)
    head["lemlist-senders:senders"]["alice"]["imap_port"] = 143
    md = _review(head, base).markdown
    assert "🔒 protected: `pulumi up` will refuse this replacement" in md
    head["lemlist-senders:senders"]["alice"]["protect"] = False
    md = _review(head, base).markdown
    assert "will refuse" not in md
    assert "protection: on → off" in md


def _protected() -> dict[str, Any]:
    base = copy.deepcopy(BASE)
    base["lemlist-senders:protect"] = True
    return base


def _released(config: dict[str, Any], key: str = "alice") -> dict[str, Any]:
    until = (utc_today() + timedelta(days=7)).isoformat()
    config["lemlist-senders:senders"][key]["release"] = f"{until} OPS-42 password rotation"
    return config


def test_a_prod_password_rotation_is_two_reviewed_steps_that_end_protected() -> None:
    """Issue 25 item 2: the review says which step a pull request is (docs/gitops.md)."""
    base = _protected()
    step1 = _released(copy.deepcopy(base))
    result = _review(step1, base)
    assert result.replaced == 0
    assert "🔓 step 1 of 2: releases the sender until " in result.markdown
    assert "(OPS-42 password rotation)" in result.markdown
    assert "protection: on → off" in result.markdown and "REPLACES" not in result.markdown

    step2 = copy.deepcopy(base)  # the release removed, and the new password
    step2["lemlist-senders:passwords"]["alice"] = {"secure": f"{CT}alice1"}
    result = _review(step2, step1)
    assert result.replaced == 1 and "will refuse" not in result.markdown
    assert "🔒 step 2 of 2: replaces the released mailbox and protects the new one again" in (
        result.markdown
    )
    assert "protection: off → on" in result.markdown


def test_a_protected_replacement_without_release_says_how_to_release_it() -> None:
    base = _protected()
    head = copy.deepcopy(base)
    head["lemlist-senders:passwords"]["alice"] = {"secure": f"{CT}alice1"}
    md = _review(head, base).markdown
    assert "🔒 protected: `pulumi up` will refuse this replacement; release it first" in md
    assert "`release: <YYYY-MM-DD> <reason>` to `alice` (step 1" in md
    both = _released(copy.deepcopy(head))  # release and change together: ends unprotected
    md = _review(both, base).markdown
    assert "will refuse" not in md and "stays unprotected until a pull request removes" in md


def test_removing_a_released_sender_is_step_two() -> None:
    base = _released(_protected(), "carol")
    head = copy.deepcopy(base)
    del head["lemlist-senders:senders"]["carol"]
    del head["lemlist-senders:passwords"]["carol"]
    md = _review(head, base).markdown
    assert "🔓 step 2 of 2: removes the sender released until" in md and "will refuse" not in md


def test_an_expired_release_is_a_lint_problem_of_the_head() -> None:
    head = _protected()
    ended = (utc_today() - timedelta(days=1)).isoformat()
    head["lemlist-senders:senders"]["alice"]["release"] = f"{ended} OPS-42"
    md = _review(head, _protected()).markdown
    assert "release: ended on" in md and "protected again" in md


def test_protection_change_alone_is_listed_without_a_replacement() -> None:
    head = _head()
    head["lemlist-senders:protect"] = True
    result = _review(head)
    assert (result.changed, result.replaced) == (3, 0)
    assert "- stack protection: off → on" in result.markdown
    assert "REPLACES" not in result.markdown


def test_a_renamed_key_is_called_out() -> None:
    head = _head()
    senders = head["lemlist-senders:senders"]
    senders["alice-martin"] = senders.pop("alice")
    head["lemlist-senders:passwords"]["alice-martin"] = head["lemlist-senders:passwords"].pop(
        "alice"
    )
    result = _review(head)
    assert (result.added, result.removed) == (1, 1)
    assert "#### ⚠ Renamed keys" in result.markdown
    assert "- `alice` → `alice-martin` (`alice@example.com`)" in result.markdown


def test_an_address_change_connects_the_new_before_disconnecting_the_old() -> None:
    head = _head()
    head["lemlist-senders:senders"]["alice"]["sender_email"] = "alice.m@example.com"
    md = _review(head).markdown
    assert "connects `alice.m@example.com`, then disconnects `alice@example.com`" in md


def test_head_lint_problems_are_listed() -> None:
    head = _head()
    head["lemlist-senders:senders"]["alice"]["smtp_host"] = "smtp.gmail.com"
    md = _review(head).markdown
    assert "#### Lint" in md
    assert "sender 'alice': smtp_host: 'smtp.gmail.com' is a Gmail host" in md


def test_markdown_stays_one_item_per_line() -> None:
    head = _head()
    head["lemlist-senders:senders"]["alice"]["sender_name"] = "Alice `x`\n- injected"
    md = _review(head).markdown
    # the echo rule: the newline is escaped, the backquote made a quote
    assert "`sender_name`: `Alice` → `Alice 'x'\\n- injected`" in md


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_git_ref_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    stack = tmp_path / "Pulumi.prod.yaml"
    stack.write_text((STACKS / "Pulumi.prod.yaml").read_text())
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    head = _head()
    stack.write_text(yaml.safe_dump({"config": head}))
    monkeypatch.chdir(tmp_path)
    base = load("git:HEAD:Pulumi.prod.yaml")
    missing = load("git:HEAD:Pulumi.new.yaml")
    with pytest.raises(StackFileError, match=re.escape("git:no-such-ref:Pulumi.prod.yaml")):
        load("git:no-such-ref:Pulumi.prod.yaml")
    with pytest.raises(StackFileError, match="expected git:REF:PATH"):
        load("git:HEAD")
    assert sorted(base.inventory.senders) == ["alice", "bob", "sales-emea", "support"]
    assert missing.inventory.senders == {}
    result = review(base, load(str(stack)))
    assert (result.added, result.removed) == (1, 2)
