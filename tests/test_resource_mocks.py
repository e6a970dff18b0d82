"""The EmailAccount resource under Pulumi's mocks: type, registered inputs, secrets, outputs."""

from __future__ import annotations

import base64
import dataclasses
import inspect
from typing import Any

import dill
import pulumi
import pytest
from pulumi.runtime import rpc

from lemlist_resource import EmailAccount, EmailAccountArgs, EmailAccountProvider
from lemlist_resource.email_account.schema import COMPUTED_OUTPUTS, FIELDS
from tests.mailboxes import mailbox

PASSWORDS = ("smtp-pass-0xA1", "imap-pass-0xB2")


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(args)
        outs = dict(args.inputs)
        outs.update(email=outs.get("sender_email"), provider="custom")
        return "umx_mock", outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@pytest.fixture
def mocks() -> Mocks:
    m = Mocks()
    pulumi.runtime.set_mocks(m, project="lemlist-senders", stack="test", preview=False)
    return m


def args(**overrides: Any) -> EmailAccountArgs:
    passwords = {"smtp_password": PASSWORDS[0], "imap_password": PASSWORDS[1]}
    return EmailAccountArgs(**mailbox(**{**passwords, **overrides}))


def test_the_args_and_outputs_are_the_schemas_fields() -> None:
    """One table (schema.FIELDS) describes a field: the args type and the resource's
    outputs must list exactly its fields (was an import-time assert in resource.py)."""
    names = {f.name for f in FIELDS}
    assert {f.name for f in dataclasses.fields(EmailAccountArgs)} == names
    outputs = set(inspect.get_annotations(EmailAccount))
    assert outputs == names | set(COMPUTED_OUTPUTS)


def secret_of(value: Any) -> bool:
    return bool(rpc.is_rpc_secret(value))


@pulumi.runtime.test
def test_type_token_and_inputs(mocks: Mocks) -> Any:
    account = EmailAccount("alice", args(user_id="usr_1"))

    def verify(_: Any) -> None:
        (reg,) = mocks.registered
        assert reg.typ == "pulumi-python:dynamic/lemlist:EmailAccount"
        assert reg.name == "alice"
        assert reg.inputs["smtp_port"] == 587 and reg.inputs["user_id"] == "usr_1"

    return account.id.apply(verify)


@pulumi.runtime.test
def test_passwords_are_secret_even_when_given_as_plain_strings(mocks: Mocks) -> Any:
    account = EmailAccount("alice", args())

    def verify(flags: list[Any]) -> None:
        (reg,) = mocks.registered
        for name, password in zip(("smtp_password", "imap_password"), PASSWORDS, strict=True):
            assert secret_of(reg.inputs[name]), f"{name} reached the engine unmarked"
            assert rpc.unwrap_rpc_secret(reg.inputs[name]) == password
        assert not secret_of(reg.inputs["sender_email"])
        assert flags[:2] == [True, True]

    return pulumi.Output.all(
        account.smtp_password.is_secret(), account.imap_password.is_secret(), account.id
    ).apply(verify)


@pulumi.runtime.test
def test_non_secret_outputs_stay_readable(mocks: Mocks) -> Any:
    account = EmailAccount("alice", args())
    return pulumi.Output.all(
        account.email, account.provider, account.email.is_secret(), account.sender_name
    ).apply(
        lambda r: r == ["alice@acme-mail.com", "custom", False, "Alice Martin"]
        or pytest.fail(str(r))
    )


@pulumi.runtime.test
def test_secret_input_outputs_propagate(mocks: Mocks) -> Any:
    account = EmailAccount("alice", args(smtp_password=pulumi.Output.secret("already-secret-0xC3")))
    flag = pulumi.Output.from_input(account.smtp_password.is_secret())
    return flag.apply(lambda s: s or pytest.fail("not secret"))


def test_additional_secret_outputs_cover_both_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def capture(self: Any, t: str, name: str, props: Any, opts: Any) -> None:
        seen.update(props=props, opts=opts)

    monkeypatch.setattr(pulumi.CustomResource, "__init__", capture)
    EmailAccount("alice", args(), pulumi.ResourceOptions(protect=True))
    opts = seen["opts"]
    assert set(opts.additional_secret_outputs) == {"smtp_password", "imap_password"}
    assert opts.protect is True
    assert isinstance(seen["props"]["smtp_password"], pulumi.Output)


def test_serialized_provider_is_a_small_reference_without_credentials() -> None:
    from pulumi.dynamic.dynamic import serialize_provider

    provider = EmailAccountProvider()
    provider._use_for_test = "x"  # type: ignore[attr-defined]  # state must never travel
    text = serialize_provider(provider)
    assert len(text) <= 100
    raw = base64.b64decode(text)
    assert b"lemlist_resource.provider" in raw and b"EmailAccountProvider" in raw
    assert b"_use_for_test" not in raw
    assert type(dill.loads(raw)) is EmailAccountProvider
    assert EmailAccountProvider.serialize_as_secret_always is False


def test_args_repr_hides_passwords() -> None:
    text = repr(args())
    assert PASSWORDS[0] not in text and PASSWORDS[1] not in text
    assert "alice@acme-mail.com" in text
