"""The dynamic provider: check, diff, create, read, update and delete of a lemlist mailbox.

The provider object carries nothing: it pickles by reference to this module (a few dozen
bytes in each resource's state), and receives its API keys and URLs only at run time, in
``configure`` inside the provider host, from stack config or the environment. A mailbox's
``team`` input (kept in its outputs, so refresh and delete see it) names the key that serves
it: one client, hence one pacer, per team.
"""

from __future__ import annotations

import threading
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pulumi.runtime import rpc

from ..config.teamclients import TeamClients
from ..errors import ConfigurationError, LemlistError
from ..host import hostdiff, hosterrors, hosthealth, hostpool
from ..host.hostdiff import PROVIDER_KEY, NamedDiff
from ..lemlist.redaction import guarded
from ..rules.validation import Failure, validate
from . import owners
from .adoption import WHERE_IDS_ARE
from .changes import plan_change
from .client import LemlistClient
from .creation import adopt, adopt_by_address, connect
from .directory import Directory
from .refresh import read_mailbox, unhealthy_reasons
from .schema import COMPUTED_OUTPUTS, FIELDS, SECRET_FIELDS
from .verify import GONE, verify

#: What to do about a mailbox lemlist no longer knows, found by an update.
GONE_ADVICE = (
    "lemlist no longer knows it (it was disconnected outside Pulumi). Run `pulumi refresh` to "
    "drop it from the state, then `pulumi up` connects it again."
)
#: The inputs that say which mailbox a resource adopts (:mod:`.owners`).
OWNED_BY = ("adopt_id", "adopt", "sender_email", "team")

# Inside `python -m pulumi.dynamic` only: serve more than the host's 4 calls at once, let our
# errors read as their sentence, without the host's traceback, and name a diff's fields.
hostpool.install()
hosterrors.install()
hostdiff.install()


def is_unknown(value: object) -> bool:
    """True for a value Pulumi does not know yet (during a preview)."""
    return isinstance(value, Unknown) or value == rpc.UNKNOWN


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    """Drop the serialized provider and unwrap any secret markers the engine left in place."""
    out = {}
    for key, value in props.items():
        if key == PROVIDER_KEY:
            continue
        out[key] = rpc.unwrap_rpc_secret(value) if rpc.is_rpc_secret(value) else value
    return out


class EmailAccountProvider(ResourceProvider):
    """Connects, tests and disconnects a custom SMTP/IMAP mailbox in lemlist."""

    # Serialized by reference under the path every stack's state already holds (the
    # package lemlist_resource.provider re-exports this class): new states stay
    # byte-identical to old ones, and readable by an older version of this package.
    __module__ = "lemlist_resource.provider"

    # Nothing secret is ever captured: keeping __provider in clear keeps state small.
    serialize_as_secret_always = False
    #: The properties whose values are redacted from every message (the client's data).
    secret_fields = SECRET_FIELDS

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._teams = TeamClients(LemlistClient)
        self._directories: dict[str | None, Directory] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        # By reference and without instance state: whatever configure() attached at run
        # time (settings, client, API key) can never reach a serialized provider.
        return (EmailAccountProvider, ())

    def __repr__(self) -> str:
        return "EmailAccountProvider()"

    # -- configuration -------------------------------------------------------------------

    @guarded("configure")
    def configure(self, req: ConfigureRequest) -> None:
        """Read the ``lemlist:*`` settings (or the environment), ``lemlist:teams`` (a JSON
        string from the engine: see :mod:`..config.teams`) included; size the host's pool."""
        self._teams.configure(req.config.get)
        with self._lock:
            self._directories = {}

    def _directory(self, team: str | None) -> Directory:
        """The listing of ``team``'s mailboxes, shared by every Read of this operation."""
        api = self._teams.client(team, "Listing lemlist mailboxes")
        with self._lock:
            found = self._directories.get(team)
            if found is None:
                found = self._directories[team] = Directory(api)
            return found

    # -- CRUD ----------------------------------------------------------------------------

    @guarded("check")
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Apply lemlist's rules offline; unknown values are skipped, never refused."""
        inputs, failures = validate(_plain(news), is_unknown=is_unknown)
        team = inputs.get("team")
        if not is_unknown(team) and not any(f.field == "team" for f in failures):
            settings = self._teams.settings()
            missing = settings.missing_key(team)
            if missing is not None:  # the configuration's fault, not this mailbox's team
                raise ConfigurationError(missing)
            problem = settings.team_problem(team)
            if problem is not None:
                failures.append(Failure("team", problem))
        if not failures and not any(is_unknown(inputs.get(k)) for k in OWNED_BY):
            for field, reason in owners.check_claims(owners.current_urn(), team, inputs):
                failures.append(Failure(field, reason))
        return CheckResult(inputs, [CheckFailure(f.field, f.message) for f in failures])

    @guarded("diff")
    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Any change to a field lemlist stores replaces the mailbox (there is no update).

        ``adopt_id`` is never a change. But a replacement's create would read it: when it
        still names this very mailbox, the replacement would adopt the mailbox being
        replaced instead of connecting the new settings, so the preview stops and says so.
        Only a known replacement stops it: a value not known yet is not known to change.
        """
        wanted = _plain(news)
        refused = owners.hold(owners.current_urn(), _plain(olds).get("team"), id_)
        if refused is not None:
            raise LemlistError(refused)
        change = plan_change(_plain(olds), wanted, is_unknown)
        known = [name for name in change.replaces if not is_unknown(wanted.get(name))]
        if known and wanted.get("adopt") is True:
            raise LemlistError(
                f"The lemlist mailbox {id_} has adopt set: changing "
                f"{', '.join(known)} replaces the mailbox, and its replacement would "
                "adopt the very mailbox being replaced (lemlist still lists it under its "
                "address) instead of connecting the new settings. Remove adopt first (alone, "
                "that is no change), then make this change."
            )
        if known and wanted.get("adopt_id") == id_:
            raise LemlistError(
                f"The lemlist mailbox {id_} was adopted with adopt_id, which is still set: "
                f"changing {', '.join(known)} replaces the mailbox, and the new one "
                "must be connected, not adopted again. Remove adopt_id first (alone, that is no "
                "change), then make this change."
            )
        return NamedDiff(
            change.changed,
            changes=bool(change.changed),
            replaces=change.replaces,
            stables=[] if change.replaces else ["email", "provider"],
            delete_before_replace=change.delete_before_replace,
        )

    @guarded("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Connect the mailbox (or adopt ``adopt_id``); with ``verify_connection``, verify it.

        All or nothing (:mod:`.creation`): once lemlist has returned an id, any failure
        disconnects the mailbox again, or ends in an error that names the id and the exact
        ``adopt_id`` line that adopts it.
        """
        inputs = _plain(props)
        label = str(inputs.get("sender_email"))
        api = self._teams.client(inputs.get("team"), f"Connecting the lemlist mailbox {label}")
        urn, team = owners.current_urn(), inputs.get("team")

        def claim(mailbox_id: str) -> None:
            refused = owners.hold(urn, team, mailbox_id)
            if refused is not None:
                raise LemlistError(f"{refused} Nothing was adopted or connected.")

        if inputs.get("adopt_id"):
            return adopt(api, str(inputs["adopt_id"]), inputs, label, claim)
        if inputs.get("adopt") is True:
            return adopt_by_address(api, self._directory(team), inputs, label, claim)
        created = connect(api, inputs, label)
        owners.hold(urn, team, created.id)
        return created

    @guarded("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh (``props`` = stored outputs) or ``EmailAccount.get`` (program inputs):
        lemlist's listing first, its test endpoint where the listing cannot tell or with
        ``verify_on_refresh`` (:mod:`.refresh`): gone, or its status."""
        current = _plain(props)
        getting = "provider" not in current  # a get: no outputs of ours yet
        # the mailbox's team: from its outputs (refresh) or the program's inputs (a get)
        team = current.get("team")
        api = self._teams.client(team, f"Reading the lemlist mailbox {id_}")
        inputs, _ = validate({f.name: current.get(f.name) for f in FIELDS})
        live = inputs.get("verify_on_refresh") is True
        found = read_mailbox(api, self._directory(team), id_, current, live)
        if found is None:
            if getting:
                raise LemlistError(
                    f"Reading the lemlist mailbox {id_} failed: lemlist answered HTTP 404 "
                    f'"Email account not found"; check the id ({WHERE_IDS_ARE}).'
                )
            return ReadResult(id_="", outs={})
        outs = {
            **inputs,
            "email": current.get("email") or inputs.get("sender_email"),
            "provider": current.get("provider") or "custom",
            **found,
        }
        reasons = unhealthy_reasons(outs)
        if reasons:  # it exists but does not send: the refresh warns, the next up looks again
            hosthealth.report(reasons, id_, outs, inputs, props.get(PROVIDER_KEY))
        return ReadResult(id_=id_, outs=outs, inputs=inputs)

    @guarded("update")
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only fields lemlist does not store reach here (``verify_connection``,
        ``verify_on_refresh``): turning ``verify_connection`` on tests the mailbox now; and a
        mailbox lemlist reported broken (the engine plans this update for it even when
        nothing changed), which is looked at again."""
        previous, wanted = _plain(olds), _plain(news)
        outs = {k: previous.get(k) for k in COMPUTED_OUTPUTS}
        outs.update({f.name: wanted.get(f.name) for f in FIELDS})
        if unhealthy_reasons(previous):
            return self._look_again(id_, outs, news.get(PROVIDER_KEY))
        if outs.get("verify_connection") and not previous.get("verify_connection"):
            api = self._teams.client(previous.get("team"), f"Verifying the lemlist mailbox {id_}")
            verified, problem = verify(api, id_)
            if problem == GONE:
                raise LemlistError(f"Verifying the lemlist mailbox {id_} failed: {GONE_ADVICE}")
            if problem is not None:
                raise LemlistError(
                    f"Verifying the lemlist mailbox {id_} failed ({problem}); it stays connected "
                    "and unchanged: fix its settings, or set verify_connection=False."
                )
            outs.update(verified)
        return UpdateResult(outs)

    def _look_again(self, id_: str, outs: dict[str, Any], provider: Any) -> UpdateResult:
        """A mailbox lemlist reported broken, read again from a fresh listing: fixed (the
        state's reasons are cleared), or still broken (the update fails with lemlist's
        words, as a partial failure: the state keeps it and the reasons)."""
        team = outs.get("team")
        directory = self._directory(team)
        directory.listing(fresh=True)
        api = self._teams.client(team, f"Reading the lemlist mailbox {id_}")
        found = read_mailbox(api, directory, id_, outs)
        if found is None:
            raise LemlistError(f"Reading the lemlist mailbox {id_} failed: {GONE_ADVICE}")
        outs.update(found)
        reasons = unhealthy_reasons(outs)
        if reasons:
            hosthealth.report(reasons, id_, outs, None, provider)
        return UpdateResult(outs)

    @guarded("delete")
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Disconnect the mailbox, in its team; an id lemlist no longer knows is already gone."""
        team = _plain(props).get("team")
        self._teams.client(team, f"Disconnecting the lemlist mailbox {id_}").disconnect(id_)
        owners.release(owners.current_urn(), team, id_)
