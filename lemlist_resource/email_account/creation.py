"""Create: connect a mailbox (or adopt one already connected), all or nothing.

Once lemlist has returned an id, any failure (a failed verification or any exception at
all) disconnects the mailbox again, or, when that fails too, ends in an error that names the
id and the exact ``adopt_id`` line that adopts it. Adopting (``adopt_id``) connects nothing:
it verifies the id through the test endpoint and records the declared inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from pulumi.dynamic import CreateResult

from ..errors import LemlistError
from ..lemlist.listing import Mailbox
from .adoption import WHERE_IDS_ARE, adopt_instruction
from .client import LemlistClient
from .directory import Directory
from .schema import FIELDS, STATUS_OUTPUTS
from .verify import verify, verify_outputs, verify_problem


class _Undo(Exception):
    """Inside ``create``: the new mailbox must be disconnected again, for ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _team_label(inputs: dict[str, Any]) -> str:
    """How messages name a mailbox's team: ``team 'acme'`` or ``the default team``."""
    team = inputs.get("team")
    return f"team '{team}'" if team else "the default team"


def request_body(props: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of ``POST /user/email-accounts`` for checked inputs."""
    body: dict[str, Any] = {}
    for field in FIELDS:
        if not field.stored:
            continue
        value = props.get(field.name)
        if value is None:
            continue
        if field.kind == "port":
            value = int(value)
        elif field.kind == "bool":
            value = bool(value)
        body[field.json_key] = value
    return body


def _new_outputs(inputs: dict[str, Any], created: dict[str, Any]) -> dict[str, Any]:
    """The outputs of a mailbox just connected (or adopted): the declared inputs, lemlist's
    address and provider when it returned them, and no verification yet."""
    outs = {f.name: inputs.get(f.name) for f in FIELDS}
    outs.update(
        email=created.get("email", inputs.get("sender_email")),
        provider=created.get("provider", "custom"),
        smtp_ok=None,
        imap_ok=None,
        checked_at=None,
    )
    outs.update(dict.fromkeys(STATUS_OUTPUTS))
    return outs


def connect(api: LemlistClient, inputs: dict[str, Any], label: str) -> CreateResult:
    """Connect the mailbox; with ``verify_connection``, verify it, and undo any failure."""
    created = api.connect(request_body(inputs), label=label)
    account_id = str(created["id"])  # connect() returns only a non-empty string id
    try:
        outs = _new_outputs(inputs, created)
        if inputs.get("verify_connection", True):
            try:
                verified, problem = verify(api, account_id)
            except LemlistError as exc:
                verified, problem = {}, f"the check itself failed: {exc.message}"
            if problem is not None:
                raise _Undo(f"the connectivity check failed ({problem})")
            outs.update(verified)
        return CreateResult(account_id, outs)
    except _Undo as undo:
        _undo(api, account_id, label, undo.reason, expected=True)
    except Exception as exc:  # any failure after the POST must be undone
        _undo(api, account_id, label, f"an unexpected {type(exc).__name__}", False)


def _undo(api: LemlistClient, account_id: str, label: str, reason: str, expected: bool) -> NoReturn:
    """Disconnect a mailbox this create connected, then raise the error that says so."""
    what = f"Connecting the lemlist mailbox {label} (connected as {account_id})"
    try:
        api.disconnect(account_id)
    except Exception as exc:  # whatever it was, the mailbox may remain
        why = exc.message if isinstance(exc, LemlistError) else type(exc).__name__
        raise LemlistError(
            f"{what} failed: {reason}, and disconnecting it again failed too ({why}). It "
            f"may still be connected in lemlist as {account_id}: disconnect it there, or "
            f"{adopt_instruction(account_id)}."
        ) from None
    advice = (
        "fix the settings or password and run `pulumi up` again, or set "
        "verify_connection=False to connect it anyway"
        if expected
        else "run `pulumi up` again; if it happens again, report it with this message"
    )
    raise LemlistError(
        f"{what} failed: {reason}. The mailbox was disconnected again so nothing is left "
        f"half-working: {advice}."
    ) from None  # the reason is in the sentence: no chained repeat


def adopt(
    api: LemlistClient,
    account_id: str,
    inputs: dict[str, Any],
    label: str,
    claim: Callable[[str], None] = lambda _id: None,
) -> CreateResult:
    """Take over a mailbox already connected in lemlist: verify its id, connect nothing.

    lemlist has no read endpoint: only the id's existence and its connectivity can be
    checked, so the declared inputs are recorded as the outputs, as declared. ``claim``
    (one owner per mailbox: :mod:`.owners`) runs first and may refuse.
    """
    claim(account_id)
    what = f"Adopting the lemlist mailbox {account_id} for {label}"
    result = api.verify(account_id)
    if result is None:
        raise LemlistError(
            f'{what} failed: lemlist answered HTTP 404 "Email account not found" with the key '
            f"of {_team_label(inputs)}, so nothing was adopted or connected. Check the id "
            f"({WHERE_IDS_ARE}) and fix adopt_id (or team), or remove adopt_id to connect "
            "the mailbox anew."
        )
    outs = _new_outputs(inputs, {"id": account_id})
    problem = verify_problem(result)
    if problem is not None and inputs.get("verify_connection", True):
        raise LemlistError(
            f"{what} failed: its connectivity check failed ({problem}). It stays connected "
            "in lemlist as it was and was not adopted: fix its settings in lemlist, or set "
            "verify_connection=False to adopt it anyway."
        )
    outs.update(verify_outputs(result))
    return CreateResult(account_id, outs)


def _listed(mailboxes: list[Mailbox], limit: int = 10) -> str:
    """Mailboxes for a message: ``address (id, provider)``, at most ``limit`` of them."""
    shown = [f"{m.email} ({m.id}, {m.provider})" for m in mailboxes[:limit]]
    more = f" and {len(mailboxes) - limit} more" if len(mailboxes) > limit else ""
    return ", ".join(shown) + more if shown else "none"


def adopt_by_address(
    api: LemlistClient,
    directory: Directory,
    inputs: dict[str, Any],
    label: str,
    claim: Callable[[str], None] = lambda _id: None,
) -> CreateResult:
    """``adopt``: find the custom mailbox lemlist lists under ``sender_email`` in the team's
    listing, then adopt it as :func:`adopt` does; none or several is a refusal naming what
    lemlist lists. Connects nothing either way."""
    what = f"Adopting the lemlist mailbox {label} by its address"
    listing = directory.listing(fresh=True)
    if listing.mailboxes is None:
        raise LemlistError(
            f"{what} failed: lemlist's listing is not available ({listing.note}), so nothing "
            f"was adopted or connected. Set adopt_id to the mailbox's id instead ({WHERE_IDS_ARE})."
        )
    same = listing.by_address(label)
    custom = [m for m in same if m.provider == "custom"]
    where = f"in {_team_label(inputs)}" + ("" if listing.complete else f" ({listing.note})")
    if len(custom) == 1:
        return adopt(api, custom[0].id, inputs, label, claim)
    if custom:
        raise LemlistError(
            f"{what} failed: lemlist lists {len(custom)} custom mailboxes with this address "
            f"{where}: {_listed(custom)}. Nothing was adopted or connected: set adopt_id to the "
            "one to adopt (instead of adopt)."
        )
    others = _listed([m for m in listing.mailboxes or () if m.provider == "custom"])
    oauth = (
        f" It lists this address as {_listed(same)}: only custom SMTP/IMAP mailboxes can be "
        "adopted."
        if same
        else ""
    )
    raise LemlistError(
        f"{what} failed: lemlist lists no custom mailbox with this address {where}.{oauth} "
        f"Custom mailboxes it lists: {others}. Nothing was adopted or connected: fix "
        "sender_email (or team), or remove adopt to connect the mailbox anew."
    )
