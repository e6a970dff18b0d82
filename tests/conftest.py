"""Shared fixtures: an in-process lemlist emulator and the real provider host wired to it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import dns.resolver
import pytest
from hypothesis import settings

from lemlist_emulator import Emulator
from lemlist_emulator.ratelimit import LEMLIST_RATE
from tests import portguard
from tests.harness import Engine, ProviderHost
from tests.mailboxes import IMAP_PASSWORD, SMTP_PASSWORD
from tests.mailboxes import mailbox as mailbox  # re-exported: the suites import it from here

API_KEY = "test-key-5f1e9a"
OTHER_TEAM_KEY = "other-team-key-77c2"
#: The dev stack's second team and its key (stacks/Pulumi.dev.yaml, scripts/pulumi).
DEV_TEAM, DEV_TEAM_KEY = "globex", "emulator-globex-key"
MEMBERS = ("usr_owner", "usr_member")
#: Every credential the suite uses: no output, error or log line may ever contain one.
CREDENTIALS = (API_KEY, OTHER_TEAM_KEY, DEV_TEAM_KEY, SMTP_PASSWORD, IMAP_PASSWORD)

# Hypothesis profiles. "ci", the default: derandomized (the same examples on every run and every
# machine) and no example database, so a run cannot go red at random nor replay a failure found
# elsewhere in this checkout. "fuzz": the deeper random search of scripts/fuzz (a maintenance
# command, not CI), new seeds on every run, its finds kept in .hypothesis/ and printed as
# ``@example`` lines to add to the test. HYPOTHESIS_PROFILE chooses (or pytest's
# --hypothesis-profile, which wins).
settings.register_profile("ci", derandomize=True, database=None, print_blob=False)
settings.register_profile("fuzz", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# No test binds a fixed port: the suite runs beside the dev stack's emulator (tests/portguard.py).
portguard.install()


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Import the Hypothesis modules that it would otherwise load lazily in the middle of a
    property test, now, while the process has one thread.

    pytest rewrites every module of the hypothesis distribution (it ships a pytest plugin) with
    ast.parse on import, and on CPython 3.11.7 a parse fails with "AST constructor recursion
    depth mismatch" when another thread formats a traceback (which runs ast.parse) at the same
    moment: cpython gh-106905, fixed in 3.11.8. Here rather than at conftest import, and
    after Hypothesis's own ``pytest_sessionstart`` (``trylast``), which ends what Hypothesis
    counts as plugin initialization: importing these earlier reads its storage directory and
    raises ``HypothesisSideeffectWarning`` at the top of every run.
    """
    import hypothesis.internal.conjecture.optimiser
    import hypothesis.strategies._internal.regex  # noqa: F401


def assert_no_credentials(text: str) -> None:
    """Fail (without echoing the text) if any credential of the suite appears in it."""
    leaked = [i for i, c in enumerate(CREDENTIALS) if c in text]
    assert not leaked, f"credential #{leaked} leaked into {len(text)} characters of output"


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator(
        api_keys={API_KEY: "team_1", OTHER_TEAM_KEY: "team_2", DEV_TEAM_KEY: DEV_TEAM},
        members={"team_1": MEMBERS, "team_2": ("usr_other",)},
        rate_limit=LEMLIST_RATE,
    ) as emu:
        yield emu


@pytest.fixture(scope="session")
def host_factory(emulator: Emulator) -> Iterator[Callable[..., ProviderHost]]:
    """Start provider hosts (one per distinct configuration, reused across tests)."""
    hosts: dict[tuple[Any, ...], ProviderHost] = {}

    def start(
        config: dict[str, Any] | None = None, env: dict[str, str] | None = None
    ) -> ProviderHost:
        config = (
            {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emulator.url}
            if config is None
            else config
        )
        key = (tuple(sorted(config.items())), tuple(sorted((env or {}).items())))
        if key not in hosts:
            host = ProviderHost(env=env)
            host.configure(config, secret_keys=["lemlist:apiKey", "lemlist:teams"])
            hosts[key] = host
        return hosts[key]

    yield start
    for host in hosts.values():
        assert_no_credentials(host.close())


@pytest.fixture
def host(host_factory: Callable[..., ProviderHost], emulator: Emulator) -> ProviderHost:
    """The provider host configured for the emulator, with a clean emulator."""
    emulator.reset()
    return host_factory()


@pytest.fixture
def engine(host: ProviderHost) -> Engine:
    return Engine(host)


@pytest.fixture(autouse=True)
def no_system_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test resolves through the machine's resolver (dnspython reads /etc/resolv.conf):
    a test that needs DNS asks tests/deliverability's local server by address."""

    def off(self: dns.resolver.Resolver, *_: Any) -> None:
        raise dns.resolver.NoResolverConfiguration("tests: the system resolver is off")

    monkeypatch.setattr(dns.resolver.Resolver, "read_resolv_conf", off)
    monkeypatch.setattr(dns.resolver, "default_resolver", None)
