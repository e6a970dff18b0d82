"""The backend's field rules as properties (no HTTP): lemlist's types, order and host rule."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lemlist_emulator import rules
from lemlist_emulator.model import Backend, LemlistRefusal, Principal, validate_fields

from .helpers import REQUIRED_FIELDS as REQUIRED
from .helpers import mailbox

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=5,
)


def refusal(fields: Any) -> str | None:
    try:
        validate_fields(fields)
    except LemlistRefusal as exc:
        assert exc.status == 400
        return exc.message
    return None


@given(st.sets(st.sampled_from(REQUIRED), min_size=1))
def test_any_missing_required_field_is_refused(removed: set[str]) -> None:
    assert refusal(mailbox(**dict.fromkeys(removed, ...))) == "Missing required fields"


@given(st.sampled_from(["smtp_port", "imap_port"]), json_values)
def test_ports_must_be_json_integers_in_range(field: str, value: Any) -> None:
    valid = type(value) is int and 1 <= value <= 65535
    assert refusal(mailbox(**{field: value})) == (None if valid else "Missing required fields")


@given(st.sampled_from(["smtp_secure", "imap_secure"]), json_values)
def test_secure_flags_must_be_booleans_when_present(field: str, value: Any) -> None:
    valid = value is None or isinstance(value, bool)
    assert refusal(mailbox(**{field: value})) == (None if valid else "Missing required fields")


@given(st.text(max_size=30))
def test_host_rule_is_the_emulators_own(host: str) -> None:
    expected = "Invalid host" if rules.host_refused(host) else None
    if host == "":
        expected = "Missing required fields"
    assert refusal(mailbox(imap_host=host)) == expected


def test_backend_without_members_has_no_default_user() -> None:
    backend = Backend(keys={"k": "solo"}, members={})
    principal = backend.authenticate("k")
    assert principal == Principal(principal.key_fingerprint, "solo")
    status, body = backend.connect("solo", mailbox())
    assert status == 201
    (account,) = backend.accounts()
    assert account["user_id"] is None and account["id"] == body["id"]
