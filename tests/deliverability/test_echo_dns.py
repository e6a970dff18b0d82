"""What DNS answers goes through the one echo rule (issue 29): escaped and cut, never raw."""

from __future__ import annotations

from lemlist_resource.deliverability.spf_record import Tally, tally
from lemlist_resource.echo import ECHO_LIMIT


class _NoLookup:
    """A lookup the test never expects to be asked (the macro target is not followed)."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"no DNS query expected ({name})")


def test_an_spf_include_target_with_control_characters_is_escaped_and_cut() -> None:
    target = "%{i}.\x1b[31mred\x07" + "x" * 500
    out: Tally = tally(_NoLookup(), f"v=spf1 include:{target} ~all")  # type: ignore[arg-type]
    assert out.failed is not None
    assert "\x1b" not in out.failed and "\x07" not in out.failed
    assert "\\x1b" in out.failed
    assert len(out.failed) < ECHO_LIMIT + 60
