"""Refresh (and ``EmailAccount.get``): what lemlist says about a mailbox now.

lemlist's listing (:mod:`.directory`: ``GET /team``, ``GET /users/{id}`` per member, read once
per operation) reports each mailbox's ``status``, daily ``email_limit`` and whether warm-up
runs; its test endpoint (:mod:`.verify`) logs in to the mailbox's SMTP and IMAP servers.

**Listing first** (issue 27): a mailbox the listing shows ``CONNECTED`` or ``DISCONNECTED`` is
read from the listing alone, so a refresh costs the listing's requests (teams + members), not
one test per mailbox, and no login on the customer's mail server. The test runs only where
the listing cannot tell:

* the mailbox is not listed (not at all, or its entry was skipped), or the listing gives no
  status (unavailable, plan-gated, only ``GET /user/channels``): only the test's 404
  ``Email account not found`` makes a mailbox gone, never its absence from a listing;
* its status needs lemlist's reason: ``ERROR`` (the test gives lemlist's SMTP/IMAP words,
  added to ``status_message``) or a status lemlist does not document;
* its last test failed but the listing shows it ``CONNECTED`` (the old failure would
  contradict the status);
* the user asks for live checks (``verify_on_refresh``).

``DISCONNECTED`` needs no test: lemlist does not send from it whatever a login would say.
The test's outputs (``smtp_ok``, ``imap_ok``, ``checked_at``) keep their last values when
the test did not run, so ``checked_at`` says when they were last checked and a refresh that
read the listing alone shows no change of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import LemlistError
from ..lemlist.listing import Mailbox
from .client import LemlistClient
from .directory import Directory, Listing
from .schema import CHECK_OUTPUTS
from .verify import verify_outputs, verify_problem

__all__ = [
    "LISTING_ANSWERS",
    "NOT_FOUND",
    "UNHEALTHY",
    "listing_answers",
    "read_mailbox",
    "status_message",
    "status_outputs",
    "unhealthy_reasons",
]

#: What :func:`read_mailbox` answers for a mailbox lemlist no longer knows.
NOT_FOUND = None
#: The statuses the listing answers alone (no test): lemlist sends from the mailbox, or does
#: not send from it at all.
LISTING_ANSWERS = ("CONNECTED", "DISCONNECTED")

#: How to connect a mailbox again as declared. Not `pulumi up --replace`: the engine orders a
#: replacement it is told to make without asking the provider (stepGenerator.diff,
#: isTargetedReplace), so it connects first, which lemlist refuses for the same address.
RECONNECT = (
    "reconnect it as declared: `pulumi destroy --target` on its URN (`pulumi stack "
    "--show-urns`), then `pulumi up`"
)

#: The statuses in which lemlist says a mailbox it holds does not send (its listing's words).
UNHEALTHY = ("ERROR", "DISCONNECTED")


def status_message(mailbox: Mailbox, reason: str | None = None) -> str | None:
    """What a mailbox's status means and what to do (with lemlist's test ``reason`` when it
    ran); None when it is ``CONNECTED``."""
    said = f"lemlist reports this mailbox {mailbox.status}"
    if reason is not None:
        said += f" (its test said: {reason})"
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
    mailbox: Mailbox | None, listing: Listing, account_id: str = "", reason: str | None = None
) -> dict[str, Any]:
    """The status outputs of a mailbox as the listing shows it (or does not, or skipped its
    entry: then the note says which field lemlist answered oddly); ``reason``: what lemlist's
    test said when it failed."""
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
        "status_message": status_message(mailbox, reason),
    }


def listing_answers(listed: Mailbox | None, last: Mapping[str, Any]) -> bool:
    """Whether the listing alone answers for this mailbox (module docstring): listed with a
    status it explains, and no failed last test that ``CONNECTED`` would contradict."""
    if listed is None or listed.status not in LISTING_ANSWERS:
        return False
    failed = last.get("smtp_ok") is False or last.get("imap_ok") is False
    return not (listed.status == "CONNECTED" and failed)


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


def _tested(
    api: LemlistClient, directory: Directory, listing: Listing, account_id: str
) -> dict[str, Any] | None:
    """The outputs with lemlist's test run now (the listing asked again when the two
    disagree), or :data:`NOT_FOUND`."""
    result = api.verify(account_id)
    if _disagree(listing, account_id, result):
        listing = directory.listing(contradicted=True)  # it may be older: ask again
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
    reason = verify_problem(result)
    return {**verify_outputs(result), **status_outputs(listed, listing, account_id, reason)}


def read_mailbox(
    api: LemlistClient,
    directory: Directory,
    account_id: str,
    last: Mapping[str, Any] | None = None,
    live: bool = False,
) -> dict[str, Any] | None:
    """The outputs lemlist reports for ``account_id`` now, or :data:`NOT_FOUND` when it is
    absent from every listing and the test endpoint answers 404 ``Email account not found``.

    ``last``: the mailbox's stored outputs (the last test's results are kept when the listing
    answers alone); ``live``: run the test whatever the listing shows (``verify_on_refresh``).
    """
    last = last or {}
    listing = directory.listing()
    listed = listing.find(account_id)
    if not live and listing_answers(listed, last):
        kept = {name: last.get(name) for name in CHECK_OUTPUTS}
        return {**kept, **status_outputs(listed, listing, account_id)}
    return _tested(api, directory, listing, account_id)


def unhealthy_reasons(outputs: Mapping[str, Any]) -> list[str]:
    """Why a mailbox lemlist holds does not send, from its outputs (lemlist's status word and
    what to do: :func:`status_message`); empty when it sends or lemlist did not say."""
    if outputs.get("status") not in UNHEALTHY:
        return []
    return [str(outputs.get("status_message") or f"lemlist reports it {outputs['status']}")]

