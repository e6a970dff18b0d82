"""Every policy of the pack: a passing and a failing case, unknown values, the config knobs."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pulumi
import pytest
from lemlist_policies import (
    DEFAULT_DEV_PATTERN,
    DEFAULT_PROD_PATTERN,
    RESOURCE_TYPE,
    policies,
)
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationArgs
from pulumi_policy.proxy import (
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_STRING_VALUE,
)

from lemlist_resource.rules.relays import SOURCE, UNSUPPORTED_RELAYS, unsupported_relay
from lemlist_resource.rules.release import today as utc_today

from .conftest import POLICY_DIR
from .helpers import (
    account,
    policy,
    resource_args,
    stack_resource,
    stack_violations,
    urn,
    violations,
)

TLS = "lemlist-transport-tls"
RELAY = "lemlist-unsupported-relay"
OAUTH = "lemlist-oauth-only-hosts"
DOMAINS = "lemlist-sender-domains"
PROTECT = "lemlist-production-protect"
VERIFY = "lemlist-verify-connection"
ONE_MAILBOX = "lemlist-one-mailbox-per-address"
DELIVERABILITY = "lemlist-deliverability"
ONE_OWNER = "lemlist-one-owner-per-mailbox"


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> object:
    """Set the stack name the policies read with ``pulumi.get_stack()``."""

    def use(name: str) -> None:
        monkeypatch.setattr(pulumi, "get_stack", lambda: name)

    return use


# --- the pack -------------------------------------------------------------------------


def test_pack_policies_levels_and_config_defaults() -> None:
    by_name = {p.name: p for p in policies()}
    warmup = ["lemlist-warmup-outside-dev", "lemlist-warmup-rampup"]
    expected = [TLS, OAUTH, RELAY, DOMAINS, PROTECT, VERIFY, ONE_MAILBOX, ONE_OWNER]
    expected += [DELIVERABILITY, *warmup]
    assert list(by_name) == expected
    levels = {name: p.enforcement_level for name, p in by_name.items()}
    assert levels.pop(RELAY) is EnforcementLevel.ADVISORY
    assert levels.pop(DELIVERABILITY) is EnforcementLevel.DISABLED  # DNS is opt-in
    assert {levels.pop(name) for name in warmup} == {EnforcementLevel.ADVISORY}
    assert set(levels.values()) == {EnforcementLevel.MANDATORY}
    schema = by_name[PROTECT].config_schema
    assert schema is not None and schema.properties["stackPattern"]["default"] == "prod*"
    assert DEFAULT_PROD_PATTERN == "prod*" and DEFAULT_DEV_PATTERN == "dev*"
    schema = by_name[VERIFY].config_schema
    assert schema is not None and schema.properties["devStackPattern"]["default"] == "dev*"
    schema = by_name[DOMAINS].config_schema
    assert schema is not None
    assert set(schema.properties) == {"allowedDomains", "allowedLoginDomains"}


def test_resource_type_is_the_email_account_token() -> None:
    from lemlist_resource.email_account.resource import EmailAccount

    assert RESOURCE_TYPE == f"pulumi-python:{EmailAccount._resource_type_name}"


def test_validators_module_imports_without_starting_the_pack() -> None:
    # Building a PolicyPack starts a gRPC server, prints its port and blocks forever.
    done = subprocess.run(
        [sys.executable, "-c", "import lemlist_policies"],
        cwd=POLICY_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("name", [TLS, RELAY, DOMAINS, PROTECT, VERIFY])
def test_other_resource_types_are_ignored(name: str, stack: object) -> None:
    stack("prod")  # type: ignore[operator]
    bad = account(smtp_port=25.0, smtp_host="smtp.sendgrid.net", verify_connection=False)
    assert violations(name, resource_args(bad, type_="aws:s3/bucket:Bucket")) == []


# --- transport security ---------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"smtp_port": 587.0, "smtp_secure": False},  # STARTTLS
        {"smtp_port": 465.0, "smtp_secure": True},  # TLS on connect
        {"smtp_port": 587, "smtp_secure": None},  # an int, and the schema default (false)
        {"smtp_port": 2465.0, "smtp_secure": True},  # TLS on connect on another port
    ],
)
def test_transport_passes_tls_setups(overrides: dict[str, object]) -> None:
    assert violations(TLS, resource_args(account(**overrides))) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"smtp_port": 25.0}, "smtp_port 25 is plain SMTP"),
        ({"smtp_port": 465.0, "smtp_secure": False}, "set smtp_secure: true"),
        ({"smtp_port": 587.0, "smtp_secure": True}, "set smtp_secure: false"),
        ({"smtp_port": 2525.0, "smtp_secure": False}, "not a known TLS setup"),
        ({"imap_port": 143.0}, "imap_port 143 is plain IMAP"),
        ({"imap_port": 993.0, "imap_secure": False}, "imap_secure is false"),
        ({"imap_secure": None}, "imap_secure is false"),  # the default is false
    ],
)
def test_transport_flags_plain_or_mismatched_settings(
    overrides: dict[str, object], expected: str
) -> None:
    (message,) = violations(TLS, resource_args(account(**overrides)))
    assert message.startswith("sender 'alice@acme-mail.com': ")
    assert expected in message
    assert "use port" in message or "set " in message  # says what to do


@pytest.mark.parametrize(
    "overrides",
    [
        {"smtp_port": UNKNOWN_NUMBER_VALUE, "imap_port": UNKNOWN_NUMBER_VALUE},
        {"smtp_secure": UNKNOWN_BOOLEAN_VALUE, "imap_secure": UNKNOWN_BOOLEAN_VALUE},
    ],
)
def test_transport_skips_values_unknown_during_preview(overrides: dict[str, object]) -> None:
    bad = account(smtp_port=25.0, imap_port=143.0, smtp_secure=False, imap_secure=False)
    bad.update(overrides)
    assert violations(TLS, resource_args(bad)) == []


def test_transport_names_the_resource_when_the_address_is_unknown() -> None:
    props = account(smtp_port=25.0, sender_email=UNKNOWN_STRING_VALUE)
    (message,) = violations(TLS, resource_args(props, name="alice-key"))
    assert message.startswith("EmailAccount 'alice-key': smtp_port 25")


# --- unsupported relays ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "provider"),
    [
        ("smtp.sendgrid.net", "SendGrid"),
        ("smtp.eu.mailgun.org", "Mailgun"),
        ("smtp-relay.brevo.com", "Sendinblue (Brevo)"),
        ("smtp-relay.sendinblue.com", "Sendinblue (Brevo)"),
        ("in-v3.mailjet.com", "Mailjet"),
        ("email-smtp.eu-west-1.amazonaws.com", "Amazon SES"),
        ("SMTP.PostmarkApp.com.", "Postmark"),
        ("gator4242.hostgator.com", "HostGator"),
        ("ds123.o2switch.net", "O2switch"),
    ],
)
def test_relay_policy_flags_unsupported_providers(host: str, provider: str) -> None:
    (message,) = violations(RELAY, resource_args(account(smtp_host=host)))
    assert f"smtp_host '{host}' is {provider}" in message
    assert "connect the mailbox's own SMTP server" in message and SOURCE in message


@pytest.mark.parametrize(
    "host", ["smtp.acme-mail.com", "notsendgrid.net", "s3.eu-west-1.amazonaws.com", ""]
)
def test_relay_policy_passes_other_hosts(host: str) -> None:
    assert unsupported_relay(host) is None
    assert violations(RELAY, resource_args(account(smtp_host=host))) == []


def test_relay_policy_skips_an_unknown_host() -> None:
    props = account(smtp_host=UNKNOWN_STRING_VALUE)
    assert violations(RELAY, resource_args(props)) == []


def test_relay_list_covers_lemlists_article() -> None:
    names = " ".join(r.name for r in UNSUPPORTED_RELAYS)
    for provider in (
        "SendGrid", "Mailgun", "Sendinblue", "Mailjet", "O2switch", "Amazon SES", "Postmark",
        "Cloudmark", "HostGator",
    ):  # fmt: skip
        assert provider in names


# --- sender domains -------------------------------------------------------------------


def test_domains_pass_without_config_when_logins_are_on_the_sender_domain() -> None:
    assert violations(DOMAINS, resource_args(account())) == []
    # A login that is not an address (e.g. a user name) has no domain to compare.
    assert violations(DOMAINS, resource_args(account(smtp_login="alice"))) == []


def test_domains_flag_a_login_on_another_domain() -> None:
    props = account(smtp_login="relay@mailhost.example")
    (message,) = violations(DOMAINS, resource_args(props))
    assert message == (
        "sender 'alice@acme-mail.com': smtp_login 'relay@mailhost.example' is on domain "
        "'mailhost.example', not the sender's domain 'acme-mail.com': log in as the sender's "
        "own mailbox, or add 'mailhost.example' to allowedLoginDomains in the policy "
        "configuration."
    )


def test_domains_allowed_login_domains_knob() -> None:
    props = account(smtp_login="relay@mailhost.example", imap_login="relay@MailHost.example")
    config = {"allowedLoginDomains": ["mailhost.example"]}
    assert violations(DOMAINS, resource_args(props, config=config)) == []


def test_domains_allowed_domains_knob() -> None:
    config = {"allowedDomains": ["Acme-Mail.com", "acme.io"]}
    assert violations(DOMAINS, resource_args(account(), config=config)) == []
    other = account(
        sender_email="bob@lookalike.co", smtp_login="bob@lookalike.co", imap_login="bob"
    )
    (message,) = violations(DOMAINS, resource_args(other, config=config))
    assert "its domain 'lookalike.co' is not an allowed sender domain (acme-mail.com, acme.io)" in (
        message
    )
    assert "add 'lookalike.co' to allowedDomains" in message


def test_domains_skip_unknown_values() -> None:
    config = {"allowedDomains": ["acme.io"]}
    props = account(sender_email=UNKNOWN_STRING_VALUE, smtp_login="x@elsewhere.example")
    assert violations(DOMAINS, resource_args(props, config=config)) == []
    props = account(smtp_login=UNKNOWN_STRING_VALUE, imap_login=UNKNOWN_STRING_VALUE)
    assert violations(DOMAINS, resource_args(props)) == []


# --- production protection ------------------------------------------------------------


def test_protect_flags_an_unprotected_mailbox_on_prod(stack: object) -> None:
    stack("prod")  # type: ignore[operator]
    (message,) = violations(PROTECT, resource_args(account(), protect=False))
    assert message.startswith(
        "sender 'alice@acme-mail.com' is not protected on stack 'prod' (matches 'prod*')"
    )
    assert "`protect: true`" in message and "ResourceOptions(protect=True)" in message


def test_protect_passes_protected_mailboxes_and_other_stacks(stack: object) -> None:
    stack("prod-eu")  # type: ignore[operator]
    assert violations(PROTECT, resource_args(account(), protect=True)) == []
    stack("staging")  # type: ignore[operator]
    assert violations(PROTECT, resource_args(account(), protect=False)) == []


def test_protect_stack_pattern_knob(stack: object) -> None:
    config = {"stackPattern": "live-*"}
    stack("live-eu")  # type: ignore[operator]
    assert len(violations(PROTECT, resource_args(account(), config=config))) == 1
    stack("prod")  # type: ignore[operator]
    assert violations(PROTECT, resource_args(account(), config=config)) == []


def _stack_file(monkeypatch: pytest.MonkeyPatch, **senders: object) -> None:
    """The stack configuration the engine gives the pack (``PULUMI_CONFIG``: strings, an
    object as its JSON text), with these ``lemlist-senders:senders``."""
    config = {"lemlist-senders:senders": json.dumps(senders), "lemlist-senders:protect": "true"}
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))


def test_protect_honours_a_reviewed_release_of_that_sender_only(
    stack: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 25 item 2: step 1 of a prod replacement (docs/gitops.md) passes the preview."""
    stack("prod")  # type: ignore[operator]
    until = (utc_today() + timedelta(days=7)).isoformat()
    _stack_file(monkeypatch, alice={"sender_email": "a@x.com", "release": f"{until} OPS-42"})
    released = resource_args(account(), protect=False, name="alice")
    assert violations(PROTECT, released) == []
    (message,) = violations(PROTECT, resource_args(account(), protect=False, name="bob"))
    assert "release: <YYYY-MM-DD> <reason>" in message


@pytest.mark.parametrize(
    ("days", "said"),
    [(-1, "ended on"), (15, "more than 14 days"), (None, "must be '<YYYY-MM-DD> <reason>'")],
)
def test_protect_refuses_an_expired_far_or_malformed_release(
    stack: object, monkeypatch: pytest.MonkeyPatch, days: int | None, said: str
) -> None:
    """A release cannot be left on: once its day has passed, prod previews fail again."""
    stack("prod")  # type: ignore[operator]
    value = "OPS-42" if days is None else f"{utc_today() + timedelta(days=days)} OPS-42"
    _stack_file(monkeypatch, alice={"release": value})
    (message,) = violations(PROTECT, resource_args(account(), protect=False, name="alice"))
    assert "is not protected on stack 'prod' and its `release`" in message and said in message


def test_protect_reads_the_stack_from_pulumi() -> None:
    # No monkeypatch: whatever stack the Pulumi runtime is configured with is the one read
    # (in the policy process, pulumi_policy configures it from PULUMI_STACK).
    current = pulumi.get_stack()
    args = resource_args(account(), config={"stackPattern": current})
    (message,) = violations(PROTECT, args)
    assert f"on stack '{current}'" in message


# --- verify_connection outside dev ----------------------------------------------------


def test_verify_flags_it_turned_off_outside_dev(stack: object) -> None:
    stack("staging")  # type: ignore[operator]
    (message,) = violations(VERIFY, resource_args(account(verify_connection=False)))
    assert message.startswith(
        "sender 'alice@acme-mail.com': verify_connection is false on stack 'staging' "
        "(only stacks matching 'dev*' may turn it off)"
    )
    assert "Remove verify_connection: false" in message


def test_verify_passes_on_default_or_dev(stack: object) -> None:
    stack("prod")  # type: ignore[operator]
    assert violations(VERIFY, resource_args(account(verify_connection=True))) == []
    assert violations(VERIFY, resource_args(account(verify_connection=None))) == []
    stack("dev")  # type: ignore[operator]
    assert violations(VERIFY, resource_args(account(verify_connection=False))) == []


def test_verify_skips_an_unknown_value(stack: object) -> None:
    stack("prod")  # type: ignore[operator]
    props = account(verify_connection=UNKNOWN_BOOLEAN_VALUE)
    assert violations(VERIFY, resource_args(props)) == []


def test_verify_dev_stack_pattern_knob(stack: object) -> None:
    config = {"devStackPattern": "sandbox-*"}
    stack("sandbox-alice")  # type: ignore[operator]
    props = account(verify_connection=False)
    assert violations(VERIFY, resource_args(props, config=config)) == []
    stack("dev")  # type: ignore[operator]
    assert len(violations(VERIFY, resource_args(props, config=config))) == 1


# --- one mailbox per address ----------------------------------------------------------


def test_one_mailbox_flags_every_duplicate_with_its_urn() -> None:
    resources = [
        stack_resource(account(), "alice"),
        stack_resource(account(sender_email="Alice@ACME-mail.com"), "alice-2"),
        stack_resource(account(sender_email="bob@acme-mail.com"), "bob"),
    ]
    reported = stack_violations(ONE_MAILBOX, StackValidationArgs(resources))
    assert [u for _, u in reported] == [urn("alice"), urn("alice-2")]
    message = reported[0][0]
    assert message.startswith(
        "sender 'alice@acme-mail.com' is declared by 2 EmailAccounts in the default team "
        "(alice, alice-2)"
    )
    assert "Keep one of them and remove the others." in message


def test_one_mailbox_passes_distinct_addresses_unknowns_and_other_types() -> None:
    resources = [
        stack_resource(account(), "alice"),
        stack_resource(account(sender_email="bob@acme-mail.com"), "bob"),
        stack_resource(account(sender_email=UNKNOWN_STRING_VALUE), "new-1"),
        stack_resource(account(sender_email=UNKNOWN_STRING_VALUE), "new-2"),
        stack_resource({"sender_email": "alice@acme-mail.com"}, "other", "random:index:Thing"),
    ]
    assert stack_violations(ONE_MAILBOX, StackValidationArgs(resources)) == []


def test_every_resource_policy_is_a_resource_validation_policy() -> None:
    for name in (TLS, RELAY, DOMAINS, PROTECT, VERIFY):
        assert isinstance(policy(name), ResourceValidationPolicy)


def test_one_mailbox_is_per_team() -> None:
    resources = [
        stack_resource(account(), "alice"),
        stack_resource(account(team="acme"), "alice-acme"),
        stack_resource(account(team=UNKNOWN_STRING_VALUE), "alice-somewhere"),
    ]
    assert stack_violations(ONE_MAILBOX, StackValidationArgs(resources)) == []
    resources.append(stack_resource(account(team="acme"), "alice-acme-2"))
    reported = stack_violations(ONE_MAILBOX, StackValidationArgs(resources))
    assert [u for _, u in reported] == [urn("alice-acme"), urn("alice-acme-2")]
    assert "2 EmailAccounts in team 'acme' (alice-acme, alice-acme-2)" in reported[0][0]


# --- OAuth-only hosts (Gmail, Microsoft 365 / Outlook) ---------------------------------


@pytest.mark.parametrize(
    ("field", "host", "provider"),
    [
        ("smtp_host", "smtp.office365.com", "Microsoft"),
        ("imap_host", "outlook.office365.com", "Microsoft"),
        ("smtp_host", "smtp-mail.outlook.com", "Microsoft"),
        ("smtp_host", "smtp.gmail.com", "Google"),
    ],
)
def test_oauth_only_hosts_are_refused_with_the_providers_own_rule(
    field: str, host: str, provider: str
) -> None:
    from lemlist_resource.rules.validation import oauth_host_problem

    (message,) = violations(OAUTH, resource_args(account(**{field: host})))
    assert f"{field} {oauth_host_problem(host)}" in message and f"{provider} OAuth" in message
    assert violations(OAUTH, resource_args(account())) == []
