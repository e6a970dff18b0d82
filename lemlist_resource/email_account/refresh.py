"""Refresh (and ``EmailAccount.get``): what lemlist says about a mailbox now.

lemlist's listing (:mod:`.directory`) reports its ``status``, daily ``email_limit`` and whether
warm-up runs; its test endpoint (:mod:`.verify`) whether SMTP and IMAP work. A mailbox absent
from the listing that the test endpoint answers 404 ``Email account not found`` for is gone.
``ERROR`` or ``DISCONNECTED`` is drift a user must see: the outputs change (``status``,
``status_message`` with lemlist's word and what to do), the mailbox stays in the state.
"""

from __future__ import annotations

from typing import Any

from ..errors import LemlistError
from ..lemlist.listing import Mailbox
from .client import LemlistClient
from .directory import Directory, Listing
from .verify import verify_outputs

__all__ = [
    "NOT_FOUND",
    "UNHEALTHY",
    "read_mailbox",
    "status_message",
    "status_outputs",
    "unhealthy_reasons",
]

#: What :func:`read_mailbox` answers for a mailbox lemlist no longer knows.
NOT_FOUND = None

#: How to connect a mailbox again as declared. Not `pulumi up --replace`: the engine orders a
#: replacement it is told to make without asking the provider (stepGenerator.diff,
#: isTargetedReplace), so it connects first, which lemlist refuses for the same address.
RECONNECT = (
    "reconnect it as declared: `pulumi destroy --target` on its URN (`pulumi stack "
    "--show-urns`), then `pulumi up`"
)

#: The statuses in which lemlist says a mailbox it holds does not send (its listing's words).
UNHEALTHY = ("ERROR", "DISCONNECTED")


def status_message(mailbox: Mailbox) -> str | None:
    """What a mailbox's status means and what to do; None when it is ``CONNECTED``."""
    said = f"lemlist reports this mailbox {mailbox.status}"
    if mailbox.status == "ERROR":
        return (
            f"{said}: it cannot log in to its SMTP or IMAP server (e.g. its password changed) "
            "and does not send. It stays in the stack: set the new password in its inputs and "
            f"run `pulumi up` (a changed password reconnects it), or {RECONNECT}."
        )
    if mailbox.status == "DISCONNECTED":
        return (
            f"{said}: it does not send. It stays in the stack: reconnect it in lemlist, or "
            f"{RECONNECT}."
        )
    if mailbox.status not in (None, "CONNECTED"):
        return f"{said}, a status lemlist does not document; check the mailbox in lemlist."
    return None


def status_outputs(
    mailbox: Mailbox | None, listing: Listing, account_id: str = ""
) -> dict[str, Any]:
    """The status outputs of a mailbox as the listing shows it (or does not, or skipped its
    entry: then the note says which field lemlist answered oddly)."""
    if mailbox is None or mailbox.status is None:
        why = (
            listing.skip_note(account_id)
            or listing.note
            or "lemlist's listing of the team does not show it"
        )
        return {
            "status": None,
            "email_limit": None,
            "lemwarm_active": None,
            "status_message": f"status not read: {why}",
        }
    return {
        "status": mailbox.status,
        "email_limit": mailbox.email_limit,
        "lemwarm_active": mailbox.lemwarm_active,
        "status_message": status_message(mailbox),
    }


def _disagree(listing: Listing, account_id: str, result: dict[str, Any] | None) -> bool:
    """Whether the cached listing contradicts the test endpoint's answer just now (listed but
    404, absent from a complete listing but known, CONNECTED but failing or the reverse); an
    entry the listing skipped says nothing."""
    listed = listing.find(account_id)
    if listing.mailboxes is None or listing.skip_note(account_id) is not None:
        return False
    if result is None or listed is None:
        return (result is None) != (listed is None) and (listing.complete or listed is not None)
    if listed.status is None:
        return False
    works = bool(result["smtp"]["success"] and result["imap"]["success"])
    return works != (listed.status == "CONNECTED")


def read_mailbox(
    api: LemlistClient, directory: Directory, account_id: str
) -> dict[str, Any] | None:
    """The outputs lemlist reports for ``account_id`` now (verification and status), or
    :data:`NOT_FOUND` when it is absent from every listing and the test endpoint answers
    404 ``Email account not found``."""
    listing = directory.listing()
    result = api.verify(account_id)
    if _disagree(listing, account_id, result):
        listing = directory.listing(fresh=True)  # the listing may be older: ask again
    listed = listing.find(account_id)
    if result is None:
        if listed is None:
            return NOT_FOUND
        raise LemlistError(
            f"Reading the lemlist mailbox {account_id} failed: lemlist lists it (status "
            f'{listed.status or "not given"}) but its test endpoint answered 404 "Email account '
            'not found"; nothing is concluded and the stack state is kept. Run the command '
            "again later."
        )
    return {**verify_outputs(result), **status_outputs(listed, listing, account_id)}


def unhealthy_reasons(outputs: dict[str, Any]) -> list[str]:
    """Why a mailbox lemlist holds does not send, from its outputs (lemlist's status word and
    what to do: :func:`status_message`); empty when it sends or lemlist did not say."""
    if outputs.get("status") not in UNHEALTHY:
        return []
    return [str(outputs.get("status_message") or f"lemlist reports it {outputs['status']}")]
