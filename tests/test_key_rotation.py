"""A rotated API key (issue 25, item 1), through the real provider host.

On ``refresh`` and ``destroy`` the engine configures the provider from the inputs of the
provider resource saved in the state by the last ``up`` (the stack config as it was then),
unless the program runs (``--run-program``, which scripts/pulumi adds: see
tests/e2e/test_key_rotation_cli.py for the real CLI). So a 401 names where the refused key
came from, never the key: the environment variable, the stack config as set now, or the
stack config as the engine passed it (possibly the state's copy), and how to apply a new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.config.names import CURRENT_CONFIG_ENV, KEY_CONFIG, KEY_ENV
from lemlist_resource.config.settings import resolve
from tests.harness import HostError, ProviderHost
from tests.mailboxes import IMAP_PASSWORD, SMTP_PASSWORD, mailbox

OLD_KEY, NEW_KEY = "old-key-7c1d2e", "new-key-9a4b3f"
SECRETS = (OLD_KEY, NEW_KEY, SMTP_PASSWORD, IMAP_PASSWORD)


@pytest.fixture
def rotated() -> Iterator[tuple[Emulator, str, dict[str, Any]]]:
    """A mailbox connected with OLD_KEY, then the key regenerated in lemlist (OLD_KEY now
    answers 401): the emulator, the mailbox's id and its outputs."""
    with Emulator(api_keys={OLD_KEY: "team_1"}) as emu:
        host = ProviderHost()
        try:
            host.configure({KEY_CONFIG: OLD_KEY, "lemlist:apiUrl": emu.url}, [KEY_CONFIG])
            inputs = host.check(mailbox()).inputs
            id_, outputs = host.create(inputs)
        finally:
            host.close()
        assert emu.rotate_key(OLD_KEY, NEW_KEY) == "team_1"
        yield emu, id_, outputs


def refused(
    emu: Emulator, id_: str, outputs: dict[str, Any], config: dict[str, str], **env: str
) -> str:
    """What refresh (Read) and destroy (Delete) say with this configuration; both must fail."""
    host = ProviderHost(env=env)
    messages = []
    try:
        host.configure({"lemlist:apiUrl": emu.url, **config}, [KEY_CONFIG])
        for call in (lambda: host.read(id_, outputs, outputs), lambda: host.delete(id_, outputs)):
            with pytest.raises(HostError) as caught:
                call()
            messages.append(caught.value.message)
    finally:
        host.close()
    text = "\n".join(messages)
    assert "HTTP 401" in text
    assert not [s for s in SECRETS if s in text], "a credential leaked into the message"
    return text


def test_the_states_copy_of_the_config_key_is_named_with_how_to_apply_the_new_one(
    rotated: tuple[Emulator, str, dict[str, Any]],
) -> None:
    emu, id_, outputs = rotated
    text = refused(emu, id_, outputs, {KEY_CONFIG: OLD_KEY})  # what the state holds
    assert f"the key came from the stack config {KEY_CONFIG} as the engine passed it" in text
    assert "the copy saved in the state by the last `up`" in text
    assert "`--run-program`" in text and f"pulumi config set --secret {KEY_CONFIG}" in text


def test_a_config_key_from_a_run_program_command_is_the_current_one(
    rotated: tuple[Emulator, str, dict[str, Any]],
) -> None:
    emu, id_, outputs = rotated
    text = refused(emu, id_, outputs, {KEY_CONFIG: OLD_KEY}, **{CURRENT_CONFIG_ENV: "1"})
    assert f"the key came from the stack config {KEY_CONFIG}, as set now" in text
    assert "state" not in text


def test_an_environment_key_is_named_as_such(
    rotated: tuple[Emulator, str, dict[str, Any]],
) -> None:
    emu, id_, outputs = rotated
    text = refused(emu, id_, outputs, {}, **{KEY_ENV: OLD_KEY})
    assert f"the key came from the {KEY_ENV} environment variable" in text
    assert "state" not in text


def test_the_new_key_refreshes_and_destroys_without_an_up(
    rotated: tuple[Emulator, str, dict[str, Any]],
) -> None:
    """What --run-program gives the provider: the stack config as set now."""
    emu, id_, outputs = rotated
    host = ProviderHost(env={CURRENT_CONFIG_ENV: "1"})
    try:
        host.configure({KEY_CONFIG: NEW_KEY, "lemlist:apiUrl": emu.url}, [KEY_CONFIG])
        assert host.read(id_, outputs, outputs)[0] == id_
        host.delete(id_, outputs)
    finally:
        host.close()
    assert emu.accounts() == []


def test_the_key_source_is_resolved_without_the_key() -> None:
    config = {KEY_CONFIG: OLD_KEY}
    from_config = resolve(config.get, {KEY_ENV: NEW_KEY})
    assert (from_config.api_key, from_config.key_source, from_config.current) == (
        OLD_KEY, "config", False
    )
    from_env = resolve({}.get, {KEY_ENV: NEW_KEY, CURRENT_CONFIG_ENV: "1"})
    assert (from_env.api_key, from_env.key_source, from_env.current) == (NEW_KEY, "env", True)
    assert resolve({}.get, {}).key_source is None
    assert OLD_KEY not in repr(from_config)
    assert "stack config lemlist:teams.acme.apiKey" in from_config.refused_key_hint("acme")


def test_the_emulator_revokes_a_rotated_key_until_reset() -> None:
    with Emulator(api_keys={OLD_KEY: "team_1"}) as emu:
        emu.rotate_key(OLD_KEY, NEW_KEY)
        with pytest.raises(KeyError):
            emu.rotate_key(OLD_KEY, "x")
        emu.reset()
        assert emu.rotate_key(OLD_KEY, NEW_KEY) == "team_1"
