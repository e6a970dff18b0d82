"""What DNS answers goes through the one echo rule (issue 29): escaped and cut, never raw,
also where pyspf's own reason quotes a term of the record (issue 28)."""

from __future__ import annotations

from lemlist_resource.deliverability import Answer, Outcome
from lemlist_resource.deliverability.spf import spf_findings
from lemlist_resource.echo import ECHO_LIMIT

HOSTILE = "\x1b[31mred\x07" + "x" * 500


class _Zone:
    """A lookup answering from a dict (name, type) → TXT records; anything else: no name."""

    def __init__(self, records: dict[tuple[str, str], list[str]]) -> None:
        self.records = records

    def query(self, name: str, rdtype: str) -> Answer:
        found = self.records.get((name.lower().rstrip("."), rdtype))
        if found is None:
            return Answer(name, rdtype, Outcome.NXDOMAIN)
        return Answer(name, rdtype, Outcome.FOUND, tuple(found))


def _messages(record: str) -> list[str]:
    zone = _Zone({("echo.test", "TXT"): [record]})
    return [f.message for f in spf_findings(zone, "echo.test", {})]  # type: ignore[arg-type]


def test_an_spf_include_target_with_control_characters_is_escaped_and_cut() -> None:
    messages = _messages(f"v=spf1 include:{HOSTILE}.test ~all")
    assert messages and all("\x1b" not in m and "\x07" not in m for m in messages)
    assert any("\\x1b" in m for m in messages)
    assert all(len(m) < 3 * ECHO_LIMIT + 400 for m in messages), messages


def test_void_names_from_dns_are_escaped_too() -> None:
    messages = _messages(f"v=spf1 a:1{HOSTILE}.t a:2{HOSTILE}.t a:3{HOSTILE}.t -all")
    assert any("find nothing" in m for m in messages), messages
    assert all("\x1b" not in m and "\x07" not in m for m in messages)
