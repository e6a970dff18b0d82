"""Property-based tests of ``check`` (and of ``validation.validate`` behind it).

Whatever a program sends — arbitrary values of arbitrary types, nested, secret-wrapped, values
not known yet during a preview — check answers: it never raises, every refusal names one
EmailAccount property and starts with that name, and no reason repeats a password. A valid
mailbox passes, check is a fixpoint (checking its own output changes nothing), and a diff of
it against itself shows no change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown
from pulumi.runtime import rpc

from lemlist_resource.echo import clip
from lemlist_resource.email_account.changes import plan_change
from lemlist_resource.email_account.provider import EmailAccountProvider, is_unknown
from lemlist_resource.email_account.schema import FIELDS, REPLACE_FIELDS, SECRET_FIELDS
from lemlist_resource.errors import LemlistError
from lemlist_resource.rules.validation import validate
from tests.conftest import mailbox

FIELD_NAMES = tuple(f.name for f in FIELDS)
PORT_FIELDS = tuple(f.name for f in FIELDS if f.kind == "port")
PASSWORD_MARK = "Pw!"  # every generated password starts with it; no reason template contains it
SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
provider = EmailAccountProvider()
# Check refuses a mailbox whose team has no key: give the default team one (never used here).
provider.configure(ConfigureRequest(Config({"lemlist:apiKey": "props-key-0b1c"}, "props")))


# -- strategies ------------------------------------------------------------------------------

TRICKY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\t\n",
        "0",
        "587",
        " 993 ",
        "65536",
        "-1",
        "1e3",
        "587.0",
        "true",
        " FALSE ",
        "yes",
        "smtp.gmail.com",
        "IMAP.GoogleMail.com.",
        "localhost",
        "127.1",
        "0x7f000001",
        "2130706433",
        "[::1]",
        "::ffff:10.0.0.1",
        "169.254.169.254",
        "metadata.google.internal",
        "smtp.acme-mail.com",
        "a@b.co",
        "²",
        "٣",
        "not-an-address",
        "usr_member",
        rpc.UNKNOWN,
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | TRICKY_TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
PASSWORDS = st.text(min_size=1, max_size=30).map(lambda s: PASSWORD_MARK + s)
KEYS = st.sampled_from(FIELD_NAMES) | st.text(max_size=12)


def unknown() -> Any:
    """A value Pulumi does not know yet, as check receives it during a preview."""
    return Unknown()  # type: ignore[no-untyped-call]


def wrapped(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Values as the engine may hand them over: plain, secret-wrapped, or not known yet."""
    return values | values.map(lambda v: {**rpc_secret_sig(), "value": v}) | st.builds(unknown)


def rpc_secret_sig() -> dict[str, str]:
    return {rpc._special_sig_key: rpc._special_secret_sig}


ARBITRARY = st.dictionaries(KEYS, wrapped(VALUES | PASSWORDS), max_size=18)


@st.composite
def valid_mailboxes(draw: st.DrawFn) -> dict[str, Any]:
    """Mailboxes lemlist accepts, in every spelling a program may use."""
    name = draw(st.from_regex(r"[a-z][a-z0-9.]{0,12}", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]\.(com|io|fr|net)", fullmatch=True))
    address = f"{name}@{domain}"
    port = st.integers(1, 65535)
    spelled_port = port | port.map(float) | port.map(str) | port.map(lambda p: f" {p} ")
    flag = st.booleans() | st.sampled_from(["true", "false", " TRUE ", "False"])
    text = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")
    values: dict[str, Any] = {
        "sender_name": draw(text),
        "sender_email": draw(st.sampled_from([address, f" {address} ", address.upper()])),
        "smtp_host": f"{draw(st.sampled_from(['smtp', 'mail', 'out']))}.{domain}",
        "smtp_port": draw(spelled_port),
        "smtp_login": draw(st.sampled_from([address, name])),
        "smtp_password": draw(PASSWORDS),
        "imap_host": f"{draw(st.sampled_from(['imap', 'mail', 'in']))}.{domain}",
        "imap_port": draw(spelled_port),
        "imap_login": draw(st.sampled_from([address, name])),
        "imap_password": draw(PASSWORDS),
    }
    for optional in ("smtp_secure", "imap_secure", "verify_connection"):
        if draw(st.booleans()):
            values[optional] = draw(flag)
    if draw(st.booleans()):
        values["user_id"] = draw(st.sampled_from(["usr_owner", "usr_member"]))
    return values


@st.composite
def mutated_mailboxes(draw: st.DrawFn) -> dict[str, Any]:
    """A valid mailbox with some fields replaced by anything, or removed."""
    values = draw(valid_mailboxes())
    for name in draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=5, unique=True)):
        if draw(st.booleans()):
            values[name] = draw(TRICKY_TEXT | wrapped(VALUES | PASSWORDS))
        else:
            values.pop(name, None)
    return values


# -- regressions -----------------------------------------------------------------------------


def _unwrap(value: Any) -> Any:
    return value.get("value") if rpc.is_rpc_secret(value) else value


@pytest.mark.parametrize("port", ["²", "①", "1" * 5000], ids=["superscript", "circled", "huge"])
def test_check_refuses_odd_digit_ports(port: str) -> None:
    """Found by the properties below: str.isdigit() text that int() refuses crashed check."""
    result = provider.check({}, mailbox(smtp_port=port))
    assert [f.property for f in result.failures] == ["smtp_port"]


# -- properties ------------------------------------------------------------------------------


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a value (the program put them there, a reason may quote them)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def assert_well_formed(news: Mapping[str, Any], failures: list[tuple[str, str]]) -> None:
    """Every refusal names one known property, first; none repeats a password."""
    named = [prop for prop, _ in failures]
    assert len(named) == len(set(named)), f"a property refused twice: {named}"
    passwords = [_unwrap(news.get(name)) for name in SECRET_FIELDS]
    others = [t for k, v in news.items() if k not in SECRET_FIELDS for t in strings_in(v)]
    others += [clip(t) for t in others]  # as echoed: control characters escaped
    for prop, reason in failures:
        assert prop in FIELD_NAMES, f"refusal of an unknown property {prop!r}"
        assert reason.startswith(prop + " "), f"reason does not start with {prop!r}: {reason}"
        for password in passwords:
            marked = isinstance(password, str) and password.startswith(PASSWORD_MARK)
            if marked and not any(password in text for text in others):
                assert password not in reason, f"a password leaked into the reason of {prop}"


@SETTINGS
@given(ARBITRARY)
def test_check_never_raises_on_arbitrary_input(news: dict[str, Any]) -> None:
    result = provider.check({}, news)
    failures = [(f.property, f.reason) for f in result.failures]
    assert_well_formed(news, failures)
    assert isinstance(result.inputs, dict)


@SETTINGS
@given(mutated_mailboxes())
def test_check_names_the_property_of_every_refusal(news: dict[str, Any]) -> None:
    result = provider.check({}, news)
    failures = [(f.property, f.reason) for f in result.failures]
    assert_well_formed(news, failures)
    # validate(), which the offline lint shares, agrees with check on plain inputs.
    plain = {k: _unwrap(v) for k, v in news.items()}
    _, direct = validate(plain, is_unknown=lambda v: isinstance(v, Unknown) or v == rpc.UNKNOWN)
    # (check also refuses a team the configuration does not serve; validate knows no config)
    offline = [p for p, r in failures if not (p == "team" and "configured" in r)]
    assert sorted(f.field for f in direct) == sorted(offline)
    # ...and keeps field and reason apart: check's message is the two joined.
    assert [f.message for f in direct] == [f"{f.field} {f.reason}" for f in direct]
    assert not any(f.reason.startswith(f.field + " ") for f in direct)


@SETTINGS
@given(valid_mailboxes())
def test_a_valid_mailbox_passes_and_check_is_a_fixpoint(news: dict[str, Any]) -> None:
    first = provider.check({}, news)
    assert first.failures == []
    inputs = first.inputs
    assert isinstance(inputs["smtp_port"], int) and isinstance(inputs["imap_port"], int)
    assert all(isinstance(inputs[f], bool) for f in ("smtp_secure", "imap_secure"))
    again = provider.check(inputs, inputs)
    assert again.failures == [] and again.inputs == inputs
    outputs = {**inputs, "email": inputs["sender_email"], "provider": "custom"}
    diff = provider.diff("umx_x", outputs, inputs)
    assert diff.changes is False and diff.replaces == []


@SETTINGS
@given(
    valid_mailboxes(),
    st.lists(st.sampled_from(FIELD_NAMES), min_size=1, unique=True),
    st.sampled_from(["unknown", "wire"]),
)
def test_a_value_not_known_yet_is_never_refused(
    news: dict[str, Any], unknown_fields: list[str], spelling: str
) -> None:
    for name in unknown_fields:
        news[name] = unknown() if spelling == "unknown" else rpc.UNKNOWN
    assert provider.check({}, news).failures == []


@SETTINGS
@given(mutated_mailboxes(), st.sampled_from(FIELD_NAMES))
def test_an_unknown_field_is_never_the_refused_one(news: dict[str, Any], name: str) -> None:
    news[name] = unknown()
    refused = [f.property for f in provider.check({}, news).failures]
    assert name not in refused


def _known_replacement_of_an_adopted_mailbox(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """The one case diff stops on: adopt (or this mailbox's adopt_id) with a known replacement."""
    wanted = {k: _unwrap(v) for k, v in news.items()}
    adopting = wanted.get("adopt") is True or wanted.get("adopt_id") == "umx_x"
    change = plan_change({k: _unwrap(v) for k, v in olds.items()}, wanted, is_unknown)
    return adopting and any(not is_unknown(wanted.get(name)) for name in change.replaces)


@SETTINGS
@given(ARBITRARY, ARBITRARY)
@example(olds={}, news={"sender_name": unknown(), "adopt": True})
def test_diff_never_raises_and_replaces_only_replacing_fields(
    olds: dict[str, Any], news: dict[str, Any]
) -> None:
    try:
        diff = provider.diff("umx_x", olds, news)
    except LemlistError:
        assert _known_replacement_of_an_adopted_mailbox(olds, news)
        return
    assert set(diff.replaces or []) <= set(REPLACE_FIELDS)
    assert bool(diff.replaces) <= bool(diff.changes)


@pytest.mark.parametrize("marker", [{"adopt": True}, {"adopt_id": "umx_x"}])
def test_an_unknown_value_is_not_a_known_replacement(marker: dict[str, Any]) -> None:
    """Found by Hypothesis: a value not known yet beside adopt made the preview stop."""
    diff = provider.diff("umx_x", {}, {"sender_name": unknown(), **marker})
    assert diff.changes is True and diff.replaces == ["sender_name"]
    wire = provider.diff("umx_x", {"sender_name": "A"}, {"sender_name": rpc.UNKNOWN, **marker})
    assert wire.replaces == ["sender_name"]
    # ...while a known replacement still stops, naming the field.
    with pytest.raises(LemlistError, match="sender_name"):
        provider.diff("umx_x", {"sender_name": "A"}, {"sender_name": "B", **marker})


DIGITISH = st.text(
    alphabet=st.characters(categories=("Nd", "No", "Nl", "Zs", "Pd", "Po")), max_size=8
)


@SETTINGS
@given(valid_mailboxes(), st.sampled_from(PORT_FIELDS), DIGITISH | st.text(max_size=8))
def test_any_text_in_a_port_is_a_port_or_a_refusal_of_that_port(
    news: dict[str, Any], name: str, text: str
) -> None:
    news[name] = text
    result = provider.check({}, news)
    refused = [f.property for f in result.failures]
    if refused:
        assert refused == [name]
    else:
        assert isinstance(result.inputs[name], int) and 1 <= result.inputs[name] <= 65535


def test_port_refusal_never_echoes_a_whole_blob() -> None:
    from lemlist_resource.echo import ECHO_LIMIT
    from lemlist_resource.rules.validation import normalize_port

    port, reason = normalize_port("9" * 5000)
    assert port is None and reason is not None
    assert "whole number" in reason and len(reason) < 60 + ECHO_LIMIT
