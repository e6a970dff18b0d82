"""A mailbox lemlist reports broken (ERROR, DISCONNECTED), through the real provider host and
the engine model: refresh keeps it and warns with lemlist's words, the next up looks again.

The provider answers such a Read as the engine's partial failure (``ErrorResourceInitFailed``,
lemlist_resource/host/hosthealth.py); tests/harness.py reads it as ``parseError`` does and
keeps the reasons as ``RefreshStep.Apply`` does. tests/e2e/test_month_in_the_life.py shows the
same under the real CLI.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY, assert_no_credentials, mailbox
from tests.harness import Engine, PartialFailure, ProviderHost

ALICE = {"alice": mailbox()}


@pytest.fixture
def fresh(engine: Engine, emulator: Emulator) -> tuple[Engine, Emulator, str]:
    """alice connected and healthy."""
    emulator.reset()
    engine.up(ALICE)
    return engine, emulator, engine.state["alice"].id


@pytest.mark.parametrize("status", ["ERROR", "DISCONNECTED"])
def test_refresh_keeps_a_broken_mailbox_and_warns_with_lemlists_words(
    fresh: tuple[Engine, Emulator, str], status: str
) -> None:
    engine, emulator, live = fresh
    emulator.set_status(live, status)
    assert engine.refresh() == {"alice": "unhealthy"}
    alice = engine.state["alice"]
    assert alice.id == live and alice.outputs["status"] == status
    assert alice.init_errors == [alice.outputs["status_message"]]
    (warning,) = engine.warnings["alice"]
    assert warning.startswith("Refreshed resource is in an unhealthy state:\n* ")
    assert f"lemlist reports this mailbox {status}" in warning
    assert engine.refresh_diffs["alice"].changes is False  # no input drift to show
    assert_no_credentials(warning)


def test_the_next_up_looks_again_and_fails_with_the_reason_while_broken(
    fresh: tuple[Engine, Emulator, str],
) -> None:
    engine, emulator, live = fresh
    emulator.set_status(live, "ERROR")
    engine.refresh()
    assert engine.preview(ALICE) == {"alice": "update"}  # nothing changed, but unhealthy
    with pytest.raises(PartialFailure) as still:
        engine.up(ALICE)
    assert "lemlist reports this mailbox ERROR" in still.value.message
    assert still.value.keeps_provider  # the engine keeps the detail's properties as outputs
    assert still.value.reasons == engine.state["alice"].init_errors
    assert engine.state["alice"].id == live and live in [a["id"] for a in emulator.accounts()]


def test_fixed_in_lemlist_the_next_up_clears_it(fresh: tuple[Engine, Emulator, str]) -> None:
    engine, emulator, live = fresh
    emulator.set_status(live, "ERROR")
    engine.refresh()
    emulator.set_status(live, "CONNECTED")
    assert engine.up(ALICE) == {"alice": "update"}
    alice = engine.state["alice"]
    assert alice.init_errors == [] and alice.outputs["status"] == "CONNECTED"
    assert alice.outputs.get("status_message") is None
    assert engine.preview(ALICE) == {"alice": "same"}


def test_fixed_in_lemlist_a_refresh_clears_it(fresh: tuple[Engine, Emulator, str]) -> None:
    engine, emulator, live = fresh
    emulator.set_status(live, "ERROR")
    engine.refresh()
    emulator.set_status(live, "CONNECTED")
    assert engine.refresh() == {"alice": "kept"}
    assert engine.state["alice"].init_errors == []
    assert engine.preview(ALICE) == {"alice": "same"}


def test_a_broken_mailbox_read_first_by_a_new_host_is_reported(
    fresh: tuple[Engine, Emulator, str],
    host_factory: Callable[..., ProviderHost],
    emulator: Emulator,
) -> None:
    """The host imports the provider inside its first call: a refresh's first call is a
    Read, and it must be reported as well (hosthealth marks the call in progress)."""
    engine, _, live = fresh
    emulator.set_status(live, "ERROR")
    first = Engine(host_factory({"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emulator.url}))
    first.state = dict(engine.state)
    assert first.refresh() == {"alice": "unhealthy"}
    assert first.host.calls[-2:] == ["Read", "Diff"]


def test_an_undocumented_status_is_an_output_only(fresh: tuple[Engine, Emulator, str]) -> None:
    """Only lemlist's own words for "does not send" are trusted as broken."""
    engine, emulator, live = fresh
    emulator.update_account(live, status="WARMING")
    assert engine.refresh() == {"alice": "kept"}
    assert "does not document" in engine.state["alice"].outputs["status_message"]
