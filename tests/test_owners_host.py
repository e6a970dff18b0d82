"""One mailbox, one owner, refused by the provider host itself (issue 29, item 5).

Without the lint or the policy pack: the host serves every resource of a deployment, so the
second resource that adopts a mailbox another holds is refused, naming both.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest

from lemlist_emulator import Emulator
from tests.conftest import mailbox
from tests.harness import CheckFailed, Engine, HostError, ProviderHost

_hosts = count()


@pytest.fixture
def fresh(host_factory: Callable[..., ProviderHost], emulator: Emulator) -> Engine:
    """An engine on a host of its own: the host's lifetime is one deployment's."""
    emulator.reset()
    return Engine(host_factory(env={"LEMLIST_TEST_DEPLOYMENT": str(next(_hosts))}))


def _connected_in_ui(emulator: Emulator, address: str = "alice@acme-mail.com") -> str:
    fields = {k: v for k, v in mailbox(sender_email=address).items() if k != "sender_name"}
    return emulator.connect(sender_name="Alice Martin", **fields)


def test_two_resources_adopting_one_id_the_second_is_refused_in_check(
    fresh: Engine, emulator: Emulator
) -> None:
    ui = _connected_in_ui(emulator)
    program = {"alice": mailbox(adopt_id=ui), "bob": mailbox(adopt_id=ui)}
    with pytest.raises(CheckFailed) as failed:
        fresh.preview(program)
    [(field, reason)] = failed.value.failures
    assert field == "adopt_id"
    assert ui in reason and "'alice'" in reason and "'bob'" in reason
    assert "EmailAccount::alice" in reason and "EmailAccount::bob" in reason
    with pytest.raises(CheckFailed):
        fresh.up(program)
    assert [a["id"] for a in emulator.accounts()] == [ui]  # nothing else connected


def test_checking_one_resource_again_is_no_conflict_with_itself(
    fresh: Engine, emulator: Emulator
) -> None:
    ui = _connected_in_ui(emulator)
    program = {"alice": mailbox(adopt_id=ui)}
    assert fresh.preview(program) == {"alice": "create"}
    assert fresh.preview(program) == {"alice": "create"}
    assert fresh.up(program) == {"alice": "create"}
    assert fresh.up(program) == {"alice": "same"}
    assert fresh.state["alice"].id == ui


def test_adopting_by_address_a_mailbox_another_resource_holds_is_refused_in_create(
    fresh: Engine, emulator: Emulator
) -> None:
    fresh.up({"alice": mailbox()})
    held = fresh.state["alice"].id
    program = {"alice": mailbox(), "bob": mailbox(adopt=True)}
    with pytest.raises(HostError) as failed:
        fresh.up(program)
    message = failed.value.message
    assert held in message and "'alice'" in message and "'bob'" in message
    assert "Nothing was adopted or connected" in message
    assert "bob" not in fresh.state and fresh.state["alice"].id == held
    assert [a["id"] for a in emulator.accounts()] == [held]


def test_two_resources_adopting_one_address_the_second_is_refused_in_check(
    fresh: Engine, emulator: Emulator
) -> None:
    _connected_in_ui(emulator)
    program = {"alice": mailbox(adopt=True), "bob": mailbox(adopt=True)}
    with pytest.raises(CheckFailed) as failed:
        fresh.preview(program)
    [(field, reason)] = failed.value.failures
    assert field == "adopt" and "alice@acme-mail.com" in reason and "'bob'" in reason

