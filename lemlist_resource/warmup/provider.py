"""The Warmup dynamic provider: lemwarm of one mailbox, read back and updated in place.

Like :class:`~..email_account.provider.EmailAccountProvider`, it pickles by reference (no instance
state reaches a serialized provider) and gets its keys only in ``configure``, inside the provider
host. The resource's id is the mailbox id. Create: PATCH the declared settings, then start
(when enabled). Update: PATCH what changed, then start or pause. Read: ``GET …/settings``
(real drift). Delete: pause; lemlist keeps the settings.
"""

from __future__ import annotations

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

from ..config.teamclients import TeamClients
from ..email_account.provider import _plain, is_unknown
from ..errors import LemlistError
from ..host.hostdiff import NamedDiff
from ..lemlist.redaction import guarded
from ..rules.validation import Failure
from .client import LemwarmClient
from .rules import FIELD_NAMES, REPLACE_FIELDS, SETTINGS, changed_settings, patch_body, validate


def _gone(mailbox_id: str, doing: str) -> LemlistError:
    return LemlistError(
        f"{doing} lemwarm of the lemlist mailbox {mailbox_id} failed: lemlist says this team "
        "has no such mailbox (mailbox-deleted, invalid-usermailbox or Email account not found: "
        "it was disconnected, or the id is wrong). Check mailbox_id, or connect the mailbox "
        "again to warm it up; removing this Warmup from the program deletes it cleanly."
    )


class WarmupProvider(ResourceProvider):
    """Starts, tunes, reads back and pauses lemwarm on a lemlist mailbox."""

    serialize_as_secret_always = False

    def __init__(self) -> None:
        super().__init__()
        self._teams = TeamClients(LemwarmClient)

    def __reduce__(self) -> tuple[Any, ...]:
        return (WarmupProvider, ())

    def __repr__(self) -> str:
        return "WarmupProvider()"

    @guarded("configure")
    def configure(self, req: ConfigureRequest) -> None:
        """Read the ``lemlist:*`` settings, as the EmailAccount provider does."""
        self._teams.configure(req.config.get)

    @guarded("check")
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """lemlist's ranges, offline; unknown values are skipped, never refused."""
        inputs, failures = validate(_plain(news), is_unknown=is_unknown)
        team = inputs.get("team")
        if team is not None and not is_unknown(team):
            if not any(f.field == "team" for f in failures):
                problem = self._teams.settings().team_problem(team)
                if problem is not None:
                    failures.append(Failure("team", problem))
        return CheckResult(inputs, [CheckFailure(f.field, f.message) for f in failures])

    @guarded("diff")
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Another mailbox or team replaces; a setting or ``enabled`` updates in place."""
        previous, wanted = _plain(olds), _plain(news)
        replaces = [
            name
            for name in REPLACE_FIELDS
            if is_unknown(wanted.get(name)) or previous.get(name) != wanted.get(name)
        ]
        changed = changed_settings(previous, wanted, is_unknown)
        if is_unknown(wanted.get("enabled")) or previous.get("enabled") != wanted.get("enabled"):
            changed.append("enabled")
        return NamedDiff(
            replaces + changed,
            changes=bool(replaces or changed),
            replaces=replaces,
            stables=[] if replaces else ["mailbox_id"],
            delete_before_replace=False,
        )

    @guarded("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """PATCH the declared settings, then start lemwarm when ``enabled``."""
        inputs = _plain(props)
        mailbox_id = str(inputs["mailbox_id"])
        api = self._teams.client(inputs.get("team"), f"Starting lemwarm on {mailbox_id}")
        body = patch_body(inputs)
        if body and not api.update(mailbox_id, body):
            raise _gone(mailbox_id, "Setting up")
        if inputs.get("enabled") and not api.start(mailbox_id):
            raise _gone(mailbox_id, "Starting")
        return CreateResult(mailbox_id, _outputs(inputs))

    @guarded("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """``GET /lemwarm/{id}/settings``: lemlist's values become the outputs, and the
        inputs of the settings this resource declares, so a change made in lemlist shows as
        drift and the next ``pulumi up`` puts the declared values back."""
        current = _plain(props)
        api = self._teams.client(current.get("team"), f"Reading lemwarm of {id_}")
        found = api.settings(id_)
        if found is None:
            return ReadResult(id_="", outs={})
        inputs = {k: current.get(k) for k in FIELD_NAMES}
        inputs["mailbox_id"] = inputs.get("mailbox_id") or id_
        inputs.update({k: v for k, v in found.items() if inputs.get(k) is not None})
        return ReadResult(id_=id_, outs={**_outputs(inputs), **found}, inputs=inputs)

    @guarded("update")
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """PATCH only the settings that changed, then start or pause on ``enabled``."""
        previous, wanted = _plain(olds), _plain(news)
        api = self._teams.client(previous.get("team"), f"Updating lemwarm of {id_}")
        body = patch_body(wanted, changed_settings(previous, wanted))
        if body and not api.update(id_, body):
            raise _gone(id_, "Updating")
        if bool(previous.get("enabled")) != bool(wanted.get("enabled")):
            done = api.start(id_) if wanted.get("enabled") else api.pause(id_)
            if not done:
                raise _gone(id_, "Starting" if wanted.get("enabled") else "Pausing")
        outs = {**previous, **_outputs(wanted)}
        for setting in SETTINGS:  # a setting no longer declared keeps lemlist's last value
            if wanted.get(setting.name) is None:
                outs[setting.name] = previous.get(setting.name)
        return UpdateResult(outs)

    @guarded("delete")
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Pause lemwarm (lemlist keeps the settings); a mailbox lemlist no longer knows
        (its own ``Email account not found``) has no warm-up left to pause."""
        team = _plain(props).get("team")
        self._teams.client(team, f"Pausing lemwarm of {id_}").pause(id_)


def _outputs(inputs: dict[str, Any]) -> dict[str, Any]:
    return {name: inputs.get(name) for name in FIELD_NAMES}
