"""The live review's campaigns: for every sender a PR replaces or removes, the running
campaigns its user sends in (``GET /team/senders?state=running``, paced like every call)."""

from __future__ import annotations

from collections.abc import Sequence

from ..echo import code, plain
from ..email_account.client import LemlistClient
from ..email_account.directory import Listing, unavailable
from ..lemlist.campaigns import RUNNING_ROUTE, running_campaigns
from .livelist import LiveListing, sender_mailbox
from .model import Sender

__all__ = ["Change", "campaign_lines"]

#: A sender the PR disconnects: ``("REPLACES" | "REMOVES", the sender as the base has it)``.
Change = tuple[str, Sender]

_CONSEQUENCE = {
    "REPLACES": "they send no email from this mailbox between the disconnect and the reconnect",
    "REMOVES": "they send no email from this mailbox once it is disconnected",
}


def _user(sender: Sender, listing: Listing) -> str | None:
    """The member the sender's mailbox is listed under, else its ``user_id`` input."""
    mailbox = sender_mailbox(sender, listing)
    owners = listing.owners if isinstance(listing, LiveListing) else {}
    if mailbox is not None and mailbox.id in owners:
        return owners[mailbox.id]
    user = sender.inputs.get("user_id")
    return user if isinstance(user, str) and user else None


def _line(verb: str, sender: Sender, user: str | None, names: list[str] | None) -> str:
    head = f"{verb} {code(sender.email or None)}"
    if user is None:
        return f"{head} — its user is not in lemlist's listing: its campaigns are not named"
    if not names:
        return f"{head} — user {code(user)} sends in no running campaign"
    shown = ", ".join(plain(name, 80) for name in names[:10])
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return (
        f"⚠ {head} — user {code(user)} sends in {len(names)} running campaign(s): "
        f"{shown}{more}; {_CONSEQUENCE.get(verb, _CONSEQUENCE['REMOVES'])}"
    )


def campaign_lines(api: LemlistClient, changes: Sequence[Change], listing: Listing) -> list[str]:
    """One line per change: who sends from that mailbox in which running campaigns."""
    what = f"Listing running campaigns (GET {RUNNING_ROUTE})"
    answer = api.read_route(RUNNING_ROUTE, what)
    found = running_campaigns(answer)
    if found is None:
        why = unavailable(api, answer, f"GET {RUNNING_ROUTE}")
        return [f"running campaigns not named: {why}"]
    lines = []
    for verb, sender in changes:
        user = _user(sender, listing)
        lines.append(_line(verb, sender, user, None if user is None else found.get(user, [])))
    return lines
