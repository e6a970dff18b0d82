"""lemlist's listing of a team's mailboxes, fetched once and shared by every Read of an
operation (one provider process per ``pulumi`` command), so 300 Reads cost the listing once,
not 300 times.

The listing is ``GET /team`` then ``GET /users/{userId}`` per member (every mailbox, with its
status). When that is plan-gated (402) or unavailable (any other answer than lemlist's
documented one, or lemlist unreachable), it falls back to ``GET /user/channels`` (the key's
own user's mailboxes, without status), and when that fails too the listing is unavailable:
callers fall back to what they did without it, and the reason is logged once. An entry of an
unexpected shape is skipped (:class:`..lemlist.listing.Skipped`): its mailbox counts as not
listed (refresh asks the test endpoint), the note says why, the other entries are read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import LemlistUnavailableError
from ..lemlist.answers import Answer
from ..lemlist.listing import Mailbox, Skipped, channel_entries, team_members, user_entries
from .client import LemlistClient

__all__ = ["LISTING_TTL", "Directory", "Listing"]

logger = logging.getLogger("lemlist_resource")

#: How long a listing serves Reads, in seconds: one ``pulumi refresh`` of many mailboxes, not
#: a long-lived process's whole life.
LISTING_TTL = 10.0


@dataclass(frozen=True)
class Listing:
    """The team's mailboxes as lemlist lists them (None: no listing was available), whether
    that is every member's (``complete``), and why not (``note``)."""

    mailboxes: tuple[Mailbox, ...] | None
    complete: bool = True
    note: str | None = None
    skipped: tuple[Skipped, ...] = ()

    def find(self, mailbox_id: str) -> Mailbox | None:
        """The listed mailbox with this id, or None."""
        return next((m for m in self.mailboxes or () if m.id == mailbox_id), None)

    def skip_note(self, mailbox_id: str) -> str | None:
        """Why this mailbox's entry was skipped, or None (not skipped)."""
        return next((s.note for s in self.skipped if s.id == mailbox_id), None)

    def by_address(self, address: str) -> list[Mailbox]:
        """Every listed mailbox with this address (case-insensitive)."""
        wanted = address.strip().lower()
        return [m for m in self.mailboxes or () if m.email.strip().lower() == wanted]


def unavailable(api: LemlistClient, answer: Answer, route: str) -> str:
    """Why ``route``'s answer is no listing: lemlist's plan gate, or what came instead."""
    if answer.status == 402:
        said = api.describe(answer, reason_only=True)
        return f"your lemlist plan does not include {route} (lemlist said: {said})"
    return f"{route} answered {api.describe(answer)}, not lemlist's documented listing"


def _channels(api: LemlistClient, why: str) -> Listing:
    """The fallback: ``GET /user/channels`` (the key's own user, no status)."""
    answer = api.read_route("/user/channels", "Listing lemlist mailboxes (GET /user/channels)")
    found = channel_entries(answer)
    if found is None:
        return Listing(None, False, f"{why}; {unavailable(api, answer, 'GET /user/channels')}")
    note = f"{why}; only the API key's own user's mailboxes were listed, without their status"
    return Listing(tuple(found[0]), False, note, tuple(found[1]))


def fetch(api: LemlistClient) -> Listing:
    """Every mailbox of the key's team, with its status; the fallbacks above otherwise."""
    try:
        answer = api.read_route("/team", "Listing lemlist mailboxes (GET /team)")
        members = team_members(answer)
        if members is None:
            return _channels(api, unavailable(api, answer, "GET /team"))
        mailboxes: list[Mailbox] = []
        skipped: list[Skipped] = []
        for user in members:
            what = f"Listing lemlist mailboxes (GET /users/{user})"
            answer = api.read_route(f"/users/{user}", what)
            found = user_entries(answer)
            if found is None:
                return _channels(api, unavailable(api, answer, "GET /users/{userId}"))
            mailboxes += found[0]
            skipped += found[1]
        # an entry without a readable id may be any mailbox: the listing is not complete
        blind = next((s.note for s in skipped if s.id is None), None)
        return Listing(tuple(mailboxes), blind is None, blind, tuple(skipped))
    except LemlistUnavailableError as exc:
        return Listing(None, False, exc.message)


class Directory:
    """One team's listing, cached for :data:`LISTING_TTL` seconds; thread-safe (concurrent
    Reads wait for the one fetch instead of each fetching). A listing that contradicted
    the test endpoint (``contradicted``) is asked again once per TTL, not once per mailbox
    that contradicts it: a mail server down under many mailboxes that lemlist still lists as
    connected costs one more listing, not one per mailbox."""

    def __init__(
        self,
        api: LemlistClient,
        ttl: float = LISTING_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, Listing] | None = None
        self._asked_again = False  # the cached listing was asked because one contradicted
        self._said: set[str] = set()

    def listing(self, fresh: bool = False, contradicted: bool = False) -> Listing:
        """The cached listing, or a new one: ``fresh``, once the cache expired, or
        ``contradicted`` unless the cached one already was asked again for that."""
        with self._lock:
            now, cached = self._clock(), self._cached
            if (
                cached is None
                or now - cached[0] > self._ttl
                or fresh
                or (contradicted and not self._asked_again)
            ):
                cached = self._cached = (now, fetch(self._api))
                self._asked_again = contradicted
                self._say_once(cached[1].note)
                for skipped in cached[1].skipped:
                    self._say_once(skipped.note)
            return cached[1]

    def _say_once(self, note: str | None) -> None:
        if note is not None and note not in self._said:
            self._said.add(note)
            logger.warning("lemlist's mailbox listing: %s", note)
