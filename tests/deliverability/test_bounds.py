"""The DNS budget bounds the whole run whatever the record graph, and the options refuse
values that would unbound it."""

from __future__ import annotations

from pathlib import Path

import pytest

from lemlist_resource.deliverability import Lookup, Outcome

from .dnsserver import LocalDNS
from .test_cli import run

FAN = """config:
  lemlist-senders:defaults:
    smtp_host: smtp.fan.test
    smtp_port: 587
    imap_host: imap.fan.test
    imap_port: 993
    imap_secure: true
  lemlist-senders:senders:
    fay:
      sender_name: Fay
      sender_email: fay@fan.test
  lemlist-senders:passwords:
    fay: {secure: v1:AAAAAAAAAAAAAAAA:Y2lwaGVydGV4dA==}
"""


def test_an_include_graph_fanning_out_ends_at_the_budget(
    local_dns: LocalDNS, tmp_path: Path
) -> None:
    stack = tmp_path / "Pulumi.fan.yaml"
    stack.write_text(FAN)
    before = len(local_dns.resolver.questions)
    argv = ["--dns", "--dns-server", local_dns.address, "--dns-timeout", "0.2"]
    status, out = run("lint", *argv, "--dns-budget", "1", str(stack))
    asked = local_dns.resolver.questions[before:]
    assert status in (0, 1), out
    assert len(asked) <= 40, asked  # 11 SPF names and a few others: each asked once
    assert "fan.test" in out


def test_the_query_limit_fails_the_rest_as_could_not_check(local_dns: LocalDNS) -> None:
    lookup = Lookup([local_dns.address], timeout=0.2, max_queries=2)
    before = len(local_dns.resolver.questions)
    assert lookup.query("good.test", "MX").outcome is Outcome.FOUND
    assert lookup.query("good.test", "TXT").outcome is Outcome.FOUND
    third = lookup.query("broken.test", "TXT")
    assert third.outcome is Outcome.FAILED and "limit of 2 DNS queries" in third.reason
    assert len(local_dns.resolver.questions) - before == 2


def test_a_spent_budget_fails_cached_answers_too(local_dns: LocalDNS) -> None:
    now = [0.0]
    lookup = Lookup([local_dns.address], timeout=0.2, budget=5, clock=lambda: now[0])
    assert lookup.query("good.test", "MX").outcome is Outcome.FOUND
    now[0] = 6.0
    late = lookup.query("good.test", "MX")
    assert late.outcome is Outcome.FAILED and "budget of 5 s" in late.reason


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--dns-timeout", "nan"),
        ("--dns-timeout", "inf"),
        ("--dns-timeout", "-1"),
        ("--dns-timeout", "0"),
        ("--dns-timeout", "1e9"),
        ("--dns-budget", "nan"),
        ("--dns-budget", "-inf"),
        ("--dns-budget", "-3"),
        ("--dns-budget", "1e12"),
    ],
)
def test_unusable_timeouts_and_budgets_are_refused_in_one_sentence(
    local_dns: LocalDNS, option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = str(Path(__file__).resolve().parent / "fixtures" / "senders.yaml")
    before = len(local_dns.resolver.questions)
    argv = ["--dns", "--dns-server", local_dns.address, f"{option}={value}"]
    status, out = run("lint", *argv, stack)
    err = capsys.readouterr().err
    assert status == 2, out
    assert err.startswith(f"{option} ") and "is not usable: give a number of seconds" in err
    assert len(err.strip().splitlines()) == 1
    assert len(local_dns.resolver.questions) == before
