"""One mailbox, one owner (issue 19): the policy pack's stack policy refuses two
EmailAccounts adopting the same mailbox, whatever the id's prefix."""

from __future__ import annotations

import pytest
from pulumi_policy import StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from .helpers import account, stack_resource, stack_violations, urn

ONE_OWNER = "lemlist-one-owner-per-mailbox"


@pytest.mark.parametrize("mailbox", ["umx_abc123", "usm_2mkqJNUjnJQiyVBht", "anything-else"])
def test_two_resources_adopting_one_mailbox_are_both_flagged(mailbox: str) -> None:
    resources = [
        stack_resource(account(adopt_id=mailbox), "alice"),
        stack_resource(account(sender_email="bob@acme-mail.com", adopt_id=f" {mailbox} "), "bob"),
        stack_resource(account(sender_email="carol@acme-mail.com", adopt_id="umx_other"), "c"),
    ]
    reported = stack_violations(ONE_OWNER, StackValidationArgs(resources))
    assert sorted(u for _, u in reported) == [urn("alice"), urn("bob")]
    assert f"adopt_id '{mailbox}' is adopted by 2 resources ('alice', 'bob')" in reported[0][0]


def test_distinct_unknown_and_unset_adopt_ids_pass() -> None:
    resources = [
        stack_resource(account(adopt_id="umx_a"), "alice"),
        stack_resource(account(sender_email="b@acme-mail.com", adopt_id="umx_b"), "bob"),
        stack_resource(account(sender_email="c@acme-mail.com", adopt_id=UNKNOWN_STRING_VALUE), "c"),
        stack_resource(account(sender_email="d@acme-mail.com", adopt_id=UNKNOWN_STRING_VALUE), "d"),
        stack_resource(account(sender_email="e@acme-mail.com"), "e"),
        stack_resource({"adopt_id": "umx_a"}, "other", "random:index:Thing"),
    ]
    assert stack_violations(ONE_OWNER, StackValidationArgs(resources)) == []


def test_a_control_character_in_a_shared_id_is_escaped() -> None:
    resources = [stack_resource(account(adopt_id="umx_\x1b[2J"), n) for n in ("a", "b")]
    message = stack_violations(ONE_OWNER, StackValidationArgs(resources))[0][0]
    assert "\x1b" not in message and "umx_\\x1b[2J" in message
