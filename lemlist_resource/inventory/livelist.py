"""The live review's listing: ``GET /team``, then ``GET /users/{userId}`` once per member,
bounded and with progress.

Unlike refresh's listing (:mod:`..email_account.directory`), a review may face a team of
thousands: each member is asked once however often ``userIds`` repeats it, at most
:data:`MEMBER_CAP` members are read (the review says how many it did not read), a progress
line goes to ``progress`` every :data:`PROGRESS_EVERY` members, and a member whose answer
has an unexpected shape is skipped with a note in lemlist's words, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..echo import shown
from ..email_account.client import LemlistClient
from ..email_account.directory import Listing, fetch, unavailable
from ..email_account.directory import _channels as channels
from ..errors import LemlistUnavailableError
from ..lemlist.listing import Mailbox, team_members, user_mailboxes
from ..lemlist.redaction import quote
from .model import Sender

__all__ = ["MEMBER_CAP", "PROGRESS_EVERY", "LiveListing", "live_listing", "sender_mailbox"]

#: The most members one live review reads per team (``--max-members`` changes it): at
#: lemlist's pace (about 20 calls per 2 s), 500 members take under a minute.
MEMBER_CAP = 500
#: A progress line every this many members read.
PROGRESS_EVERY = 50

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LiveListing(Listing):
    """The listing, and which member each mailbox was listed under (``owners``: id -> user)."""

    owners: Mapping[str, str] = field(default_factory=dict)


def sender_mailbox(sender: Sender, listing: Listing) -> Mailbox | None:
    """The listed mailbox a sender holds: its ``adopt_id``, else the one custom mailbox of
    its address; None when neither is listed (or the address is ambiguous)."""
    adopt_id = sender.inputs.get("adopt_id")
    if isinstance(adopt_id, str) and listing.find(adopt_id.strip()) is not None:
        return listing.find(adopt_id.strip())
    custom = [m for m in listing.by_address(sender.email) if m.provider == "custom"]
    return custom[0] if len(custom) == 1 else None


def _unique(members: list[str]) -> list[str]:
    """``members`` in order, each once."""
    return list(dict.fromkeys(members))


class _NotAListing(Exception):
    """A member's answer is not lemlist's listing (plan-gated, or another answer): the
    review falls back to ``GET /user/channels`` as refresh does."""


def _member(api: LemlistClient, user: str) -> tuple[list[Mailbox] | None, str | None]:
    """One member's mailboxes, or None and why an entry's shape is odd (quoted)."""
    answer = api.read_route(f"/users/{user}", f"Listing lemlist mailboxes (GET /users/{user})")
    try:
        found = user_mailboxes(answer)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:  # an odd entry's shape
        detail = quote(f"{type(exc).__name__}: {exc}")
        return None, f"GET /users/{shown(user)} answered an entry of unexpected shape ({detail})"
    if found is None:
        raise _NotAListing(unavailable(api, answer, "GET /users/{userId}"))
    return found, None


def live_listing(
    api: LemlistClient, cap: int = MEMBER_CAP, progress: Progress | None = None
) -> Listing:
    """Every mailbox of the first ``cap`` distinct members of the key's team; the listing's
    note says which members were skipped and how many were not read."""
    try:
        answer = api.read_route("/team", "Listing lemlist mailboxes (GET /team)")
        members = team_members(answer)
        if members is None:
            return fetch(api)  # refresh's fallbacks (GET /user/channels), in its words
        members = _unique(members)
        read, mailboxes, notes = members[:cap], [], []
        owners: dict[str, str] = {}
        for count, user in enumerate(read, 1):
            found, why = _member(api, user)
            if found is None:
                notes.append(f"member {shown(user)} skipped: {why}")
            else:
                mailboxes += found
                owners.update((m.id, user) for m in found)
            if progress is not None and (count % PROGRESS_EVERY == 0 or count == len(read)):
                if len(read) >= PROGRESS_EVERY:
                    progress(f"live review: read {count} of {len(read)} members")
        if len(members) > cap:
            notes.append(
                f"read the first {cap} of {len(members)} members (the cap, --max-members); "
                f"the other {len(members) - cap} were not read, so their mailboxes are not "
                "in this review"
            )
        return LiveListing(tuple(mailboxes), not notes, "; ".join(notes) or None, owners=owners)
    except _NotAListing as exc:
        return channels(api, str(exc))
    except LemlistUnavailableError as exc:
        return Listing(None, False, exc.message)
