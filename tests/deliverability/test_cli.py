"""``lint --dns`` and ``diff --dns`` on a stack file whose domains the local server holds;
offline lint stays offline; no test reaches a real resolver."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lemlist_resource.deliverability import Lookup, Outcome
from lemlist_resource.inventory.__main__ import main

from .conftest import Guard
from .dnsserver import LocalDNS

STACK = str(Path(__file__).resolve().parent / "fixtures" / "senders.yaml")


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def dns_args(server: LocalDNS) -> list[str]:
    return ["--dns", "--dns-server", server.address, "--dns-timeout", "0.2"]


def test_offline_lint_is_clean_and_asks_no_dns(local_dns: LocalDNS) -> None:
    before = len(local_dns.resolver.questions)
    status, out = run("lint", STACK)
    assert status == 0, out
    assert len(local_dns.resolver.questions) == before


def test_lint_dns_reports_broken_records_with_the_fix_and_passes_good_ones(
    local_dns: LocalDNS,
) -> None:
    status, out = run("lint", *dns_args(local_dns), STACK)
    assert status == 1
    lines = out.splitlines()
    assert f"ok: {STACK}: domain 'good.test' (alice, ann): DMARC _dmarc.good.test TXT: policy reject; aggregate reports go to 'mailto:dmarc@good.test'" in lines  # noqa: E501
    assert any(ln.startswith(f"{STACK}: sender 'bob': DKIM s9._domainkey.broken.test TXT: no DKIM key") for ln in lines)  # noqa: E501
    assert any("domain 'broken.test' (bob): MX broken.test MX: broken.test has no MX record" in ln and "Publish" in ln for ln in lines)  # noqa: E501
    assert any(ln.startswith("warning: ") and "policy none" in ln for ln in lines)
    failed = [ln for ln in lines if "servfail.test" in ln or "slow.test" in ln]
    assert failed and all(ln.startswith("note: could not check: ") for ln in failed)
    assert not any(ln.startswith(f"{STACK}: ok") for ln in lines)


def test_diff_dns_adds_the_deliverability_section(local_dns: LocalDNS) -> None:
    status, out = run("diff", *dns_args(local_dns), STACK, STACK)
    assert status == 0
    assert "#### Deliverability (DNS)" in out
    assert "| `good.test` | alice, ann | ✅ | ✅ | ✅ | ✅ |" in out
    assert "| `servfail.test` | sam | ❔ could not check |" in out
    assert "❌ **SPF** `twospf.test TXT`" in out


def test_dkim_selectors_are_checked_offline_for_their_shape(tmp_path: Path) -> None:
    text = Path(STACK).read_text().replace("dkim_selector: s9", "dkim_selector: 'bad selector'")
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text(text)
    status, out = run("lint", str(bad))
    assert status == 1
    assert "sender 'bob': dkim_selector: 'bad selector' is not a DKIM selector" in out


def test_without_a_server_lint_dns_uses_the_system_resolver_which_tests_disable() -> None:
    status, _ = run("lint", "--dns", STACK)
    assert status == 2  # "no DNS resolver configured": the guard made the system one unusable


def test_any_query_beyond_the_local_server_is_refused_before_it_leaves(
    no_real_resolver: Guard,
) -> None:
    no_real_resolver.expected = True
    answer = Lookup(["192.0.2.53"], timeout=0.2).query("good.test", "MX")
    assert answer.outcome is Outcome.FAILED  # could not check, not "missing"
    assert ("192.0.2.53", 53) in no_real_resolver.refused


@pytest.mark.parametrize("server", ["dns.example", "127.0.0.1:99999"])
def test_an_unusable_dns_server_option_is_a_usage_error(server: str) -> None:
    status, _ = run("lint", "--dns", "--dns-server", server, STACK)
    assert status == 2
