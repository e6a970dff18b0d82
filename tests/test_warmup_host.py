"""The Warmup resource through the real provider host against the emulator: create with
settings, in-place updates without a disconnect, drift on refresh restored by up, destroy
pauses, a billing refusal keeps state, a gone mailbox, replacement of the mailbox."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto

from lemlist_emulator import Emulator
from lemlist_emulator.faults import Fault
from lemlist_resource import WarmupProvider
from tests.conftest import API_KEY, assert_no_credentials, mailbox
from tests.harness import UNKNOWN, CheckFailed, Engine, HostError, ProviderHost

WARMUP_PROVIDER = serialize_provider(WarmupProvider())
SETTINGS = {"warm_email_max": 20, "warm_email_rampup": 2, "answer_percentage": 35}


def warmup_host(host: ProviderHost) -> ProviderHost:
    """The same host process, sending the Warmup provider as ``__provider`` (the host loads
    each provider from the request, as it does for a program with both resources)."""
    view = copy.copy(host)
    view.provider = WARMUP_PROVIDER
    return view


class Stack:
    """A program with one mailbox and its warm-up: two engines on one host, in order."""

    def __init__(self, host: ProviderHost, emulator: Emulator) -> None:
        self.mailboxes = Engine(host)
        self.warmups = Engine(warmup_host(host))
        self.emulator = emulator

    def up(self, account: dict[str, Any] | None = None, **warmup: Any) -> dict[str, str]:
        done = self.mailboxes.up({"alice": account or mailbox()})
        program = {"alice": {"mailbox_id": self.mailbox_id, **warmup}}
        done.update({f"warmup:{k}": v for k, v in self.warmups.up(program).items()})
        return done

    @property
    def mailbox_id(self) -> str:
        return self.mailboxes.state["alice"].id

    def lemwarm(self) -> dict[str, Any]:
        account = self.emulator.account(self.mailbox_id)
        assert account is not None
        return {"active": account["lemwarm_active"], **account.get("lemwarm_settings", {})}

    def connects(self) -> int:
        return self.emulator.count(method="POST", path="/user/email-accounts", status=201)


@pytest.fixture
def stack(host: ProviderHost, emulator: Emulator) -> Stack:
    return Stack(host, emulator)


def test_creating_a_mailbox_with_warmup_starts_it_with_the_declared_settings(
    stack: Stack,
) -> None:
    assert stack.up(**SETTINGS) == {"alice": "create", "warmup:alice": "create"}
    assert stack.lemwarm() == {
        "active": True,
        "warmEmailMax": 20,
        "warmEmailRampup": 2,
        "answerPercentage": 35,
    }
    outs = stack.warmups.state["alice"].outputs
    assert stack.warmups.state["alice"].id == stack.mailbox_id
    assert (outs["enabled"], outs["warm_email_max"], outs.get("plain_text")) == (True, 20, None)


def test_changing_a_setting_is_an_in_place_update_without_a_disconnect(stack: Stack) -> None:
    stack.up(**SETTINGS)
    stack.emulator.clear_log()
    changed = {**SETTINGS, "warm_email_max": 30, "plain_text": True}
    assert stack.up(**changed) == {"alice": "same", "warmup:alice": "update"}
    assert stack.lemwarm()["warmEmailMax"] == 30
    assert stack.lemwarm()["warmUsePlaintext"] is True
    patches = [r for r in stack.emulator.request_log() if r.method == "PATCH"]
    assert len(patches) == 1  # only what changed, in one PATCH
    assert stack.emulator.count(method="DELETE") == 0 and stack.connects() == 0


def test_enabled_false_pauses_and_true_starts_again(stack: Stack) -> None:
    stack.up(**SETTINGS)
    assert stack.up(**SETTINGS, enabled=False)["warmup:alice"] == "update"
    assert stack.lemwarm()["active"] is False
    assert stack.up(**SETTINGS)["warmup:alice"] == "update"
    assert stack.lemwarm()["active"] is True


def test_refresh_shows_lemwarms_deliverability_score(stack: Stack) -> None:
    stack.up(**SETTINGS)
    assert stack.warmups.refresh() == {"alice": "kept"}
    unread = stack.warmups.state["alice"].outputs
    assert unread.get("deliverability_score") is None  # lemwarm has not measured it yet
    assert isinstance(unread.get("active_since"), str)  # set by the start
    stack.emulator.set_lemwarm(
        stack.mailbox_id,
        activeAt="2025-04-10T07:38:31.530Z",
        deliverability={"score": 70, "lastAt": "2025-04-09T13:34:43.998Z"},
    )
    assert stack.warmups.refresh() == {"alice": "kept"}
    outs = stack.warmups.state["alice"].outputs
    assert outs["deliverability_score"] == 70
    assert outs["deliverability_checked_at"] == "2025-04-09T13:34:43.998Z"
    assert outs["active_since"] == "2025-04-10T07:38:31.530Z"
    assert stack.up(**SETTINGS)["warmup:alice"] == "same"  # read-only: no drift
    stack.emulator.set_lemwarm(stack.mailbox_id, deliverability={"score": "high"})
    stack.warmups.refresh()
    assert stack.warmups.state["alice"].outputs.get("deliverability_score") is None


def test_a_setting_changed_in_lemlist_shows_as_drift_and_up_restores_it(stack: Stack) -> None:
    stack.up(**SETTINGS)
    stack.emulator.set_lemwarm(stack.mailbox_id, warmEmailMax=37, warmUsePlaintext=True)
    assert stack.warmups.refresh() == {"alice": "kept"}
    refreshed = stack.warmups.state["alice"]
    assert refreshed.outputs["warm_email_max"] == 37  # drift, as `pulumi refresh` shows it
    assert refreshed.outputs["plain_text"] is True  # undeclared: shown, not managed
    assert refreshed.inputs["warm_email_max"] == 37
    assert stack.warmups.preview({"alice": {"mailbox_id": stack.mailbox_id, **SETTINGS}}) == {
        "alice": "update"
    }
    assert stack.up(**SETTINGS)["warmup:alice"] == "update"
    assert stack.lemwarm()["warmEmailMax"] == 20
    assert stack.lemwarm()["warmUsePlaintext"] is True  # lemlist keeps what is not declared
    stack.warmups.refresh()
    assert stack.up(**SETTINGS)["warmup:alice"] == "same"


def test_destroy_pauses_and_lemlist_keeps_the_settings(stack: Stack) -> None:
    stack.up(**SETTINGS)
    stack.warmups.destroy()
    assert stack.lemwarm() == {
        "active": False,
        "warmEmailMax": 20,
        "warmEmailRampup": 2,
        "answerPercentage": 35,
    }
    assert len(stack.emulator.accounts()) == 1  # the mailbox itself stays connected


def test_a_billing_refusal_is_a_clear_error_that_keeps_state(stack: Stack) -> None:
    stack.up(**SETTINGS, enabled=False)
    before = copy.deepcopy(stack.warmups.state)
    stack.emulator.set_lemwarm_seat(False)
    with pytest.raises(HostError) as failure:
        stack.up(**SETTINGS)
    message = failure.value.message
    assert 'HTTP 400 "billing-error"' in message and "lemwarm needs a seat" in message
    assert "enabled: false" in message and "state is unchanged" in message
    assert_no_credentials(message)
    assert stack.warmups.state == before  # the failed update recorded nothing
    assert stack.lemwarm()["active"] is False
    stack.emulator.set_lemwarm_seat(True)
    assert stack.up(**SETTINGS)["warmup:alice"] == "update"
    assert stack.lemwarm()["active"] is True


def test_a_billing_refusal_on_create_records_nothing(stack: Stack) -> None:
    stack.emulator.set_lemwarm_seat(False)
    with pytest.raises(HostError, match="lemwarm needs a seat"):
        stack.up(**SETTINGS)
    assert "alice" not in stack.warmups.state


def test_ranges_are_refused_at_preview_before_any_call(stack: Stack) -> None:
    stack.mailboxes.up({"alice": mailbox()})
    stack.emulator.clear_log()
    program = {"mailbox_id": stack.mailbox_id, "warm_email_max": 41, "answer_percentage": -1}
    with pytest.raises(CheckFailed) as failure:
        stack.warmups.preview({"alice": {**program, "plain_text": "sometimes"}})
    fields = {name: reason for name, reason in failure.value.failures}
    assert set(fields) == {"warm_email_max", "answer_percentage", "plain_text"}
    assert "from 1 to 40" in fields["warm_email_max"] and "41" in fields["warm_email_max"]
    assert stack.emulator.request_log() == []
    with pytest.raises(CheckFailed, match="mailbox_id"):
        stack.warmups.preview({"alice": {"mailbox_id": "usm/../x"}})


def test_any_mailbox_id_shape_is_accepted(stack: Stack) -> None:
    outcome = stack.warmups.host.check({"mailbox_id": "usm_2mkqJNUjnJQiyVBht"})
    assert outcome.failures == [] and outcome.inputs["enabled"] is True


def test_a_preview_of_a_new_mailbox_plans_its_warmup_with_unknown_values(stack: Stack) -> None:
    """Before the mailbox exists its id is unknown: check passes it through unjudged, and a
    warm-up whose mailbox is being replaced plans a replacement."""
    outcome = stack.warmups.host.check({"mailbox_id": UNKNOWN, "warm_email_max": UNKNOWN})
    assert outcome.failures == []
    stack.up(**SETTINGS)
    old = stack.warmups.state["alice"]
    planned = stack.warmups.host.diff(old.id, old.outputs, {**old.inputs, "mailbox_id": UNKNOWN})
    assert planned.replaces == ["mailbox_id"]
    # ...and the preview says why: [diff: ~mailbox_id], the mailbox it follows.
    assert planned.diffs == ["mailbox_id"]
    assert planned.detailed == {"mailbox_id": proto.PropertyDiff.UPDATE_REPLACE}


def test_a_mailbox_disconnected_first_leaves_a_warmup_that_is_gone(stack: Stack) -> None:
    stack.up(**SETTINGS)
    assert stack.emulator.disconnect(stack.mailbox_id)
    before = copy.deepcopy(stack.warmups.state)
    with pytest.raises(HostError) as failure:  # lemlist's GET settings word: not "gone"
        stack.warmups.refresh()
    assert '"Error retrieving settings"' in failure.value.message
    assert "not taken for gone" in failure.value.message and "`pulumi up`" in failure.value.message
    assert stack.warmups.state == before
    assert stack.mailboxes.refresh() == {"alice": "deleted"}
    stack.up(**SETTINGS)  # reconnected; the old warm-up's pause answers mailbox-deleted: gone
    assert stack.lemwarm()["active"] is True
    stack.mailboxes.destroy()  # destroyed out of order: the mailbox first
    stack.warmups.destroy()  # pausing a deleted mailbox's warm-up: mailbox-deleted, done
    assert stack.emulator.accounts() == []


def test_a_404_that_is_not_lemlists_words_keeps_state(stack: Stack) -> None:
    stack.up(**SETTINGS)
    stack.emulator.inject(Fault("status", status=404, path="/lemwarm/"))
    with pytest.raises(HostError) as failure:
        stack.warmups.refresh()
    assert "not taken for gone" in failure.value.message
    assert "alice" in stack.warmups.state


def test_replacing_the_mailbox_reapplies_its_warmup(stack: Stack) -> None:
    stack.up(**SETTINGS)
    old_id = stack.mailbox_id
    done = stack.up(mailbox(smtp_host="smtp2.acme-mail.com"), **SETTINGS)
    assert stack.mailbox_id != old_id
    assert done["alice"] in ("replace", "delete-replace") and done["warmup:alice"] == "replace"
    assert stack.lemwarm() == {
        "active": True,
        "warmEmailMax": 20,
        "warmEmailRampup": 2,
        "answerPercentage": 35,
    }
    assert stack.emulator.account(old_id) is None


def test_the_serialized_provider_is_a_reference_without_keys() -> None:
    assert len(WARMUP_PROVIDER) < 200
    assert API_KEY not in WARMUP_PROVIDER
    assert repr(WarmupProvider()) == "WarmupProvider()"


def test_a_warmup_of_a_mailbox_lemlist_does_not_know_fails_in_lemlists_words(
    stack: Stack,
) -> None:
    with pytest.raises(HostError) as failure:
        stack.warmups.up({"ghost": {"mailbox_id": "usm_2mkqJNUjnJQiyVBht"}})
    assert "invalid-usermailbox" in failure.value.message
    assert "Check mailbox_id" in failure.value.message
    assert "ghost" not in stack.warmups.state
