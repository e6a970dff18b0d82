"""Issue 10: never lose state or leak a password on a surprising answer.

One regression test per finding (the item number in each name); those about answers that
lemlist, a proxy or a redirect give are rows of the fault matrix (tests/test_faults.py,
``#N``). Through the provider host wherever the engine would be involved; pure rules are
tested directly.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_resource.config.settings import check_api_key, check_api_url, check_timeout
from lemlist_resource.echo import ECHO_LIMIT, safe_url, shown
from lemlist_resource.email_account.client import LemlistClient
from lemlist_resource.errors import (
    ConfigurationError,
    LemlistError,
    LemlistUnavailableError,
    OutcomeUnknownError,
)
from lemlist_resource.inventory import build_inventory, lint, parse_stack
from lemlist_resource.lemlist import redaction
from lemlist_resource.lemlist.answers import Answer
from lemlist_resource.lemlist.redaction import REDACTED, forms, guarded, quote, scope
from lemlist_resource.rules.validation import host_problem
from tests.conftest import API_KEY, assert_no_credentials, mailbox
from tests.harness import Engine, HostError, ProviderHost
from tests.proxy import Canned, proxy

JSON_TYPE = "application/json"


@pytest.fixture
def fresh_host() -> Iterator[ProviderHost]:
    """A provider host of its own (its configuration is the test's)."""
    host = ProviderHost()
    yield host
    assert_no_credentials(host.close())


def _configure_and_call(host: ProviderHost, emulator: Emulator, **config: Any) -> str:
    """Configure ``host``; return the error its first call (preview's check) raises."""
    emulator.reset()
    host.configure(
        {"lemlist:apiKey": API_KEY, **{f"lemlist:{k}": v for k, v in config.items()}},
        secret_keys=["lemlist:apiKey"],
    )
    with pytest.raises(HostError) as err:
        host.check(mailbox())
    with pytest.raises(HostError) as again:
        host.create(mailbox())
    assert emulator.request_log() == [], "a refused configuration sent a request"
    assert err.value.message.splitlines()[-1] == again.value.message.splitlines()[-1]
    return err.value.message


# -- 1. lemlist:apiUrl without /api: refresh and destroy keep every live mailbox ---------------


def test_item01_api_url_without_api_keeps_state_on_refresh_and_destroy(
    engine: Engine, emulator: Emulator, fresh_host: ProviderHost
) -> None:
    """A path outside /api answers lemlist's web app page (200 HTML), as lemlist really does;
    before, refresh dropped the mailbox from state and destroy reported success."""
    engine.up({"alice": mailbox()})
    live = engine.state["alice"].id
    fresh_host.configure(
        {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emulator.url.removesuffix("/api")},
        secret_keys=["lemlist:apiKey"],
    )
    wrong = Engine(fresh_host, state=dict(engine.state))
    with pytest.raises(HostError) as refresh:
        wrong.refresh()
    assert "HTML page" in refresh.value.message and "lemlist:apiUrl" in refresh.value.message
    with pytest.raises(HostError) as destroy:
        wrong.destroy()
    assert "may still be connected" in destroy.value.message
    assert wrong.state["alice"].id == live and emulator.account(live) is not None
    engine.destroy()
    assert emulator.accounts() == []


# -- 6. credentials in lemlist:apiUrl are never echoed ----------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://user:s3cr3t-pw@lemlist.example.com/api",  # echoed whole before
        "ftp://user:s3cr3t-pw@api.lemlist.com/api?access_token=s3cr3t-pw",  # likewise
        "http://user:s3cr3t-pw@127.0.0.1:8787/api",
        "https://api.lemlist.com/api?access_token=s3cr3t-pw",
        "https://api.lemlist.com/api#s3cr3t-pw",
        "http://user:s3cr3t-pw@127.0.0.1:99999/api?access_token=s3cr3t-pw",
    ],
)
def test_item06_api_url_credentials_are_not_echoed_by_the_provider(
    fresh_host: ProviderHost, emulator: Emulator, url: str
) -> None:
    message = _configure_and_call(fresh_host, emulator, apiUrl=url)
    assert "lemlist:apiUrl" in message
    assert "s3cr3t-pw" not in message and "user:" not in message


def test_item06_api_url_credentials_are_not_echoed_by_the_lint() -> None:
    for url in (
        "http://user:s3cr3t-pw@lemlist.example.com/api",
        "https://api.lemlist.com/api?access_token=s3cr3t-pw",
    ):
        text = f"config:\n  lemlist:apiUrl: '{url}'\n  lemlist-senders:senders: {{}}\n"
        lines = [p.render("s.yaml") for p in lint(parse_stack(text, "s.yaml"))]
        assert any("lemlist:apiUrl" in line for line in lines), lines
        assert not any("s3cr3t-pw" in line for line in lines), lines


def test_item06_safe_url_keeps_host_port_and_path_only() -> None:
    assert safe_url("https://u:p@api.lemlist.com:8443/api?access_token=k#f") == (
        "https://api.lemlist.com:8443/api"
    )
    assert safe_url("http://u:p@127.0.0.1:99999/api?t=k") == "http://127.0.0.1:99999/api"
    assert "p@" not in safe_url("http://u:p@[::1/api?t=k") and "t=k" not in safe_url("x?t=k")


# -- 7. timeouts: finite and bounded, refused before anything is sent --------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300", "0", "-5", "soon", "601"])
def test_item07_unusable_timeouts_are_refused_in_configure(
    fresh_host: ProviderHost, emulator: Emulator, value: str
) -> None:
    message = _configure_and_call(
        fresh_host, emulator, apiUrl=emulator.url, timeoutSeconds=value
    )
    assert "lemlist:timeoutSeconds" in message and "at most 600" in message


def test_item07_usable_timeouts_are_accepted() -> None:
    assert check_timeout("0.5") == 0.5
    assert check_timeout("600") == 600.0
    assert check_timeout(None) == 30.0
    with pytest.raises(Exception, match="timeoutSeconds"):
        check_timeout("x" * 10_000)


# -- 8. an invalid port: refused in configure; and never "outcome unknown" when nothing left -----


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/api", "http://127.0.0.1:0/api", "http://127.0.0.1:x/api"]
)
def test_item08_invalid_port_is_refused_before_anything_is_sent(
    fresh_host: ProviderHost, emulator: Emulator, url: str
) -> None:
    message = _configure_and_call(fresh_host, emulator, apiUrl=url)
    assert "lemlist:apiUrl" in message
    assert "outcome is unknown" not in message and "may have connected" not in message


def test_item08_a_request_that_never_left_never_says_the_outcome_is_unknown() -> None:
    """Even past configure (a client built by hand), an unusable URL or body sends nothing."""
    client = LemlistClient("http://127.0.0.1:99999/api", API_KEY)
    with pytest.raises(LemlistUnavailableError) as err:
        client.connect({"sender_email": "a@b.co"}, label="a@b.co")
    assert "nothing was sent" in err.value.message
    assert "outcome is unknown" not in err.value.message
    client = LemlistClient("http://127.0.0.1:1/api", API_KEY, max_attempts=1)
    with pytest.raises(LemlistUnavailableError) as err:
        client.connect({"smtp_port": math.nan}, label="a@b.co")  # not JSON: never sent
    assert "nothing was sent" in err.value.message and "JSON" in err.value.message


# -- 9. one cap for every echoed value --------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sender_email", "x" * 10_000 + "@acme.com"),
        ("smtp_host", "h" * 10_000),
        ("imap_host", "\n".join(["imap"] * 5_000)),
        ("smtp_port", "9" * 10_000),
    ],
)
def test_item09_check_failures_echo_at_most_the_cap(
    host: ProviderHost, field: str, value: str
) -> None:
    failures = host.check(mailbox(**{field: value})).failures
    assert [f for f, _ in failures] == [field]
    reason = failures[0][1]
    assert len(reason) < ECHO_LIMIT + 150, len(reason)
    assert "\n" not in reason and "characters)" in reason


def test_item09_shown_escapes_control_characters_and_caps() -> None:
    assert shown("a\x1b[2Jb\n") == "'a\\x1b[2Jb\\n'"
    assert len(shown("y" * 10_000)) <= ECHO_LIMIT
    assert len(shown(["z" * 10_000])) <= ECHO_LIMIT


# -- 10. redaction: scoped to the operation, every form, any length, nothing mangled ---------


def test_item10_every_form_of_the_operations_secrets_is_redacted() -> None:
    key, pw = "k3y-abc", 'p"w\\é'
    basic = base64.b64encode(f":{key}".encode()).decode()
    escaped = json.dumps(pw)[1:-1]
    with scope(forms(key, [pw, "ab"])):
        text = quote(f"{key} {basic} {pw} {escaped} {json.dumps(pw, ensure_ascii=False)} ab")
    for secret in (key, basic, pw, escaped, "ab"):
        assert secret not in text
    assert text.count(REDACTED) == 6


def test_item10_redaction_is_scoped_and_never_process_wide() -> None:
    with scope(forms(None, ["mail"])):
        assert quote("bad password mail") == f"bad password {REDACTED}"
        assert quote("pw=mail;") == f"pw={REDACTED};"
        assert quote("This SMTP mailbox already exists") == "This SMTP mailbox already exists"
    assert quote("bad password mail") == "bad password mail"  # that operation is over
    assert not hasattr(redaction, "_SECRETS") and not hasattr(redaction, "register_secret")


def test_item10_our_own_words_are_never_mangled_through_the_host(
    host: ProviderHost, emulator: Emulator
) -> None:
    """A password ``mail``: the sentence keeps "mailbox alice@acme-mail.com" whole."""
    emulator.reset()
    inputs = host.check(mailbox(smtp_password="mail", imap_password="mail")).inputs
    emulator.connect(sender_email="alice@acme-mail.com")  # lemlist refuses a duplicate
    with pytest.raises(HostError) as err:
        host.create(inputs)
    message = err.value.message
    assert "Connecting the lemlist mailbox alice@acme-mail.com failed" in message
    assert "This SMTP mailbox already exists" in message
    assert REDACTED not in message


def test_item10_the_boundary_turns_a_foreign_exception_into_a_redacted_error() -> None:
    class Provider:
        _settings = type("S", (), {"api_keys": ("key-xyz",)})()
        secret_fields = ("smtp_password",)  # the client reads them as the provider's data

        @guarded("create")
        def create(self, props: dict[str, Any]) -> None:
            raise ValueError(f"boom {props['smtp_password']} key-xyz")

    with pytest.raises(Exception) as err:
        Provider().create({"smtp_password": "hunter2"})
    assert type(err.value).__name__ == "LemlistError"
    assert "hunter2" not in str(err.value) and "key-xyz" not in str(err.value)
    assert "ValueError" in str(err.value) and err.value.__cause__ is None
    assert "Secrets([" in repr(forms("key-xyz"))
    assert "key-xyz" not in repr(forms("key-xyz"))


# -- 12. the inventory's sender key rule: a full match ---------------------------------------


@pytest.mark.parametrize("key", ["alice\n", "alice\nbob", "\nalice", "Alice", "-alice"])
def test_item12_sender_keys_must_match_in_full(key: str) -> None:
    inv = build_inventory({key: {"sender_name": "A", "sender_email": "a@acme.com"}}, None)
    assert key not in inv.senders
    rendered = [p.render("s.yaml") for p in inv.problems]
    assert any("invalid key" in line for line in rendered), rendered
    assert all("\n" not in line for line in rendered), rendered


# -- 13. the private-host rule: explicit networks, every embedding ----------------------------


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::808:808",  # local-use NAT64
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:0:127.0.0.1",  # IPv4-translated
        "::ffff:169.254.169.254",  # IPv4-mapped
        "[::ffff:a9fe:a9fe]",
        "192.0.0.192",  # Oracle Cloud metadata (is_global says True on some Pythons)
        "100.100.100.200",  # Alibaba Cloud metadata
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "168.63.129.16",  # Azure WireServer
        "0.1.2.3",
        "::",
        "fe80::1%eth0",
        "ff02::1",
        "smtp\n.acme.com",
    ],
)
def test_item13_refused_through_the_hosts_check(address: str, host: ProviderHost) -> None:
    failures = host.check(mailbox(smtp_host=address)).failures
    assert [f for f, _ in failures] == ["smtp_host"], failures


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2606:4700::1"]
)
def test_item13_public_addresses_and_their_embeddings_are_accepted(address: str) -> None:
    assert host_problem(address) is None


# -- 5. Retry-After: anything unreadable is the default pause ---------------------------------


@pytest.mark.parametrize("raw", ["soon", "nan", "inf", "-1", "", None, "Tue, 99 Foo 20x"])
def test_item05_unreadable_retry_after_is_a_bounded_pause(raw: str | None) -> None:
    pause = Answer(429, "text/plain", b"", False, None, raw).retry_after_seconds()
    assert math.isfinite(pause) and 0.0 <= pause <= 60.0


# -- the configuration rule itself --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://api.lemlist.com/api",
        "http://127.0.0.1:8787/api",
        "http://localhost:8787/api/",
        "http://[::1]:8787/api",
    ],
)
def test_usable_api_urls_pass(url: str) -> None:
    assert check_api_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://lemlist.example.com/api",
        "https://api.lemlist.com:99999/api",
        "https://[::1/api",
        "https://api.lemlist.com/a pi",
        "https:///api",
        "https://user@api.lemlist.com/api",
    ],
)
def test_unusable_api_urls_are_refused(url: str) -> None:
    with pytest.raises(Exception, match="lemlist:apiUrl"):
        check_api_url(url)


def test_item02_a_redirect_is_reported_by_host_only_and_not_resent() -> None:
    """The client passes allow_redirects=False on every call (asserted on the wire in
    tests/test_faults.py with a trap server); here: a 3xx is reported, not retried."""
    from tests.test_client import make_client, response

    client, script, _ = make_client(
        [response(307, "", {"Location": "https://evil.example:8443/steal?k=1"})]
    )
    with pytest.raises(Exception) as err:
        client.connect({"smtp_password": "pw-123456"}, label="a@b.co")
    assert len(script.requests) == 1
    message = str(err.value)
    assert "'evil.example:8443'" in message and "steal" not in message and "k=1" not in message
    assert not isinstance(err.value, OutcomeUnknownError)


# -- beyond the issue: the next class of surprise ----------------------------------------------

ANSWERS = [
    # (status, body, content type, what disconnect does, what test does)
    (200, {"ok": True}, JSON_TYPE, True, "error"),
    (200, {"ok": False}, JSON_TYPE, "error", "error"),
    (200, {"ok": "true"}, JSON_TYPE, "error", "error"),
    (200, ["ok"], JSON_TYPE, "error", "error"),
    (200, {"smtp": {"success": True}, "imap": {"success": False, "error": "x"}}, JSON_TYPE,
     "error", "tested"),
    (200, {"smtp": {"success": "yes"}, "imap": {"success": True}}, JSON_TYPE, "error", "error"),
    (200, {"smtp": {"success": True}, "imap": {"success": True, "error": 5}}, JSON_TYPE,
     "error", "error"),
    (204, "", None, "error", "error"),
    (201, {"ok": True}, JSON_TYPE, "error", "error"),
    (404, "Email account not found", "text/plain", False, None),
    (404, "Email account not found.", "text/plain", "error", "error"),
    (404, "<html>Email account not found</html>", "text/html", "error", "error"),
    (404, "Not Found", "text/plain", "error", "error"),
    (301, "", None, "error", "error"),
]  # fmt: skip


@pytest.mark.parametrize(("status", "body", "ctype", "disconnect", "test"), ANSWERS)
def test_one_place_decides_what_an_answer_means(
    status: int, body: Any, ctype: str | None, disconnect: Any, test: Any
) -> None:
    from tests.test_client import make_client, response

    def reply() -> Any:
        text = json.dumps(body) if not isinstance(body, str) else body
        make = response(status, text, {"Content-Type": ctype} if ctype else {})
        return make

    client, _, _ = make_client([reply()], max_attempts=1)
    if disconnect == "error":
        with pytest.raises(LemlistError):
            client.disconnect("umx_1")
    else:
        assert client.disconnect("umx_1") is disconnect
    client, _, _ = make_client([reply()], max_attempts=1)
    if test == "error":
        with pytest.raises(LemlistError):
            client.verify("umx_1")
    elif test == "tested":
        assert client.verify("umx_1") == body
    else:
        assert client.verify("umx_1") is test


def test_json_sent_as_html_or_with_nan_is_not_trusted() -> None:
    from tests.test_client import make_client, response

    client, _, _ = make_client(
        [
            response(200, '{"ok": true}', {"Content-Type": "text/html"}),
            response(200, '{"ok": NaN}', {"Content-Type": JSON_TYPE}),
        ],
        max_attempts=2,
    )
    with pytest.raises(LemlistUnavailableError, match="after 2 attempts"):
        client.disconnect("umx_1")


@pytest.mark.parametrize("bad_id", ["../../team", "umx_1/test", "umx 1", "umx_1?x=1", "", "é"])
def test_an_id_that_would_change_the_url_is_refused_before_sending(bad_id: str) -> None:
    from tests.test_client import make_client

    client, script, _ = make_client([])
    with pytest.raises(LemlistError, match="before anything was sent"):
        client.disconnect(bad_id)
    assert script.requests == []


def test_a_body_trickling_in_counts_as_a_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy sending a byte at a time within each read timeout cannot hold an operation."""
    from lemlist_resource.lemlist import answers as answers_module

    now = [0.0]
    monkeypatch.setattr(answers_module.time, "monotonic", lambda: now[0])

    class Trickle:
        def stream(self, _size: int, decode_content: bool = True) -> Iterator[bytes]:
            for _ in range(100):
                now[0] += 1.0  # each byte within the read timeout, the whole body not
                yield b" "

        def close(self) -> None:
            pass

    resp = requests.Response()
    resp.status_code = 200
    resp.raw = Trickle()
    with pytest.raises(requests.exceptions.ReadTimeout):
        Answer.read(resp, budget=30.0)


def test_an_environment_proxy_never_carries_the_key_of_a_loopback_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with proxy(None) as trap, proxy(None) as target:
        target.queue(Canned(200, b'{"ok": true}', content_type=JSON_TYPE))
        monkeypatch.setenv("HTTP_PROXY", trap.url.removesuffix("/api"))
        monkeypatch.setenv("http_proxy", trap.url.removesuffix("/api"))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        assert LemlistClient(target.url, API_KEY).disconnect("umx_1") is True
        assert trap.received == [] and len(target.received) == 1


@pytest.mark.parametrize("raw", ["key-123\n", "  key-123 ", "\tkey-123"])
def test_a_key_pasted_with_a_newline_is_trimmed(raw: str) -> None:
    assert check_api_key(raw) == "key-123"


@pytest.mark.parametrize("raw", ["key 123", "key\n123", "key\x00123"])
def test_a_key_with_whitespace_inside_is_refused_without_echoing_it(raw: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        check_api_key(raw)
    assert "123" not in err.value.message and "lemlist:apiKey" in err.value.message
