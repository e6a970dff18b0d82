"""The lemwarm client reads lemlist's refusals in lemlist's words (its OpenAPI's 400s), against
the emulator: gone, the seat, the team's key, and a failed read that keeps state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.errors import LemlistAPIError, LemlistError
from lemlist_resource.warmup.client import LemwarmClient
from lemlist_resource.warmup.health import health_read
from tests.mailboxes import mailbox

KEY = "words-test-key-6c1d"
BAD_TEAM_KEY = "words-bad-team-key-0e4a"
UNKNOWN_ID = "usm_2mkqJNUjnJQiyVBht"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_keys={KEY: "team_1"}, bad_team_keys=(BAD_TEAM_KEY,), rate_limit=None) as e:
        yield e


def test_mailbox_deleted_and_invalid_usermailbox_mean_gone(emu: Emulator) -> None:
    client = LemwarmClient(emu.url, KEY)
    assert client.start(UNKNOWN_ID) is False  # 400 invalid-usermailbox
    mailbox_id = emu.connect(**mailbox())
    assert client.start(mailbox_id) is True
    assert emu.disconnect(mailbox_id)
    assert client.pause(mailbox_id) is False  # 400 mailbox-deleted


def test_billing_error_is_the_seat_sentence(emu: Emulator) -> None:
    mailbox_id = emu.connect(**mailbox())
    emu.set_lemwarm_seat(False)
    with pytest.raises(LemlistAPIError) as failure:
        LemwarmClient(emu.url, KEY).start(mailbox_id)
    assert '"billing-error"' in str(failure.value) and "lemwarm seat" in str(failure.value)


def test_bad_team_names_the_teams_key(emu: Emulator) -> None:
    client = LemwarmClient(emu.url, BAD_TEAM_KEY, key_hint="check team 'acme''s API key: …")
    with pytest.raises(LemlistAPIError) as failure:
        client.pause(UNKNOWN_ID)
    message = str(failure.value)
    assert '"Bad team"' in message and "no lemlist team" in message and "'acme'" in message
    assert BAD_TEAM_KEY not in message


def test_a_failed_read_keeps_state_and_says_why(emu: Emulator) -> None:
    with pytest.raises(LemlistError) as failure:
        LemwarmClient(emu.url, KEY).settings(UNKNOWN_ID)
    message = str(failure.value)
    assert '"Error retrieving settings"' in message and "not taken for gone" in message


def test_health_reads_lemlists_shape_only() -> None:
    example = {"activeAt": "2025-04-10T07:38:31.530Z",
               "deliverability": {"score": 70, "lastAt": "2025-04-09T13:34:43.998Z"}}  # fmt: skip
    assert health_read(example) == {
        "deliverability_score": 70,
        "deliverability_checked_at": "2025-04-09T13:34:43.998Z",
        "active_since": "2025-04-10T07:38:31.530Z",
    }
    for odd in ([], {"deliverability": {"score": True}}, {"deliverability": "70"}):
        assert set(health_read(odd).values()) == {None}
