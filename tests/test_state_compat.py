"""Existing stacks keep working across the package's layout (issue 21): every resource's state
holds its provider pickled by reference to a module path, and the dynamic-provider host
imports that path on every operation. These are the exact ``__provider`` strings
``serialize_provider`` produced before the package was laid out by resource (commit
b6f6ebd, ``lemlist_resource/provider.py`` and ``lemlist_resource/warmup/provider.py``)."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from lemlist_emulator import Emulator
from lemlist_resource import EmailAccountProvider, WarmupProvider
from tests.conftest import API_KEY, assert_no_credentials, mailbox
from tests.harness import Engine, ProviderHost

#: ``lemlist_resource.provider.EmailAccountProvider``, as states written before the move hold it.
OLD_EMAIL_ACCOUNT = (
    "gASVOQAAAAAAAACMGWxlbWxpc3RfcmVzb3VyY2UucHJvdmlkZXKUjBRFbWFpbEFjY291bnRQcm92aWRlcpSTlClSlC4="
)
#: ``lemlist_resource.warmup.provider.WarmupProvider``, likewise.
OLD_WARMUP = (
    "gASVOgAAAAAAAACMIGxlbWxpc3RfcmVzb3VyY2Uud2FybXVwLnByb3ZpZGVylIwOV2FybXVwUHJvdmlkZXKUk5QpUpQu"
)


@pytest.fixture
def old_host(emulator: Emulator) -> Iterator[ProviderHost]:
    """A fresh host whose every call carries the old EmailAccount ``__provider``."""
    emulator.reset()
    host = ProviderHost(provider=OLD_EMAIL_ACCOUNT)
    try:
        config = {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emulator.url}
        host.configure(config, secret_keys=["lemlist:apiKey"])
        yield host
    finally:
        assert_no_credentials(host.close())


def test_the_old_strings_name_the_old_paths() -> None:
    """A check on the literals: they are references to the paths states hold."""
    assert b"lemlist_resource.provider\x94\x8c\x14EmailAccountProvider" in base64.b64decode(
        OLD_EMAIL_ACCOUNT
    )
    assert b"lemlist_resource.warmup.provider\x94\x8c\x0eWarmupProvider" in base64.b64decode(
        OLD_WARMUP
    )


def test_a_state_written_before_the_move_is_served_by_the_host(
    old_host: ProviderHost, emulator: Emulator
) -> None:
    """Create, refresh, update of the warm-up and destroy, every call carrying the old
    strings: the host imports the old paths and serves the real providers."""
    mailboxes = Engine(old_host)
    assert mailboxes.up({"alice": mailbox()}) == {"alice": "create"}
    account_id = mailboxes.state["alice"].id
    assert emulator.account(account_id) is not None
    assert mailboxes.refresh() == {"alice": "kept"}

    warmup_view = copy.copy(old_host)
    warmup_view.provider = OLD_WARMUP
    warmups = Engine(warmup_view)
    program = {"alice": {"mailbox_id": account_id, "warm_email_max": 20}}
    assert warmups.up(program) == {"alice": "create"}
    assert warmups.refresh() == {"alice": "kept"}
    warmups.destroy()
    mailboxes.destroy()
    assert emulator.account(account_id) is None


def test_new_states_serialize_by_reference_small_and_unchanged() -> None:
    """New states hold the same bytes as old ones: a reference under the old path (the
    class's ``__module__``), so an older version of the package still reads them."""
    email = serialize_provider(EmailAccountProvider())
    warmup = serialize_provider(WarmupProvider())
    assert (email, warmup) == (OLD_EMAIL_ACCOUNT, OLD_WARMUP)
    assert len(email) < 100 and len(warmup) < 100
    assert EmailAccountProvider.__module__ == "lemlist_resource.provider"
    import lemlist_resource.provider as old_path

    assert old_path.EmailAccountProvider is EmailAccountProvider
