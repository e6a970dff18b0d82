"""How every message tells a user to adopt a mailbox that is connected but not in the state.

Pulumi's ``import_`` option and ``pulumi import`` cannot work with a Python dynamic provider
(the engine's import step sends Read with the id only; pulumi/pulumi#16175), so adoption goes
through the ``adopt_id`` input, read by ``create``. One wording, used by every message.
"""

from __future__ import annotations

#: Stands for an id the message cannot know (lemlist lists it: GET /user/channels).
UNKNOWN_ID = "usm_…"

#: Where a user finds a mailbox's id: lemlist's own listing, the only source that gives it.
WHERE_IDS_ARE = (
    "lemlist lists its mailboxes and their ids with GET /user/channels (the key's own user) "
    "and GET /users/<userId> (each member of GET /team)"
)


def adopt_instruction(account_id: str = UNKNOWN_ID) -> str:
    """The exact line to add, in a program and in a stack inventory, to adopt ``account_id``."""
    return (
        f'adopt it by adding adopt_id="{account_id}" to its EmailAccountArgs (in a stack '
        f"inventory: `adopt_id: {account_id}` under the sender in stacks/Pulumi.<stack>.yaml) "
        "and running `pulumi up` again (or adopt it by address: adopt=True, `adopt: true` "
        "in a stack inventory)"
    )


def already_connected() -> str:
    """What to do when lemlist refuses a mailbox as already connected (the client's advice)."""
    return f"{adopt_instruction()}, or disconnect it in lemlist and run `pulumi up` again"


def adopted_mailbox(value: object) -> str | None:
    """The mailbox an ``adopt_id`` names, for finding two owners of one mailbox: the id as
    written, trimmed; None when unset. No prefix is assumed (``umx_``, ``usm_``…): two
    resources naming the same text name the same mailbox, whatever its grammar."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def shared_mailbox_reason(owners: list[str]) -> str:
    """Why one adopted mailbox cannot have several owners (``owners``: their names, shown)."""
    return (
        f"is adopted by {len(owners)} resources ({', '.join(owners)}): one mailbox has one "
        "owner. Replacing or deleting one of them would disconnect the mailbox the other still "
        "holds in its state. Keep adopt_id on one of them and remove the others."
    )
