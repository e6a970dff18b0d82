"""The warm-up policies: warm-up off outside dev, aggressive ramp-ups; unknowns skipped."""

from __future__ import annotations

import pulumi
import pytest
from lemlist_warmup import DEFAULT_MAX_RAMPUP, DEFAULT_MAX_WARM_EMAILS, WARMUP_TYPE
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE

from lemlist_resource.warmup.resource import Warmup

from .helpers import resource_args, violations

OFF = "lemlist-warmup-outside-dev"
RAMP = "lemlist-warmup-rampup"


def warmup(**props: object) -> dict[str, object]:
    return {"mailbox_id": "usm_2mkqJNUjnJQiyVBht", "enabled": True, **props}


@pytest.fixture(autouse=True)
def prod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulumi, "get_stack", lambda: "prod")


def test_the_type_token_is_the_warmup_resources() -> None:
    assert WARMUP_TYPE == f"pulumi-python:{Warmup._resource_type_name}"


def test_warmup_off_outside_dev_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    args = resource_args(warmup(enabled=False), type_=WARMUP_TYPE)
    (message,) = violations(OFF, args)
    assert "warm-up is off on stack 'prod'" in message and "usm_2mkqJNUjnJQiyVBht" in message
    assert violations(OFF, resource_args(warmup(), type_=WARMUP_TYPE)) == []
    unknown = resource_args(warmup(enabled=UNKNOWN_BOOLEAN_VALUE), type_=WARMUP_TYPE)
    assert violations(OFF, unknown) == []
    monkeypatch.setattr(pulumi, "get_stack", lambda: "dev-alice")
    assert violations(OFF, args) == []
    config = {"devStackPattern": "prod"}
    monkeypatch.setattr(pulumi, "get_stack", lambda: "prod")
    assert violations(OFF, resource_args(warmup(enabled=False), type_=WARMUP_TYPE,
                                         config=config)) == []  # fmt: skip


def test_aggressive_rampups_are_flagged_with_their_source() -> None:
    args = resource_args(warmup(warm_email_max=35.0, warm_email_rampup=8.0), type_=WARMUP_TYPE)
    messages = violations(RAMP, args)
    assert len(messages) == 2
    assert "warm_email_max 35 is above 30" in messages[0]
    assert "warm_email_rampup 8 is above 5" in messages[1]
    assert all("developer.lemlist.com" in m for m in messages)
    gentle = warmup(warm_email_max=float(DEFAULT_MAX_WARM_EMAILS), warm_email_rampup=1.0)
    assert violations(RAMP, resource_args(gentle, type_=WARMUP_TYPE)) == []
    assert DEFAULT_MAX_RAMPUP == 5


def test_rampup_limits_are_configurable_and_unknowns_skipped() -> None:
    config = {"maxWarmEmails": 40, "maxRampup": 10}
    args = resource_args(warmup(warm_email_max=35.0, warm_email_rampup=8.0), type_=WARMUP_TYPE,
                         config=config)  # fmt: skip
    assert violations(RAMP, args) == []
    unknown = warmup(warm_email_max=UNKNOWN_NUMBER_VALUE)
    assert violations(RAMP, resource_args(unknown, type_=WARMUP_TYPE)) == []


def test_email_accounts_are_not_judged_by_warmup_policies() -> None:
    from .helpers import account

    assert violations(OFF, resource_args(account())) == []
    assert violations(RAMP, resource_args(account())) == []
