"""Create is all or nothing: a failure at any point after lemlist returned an id is undone.

Once the connect POST returned an id, every way ``create`` can fail -- a failed check, a
LemlistError, or any other exception, at every step that follows the POST -- either
disconnects the mailbox again, or (when the disconnect fails too) raises an error that names
the id and the exact ``adopt_id`` line that adopts it. Each failure point is injected into the
real provider, in process, against the emulator (the host adds nothing here: its Create
hands the exception text to the engine, see test_provider_host.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from lemlist_emulator import Emulator
from lemlist_resource.email_account import creation, verify
from lemlist_resource.email_account import provider as provider_module
from lemlist_resource.email_account.client import LemlistClient
from lemlist_resource.email_account.provider import EmailAccountProvider
from lemlist_resource.errors import LemlistError, LemlistUnavailableError
from tests.conftest import API_KEY, assert_no_credentials, mailbox


class Boom(Exception):
    """An exception nobody expects (not a LemlistError)."""


def boom(*_args: Any, **_kwargs: Any) -> Any:
    raise Boom("injected")


#: How the call after the POST fails: a LemlistError or any other exception.
RAISES: dict[str, Callable[..., Any]] = {
    "LemlistError": lambda *a, **k: (_ for _ in ()).throw(
        LemlistUnavailableError("Testing failed: injected.")
    ),
    "KeyError": lambda *a, **k: {}["missing"],
    "Boom": boom,
}


class FaultyClient(LemlistClient):
    """The real client, with ``verify`` / ``disconnect`` replaced when a case says so."""

    verify_with: Callable[..., Any] | None = None
    disconnect_with: Callable[..., Any] | None = None

    def verify(self, account_id: str) -> dict[str, Any] | None:
        if FaultyClient.verify_with is not None:
            return FaultyClient.verify_with(account_id)  # type: ignore[no-any-return]
        return super().verify(account_id)

    def disconnect(self, account_id: str) -> bool:
        if FaultyClient.disconnect_with is not None:
            return FaultyClient.disconnect_with(account_id)  # type: ignore[no-any-return]
        return super().disconnect(account_id)


def point_outputs(mp: pytest.MonkeyPatch, how: Callable[..., Any]) -> None:
    mp.setattr(creation, "_new_outputs", how)


def point_verify_call(mp: pytest.MonkeyPatch, how: Callable[..., Any]) -> None:
    mp.setattr(FaultyClient, "verify_with", how)


def point_verify_body(mp: pytest.MonkeyPatch, how: Callable[..., Any]) -> None:
    # A body lemlist's contract does not describe: {"smtp": true}.
    mp.setattr(FaultyClient, "verify_with", lambda _id: {"smtp": True, "imap": True})


def point_verify_outputs(mp: pytest.MonkeyPatch, how: Callable[..., Any]) -> None:
    mp.setattr(verify, "verify_outputs", how)


def point_result(mp: pytest.MonkeyPatch, how: Callable[..., Any]) -> None:
    mp.setattr(creation, "CreateResult", how)


def point_verify_fails(mp: pytest.MonkeyPatch, how: Callable[..., Any]) -> None:
    failed = {"smtp": {"success": False, "error": "535 Authentication failed"}, "imap": {}}
    mp.setattr(FaultyClient, "verify_with", lambda _id: failed)


#: Every step of create after the POST, in order.
POINTS: dict[str, Callable[[pytest.MonkeyPatch, Callable[..., Any]], None]] = {
    "building the outputs": point_outputs,
    "the connectivity test call": point_verify_call,
    "an unknown test body": point_verify_body,
    "reading the test result": point_verify_outputs,
    "the create result": point_result,
    "a failed connectivity check": point_verify_fails,
}


@pytest.fixture
def provider(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmailAccountProvider]:
    emulator.reset()
    monkeypatch.setattr(provider_module, "LemlistClient", FaultyClient)
    monkeypatch.setattr(FaultyClient, "verify_with", None)
    monkeypatch.setattr(FaultyClient, "disconnect_with", None)
    prov = EmailAccountProvider()
    config = {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emulator.url}
    prov.configure(ConfigureRequest(Config(config, "atomic")))
    yield prov


def create(provider: EmailAccountProvider, **overrides: Any) -> Any:
    checked = provider.check({}, mailbox(**overrides))
    assert checked.failures == []
    return provider.create(checked.inputs)


@pytest.mark.parametrize("raises", list(RAISES), ids=list(RAISES))
@pytest.mark.parametrize("point", list(POINTS), ids=list(POINTS))
def test_a_failure_after_the_post_disconnects_again(
    point: str,
    raises: str,
    provider: EmailAccountProvider,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    POINTS[point](monkeypatch, RAISES[raises])
    with pytest.raises(LemlistError) as err:
        create(provider)
    message = err.value.message
    assert "was disconnected again" in message, message
    assert emulator.accounts() == [], "the mailbox connected before the failure is still there"
    assert_no_credentials(message)


@pytest.mark.parametrize("undo", ["LemlistError", "KeyError", "Boom"])
@pytest.mark.parametrize("point", list(POINTS), ids=list(POINTS))
def test_a_failed_undo_names_the_id_and_the_adopt_id_line(
    point: str,
    undo: str,
    provider: EmailAccountProvider,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    POINTS[point](monkeypatch, boom)
    monkeypatch.setattr(FaultyClient, "disconnect_with", RAISES[undo])
    with pytest.raises(LemlistError) as err:
        create(provider)
    message = err.value.message
    [account] = emulator.accounts()
    account_id = str(account["id"])
    assert f"may still be connected in lemlist as {account_id}" in message, message
    assert f'adopt_id="{account_id}"' in message
    assert f"`adopt_id: {account_id}` under the sender in stacks/Pulumi.<stack>.yaml" in message
    assert_no_credentials(message)

    # Doing what the message says adopts that very mailbox, without connecting another.
    monkeypatch.undo()
    monkeypatch.setattr(provider_module, "LemlistClient", FaultyClient)
    adopted = create(provider, adopt_id=account_id)
    assert adopted.id == account_id
    assert [a["id"] for a in emulator.accounts()] == [account_id]
    provider.delete(adopted.id, adopted.outs)
    assert emulator.accounts() == []


def test_an_undo_that_finds_the_mailbox_gone_still_reports_the_failure(
    provider: EmailAccountProvider, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_result(monkeypatch, boom)
    # Someone disconnected it meanwhile: lemlist answers 404, the client says False.
    monkeypatch.setattr(FaultyClient, "disconnect_with", lambda i: emulator.disconnect(i) and False)
    with pytest.raises(LemlistError, match="unexpected Boom"):
        create(provider)
    assert emulator.accounts() == []
