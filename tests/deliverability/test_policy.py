"""The ``lemlist-deliverability`` policy: the same checks as ``lint --dns``, off by default."""

from __future__ import annotations

import tests.policy.conftest  # noqa: F401  (puts policy/ on sys.path, as Pulumi does)
from tests.policy.helpers import account, policy, resource_args, violations

from .dnsserver import LocalDNS

NAME = "lemlist-deliverability"


def config(server: LocalDNS, **extra: object) -> dict[str, object]:
    return {"nameservers": [server.address], "timeoutSeconds": 0.2, **extra}


def test_it_is_off_by_default() -> None:
    assert policy(NAME).enforcement_level.value == "disabled"


def test_a_good_domain_has_no_violation(local_dns: LocalDNS) -> None:
    props = account(sender_email="alice@good.test", smtp_host="smtp.good.test",
                    imap_host="imap.good.test", smtp_login="alice@good.test",
                    imap_login="alice@good.test")  # fmt: skip
    cfg = config(local_dns, dkimSelectors={"good.test": ["s1"]})
    assert violations(NAME, resource_args(props, config=cfg)) == []


def test_a_broken_domain_reports_what_the_lint_reports(local_dns: LocalDNS) -> None:
    props = account(sender_email="bob@broken.test", smtp_host="smtp.broken.test")
    cfg = config(local_dns, dkimSelectors={"broken.test": "s9"})
    found = violations(NAME, resource_args(props, config=cfg))
    joined = "\n".join(found)
    assert len(found) == 4 and all(m.startswith("sender 'bob@broken.test': ") for m in found)
    assert "MX (broken.test MX): broken.test has no MX record" in joined
    assert "?all" in joined and "no DMARC record" in joined and "selector 's9'" in joined


def test_failed_lookups_are_no_violation(local_dns: LocalDNS) -> None:
    for domain in ("servfail.test", "slow.test"):
        props = account(sender_email=f"sam@{domain}")
        assert violations(NAME, resource_args(props, config=config(local_dns))) == []


def test_without_any_resolver_the_policy_reports_nothing() -> None:
    props = account(sender_email="bob@broken.test")  # the system resolver is off in tests
    assert violations(NAME, resource_args(props, config={})) == []


def test_an_invalid_address_is_left_to_the_providers_check(local_dns: LocalDNS) -> None:
    props = account(sender_email="bob@broken.test\x1b[2J")
    assert violations(NAME, resource_args(props, config=config(local_dns))) == []
