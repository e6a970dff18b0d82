"""The dynamic provider: check, diff, create, read, update and delete of a lemlist mailbox.

The provider object carries nothing: it pickles by reference to this module (a few dozen
bytes in each resource's state), and receives its API key and URL only at run time, in
``configure`` inside the provider host, from stack config or the environment.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
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

from .changes import plan_change
from .client import LemlistClient
from .errors import LemlistError, register_secret
from .schema import COMPUTED_OUTPUTS, FIELDS, SECRET_FIELDS
from .settings import Settings, resolve
from .validation import validate

PROVIDER_KEY = "__provider"


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
        if key in SECRET_FIELDS and isinstance(out[key], str):
            register_secret(out[key])
    return out


def _check_outputs(result: dict[str, Any]) -> dict[str, Any]:
    """The non-secret outputs that report a connectivity check."""
    return {
        "smtp_ok": bool((result.get("smtp") or {}).get("success")),
        "imap_ok": bool((result.get("imap") or {}).get("success")),
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _check_failure(result: dict[str, Any]) -> str | None:
    """lemlist's per-protocol reasons when the check failed, else None."""
    problems = []
    for side in ("smtp", "imap"):
        part = result.get(side) or {}
        if not part.get("success"):
            problems.append(f"{side.upper()}: {part.get('error') or 'failed'}")
    return "; ".join(problems) or None


def _connectivity(api: LemlistClient, account_id: str) -> tuple[dict[str, Any], str | None]:
    """Run lemlist's test: ``(check outputs, None)`` when both sides work, else ``({}, why)``."""
    result = api.test(account_id)
    if result is None:
        return {}, "lemlist no longer knows it"
    problem = _check_failure(result)
    return ({}, problem) if problem is not None else (_check_outputs(result), None)


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


class EmailAccountProvider(ResourceProvider):
    """Connects, tests and disconnects a custom SMTP/IMAP mailbox in lemlist."""

    # Nothing secret is ever captured: keeping __provider in clear keeps state small.
    serialize_as_secret_always = False

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._settings: Settings | None = None
        self._api: LemlistClient | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # By reference and without instance state: whatever configure() attached at run
        # time (settings, client, API key) can never reach a serialized provider.
        return (EmailAccountProvider, ())

    def __repr__(self) -> str:
        return "EmailAccountProvider()"

    # -- configuration -------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        """Read ``lemlist:apiKey`` / ``lemlist:apiUrl`` (or the environment)."""
        settings = resolve(req.config.get)
        with self._lock:
            self._settings, self._api = settings, None

    def _client(self) -> LemlistClient:
        """The process's client, created on first use (check and diff never need it)."""
        with self._lock:
            if self._api is None:
                settings = self._settings or resolve(lambda _key: None)
                self._api = LemlistClient(
                    settings.api_url, settings.require_key(), read_timeout=settings.read_timeout
                )
            return self._api

    # -- CRUD ----------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Apply lemlist's rules offline; unknown values are skipped, never refused."""
        inputs, failures = validate(_plain(news), is_unknown=is_unknown)
        return CheckResult(inputs, [CheckFailure(f.field, f.message) for f in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Any change to a field lemlist stores replaces the mailbox (there is no update)."""
        change = plan_change(_plain(olds), _plain(news), is_unknown)
        return DiffResult(
            changes=bool(change.changed),
            replaces=change.replaces,
            stables=[] if change.replaces else ["email", "provider"],
            delete_before_replace=change.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Connect the mailbox; with ``verify_connection``, test it and undo on failure."""
        inputs = _plain(props)
        api = self._client()
        label = str(inputs.get("sender_email"))
        created = api.connect(request_body(inputs), label=label)
        account_id = str(created["id"])
        outs = {f.name: inputs.get(f.name) for f in FIELDS}
        outs.update(
            email=created.get("email", inputs.get("sender_email")),
            provider=created.get("provider", "custom"),
            smtp_ok=None,
            imap_ok=None,
            checked_at=None,
        )
        if inputs.get("verify_connection", True):
            outs.update(self._verify_new(api, account_id, label))
        return CreateResult(account_id, outs)

    def _verify_new(self, api: LemlistClient, account_id: str, label: str) -> dict[str, Any]:
        """Test a mailbox just connected; disconnect it again if it does not work."""
        try:
            checked, problem = _connectivity(api, account_id)
        except LemlistError as exc:
            checked, problem = {}, f"the check itself failed: {exc.message}"
        if problem is None:
            return checked
        what = f"Connecting the lemlist mailbox {label} (connected as {account_id})"
        try:
            api.disconnect(account_id)
        except LemlistError as exc:
            raise LemlistError(
                f"{what}: the connectivity check failed ({problem}), and disconnecting it "
                f"again failed too ({exc.message}). It may still be connected in lemlist as "
                f"{account_id}: disconnect it there, or adopt it with "
                f'ResourceOptions(import_="{account_id}") and verify_connection=False.'
            ) from None
        raise LemlistError(
            f"{what}: the connectivity check failed ({problem}). The mailbox was disconnected "
            "again so nothing is left half-working: fix the settings or password and run "
            "`pulumi up` again, or set verify_connection=False to connect it anyway."
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh or import through the test endpoint: 404 means the mailbox is gone."""
        current = _plain(props)
        importing = "provider" not in current
        result = self._client().test(id_)
        if result is None:
            if importing:
                raise LemlistError(
                    f"Importing the lemlist mailbox {id_} failed: lemlist answered HTTP 404 "
                    '"Email account not found"; check the id in lemlist (Settings > Email '
                    "accounts) and fix the import_ option."
                )
            return ReadResult(id_="", outs={})
        inputs, _ = validate({f.name: current.get(f.name) for f in FIELDS})
        outs = {
            **inputs,
            "email": current.get("email") or inputs.get("sender_email"),
            "provider": current.get("provider") or "custom",
            **_check_outputs(result),
        }
        return ReadResult(id_=id_, outs=outs, inputs=inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only fields lemlist does not store reach here (``verify_connection``)."""
        previous, wanted = _plain(olds), _plain(news)
        outs = {k: previous.get(k) for k in COMPUTED_OUTPUTS}
        outs.update({f.name: wanted.get(f.name) for f in FIELDS})
        if outs.get("verify_connection"):
            checked, problem = _connectivity(self._client(), id_)
            if problem is not None:
                raise LemlistError(
                    f"Verifying the lemlist mailbox {id_} failed ({problem}); it stays connected "
                    "and unchanged: fix its settings, or set verify_connection=False."
                )
            outs.update(checked)
        return UpdateResult(outs)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Disconnect the mailbox; an id lemlist no longer knows is already gone."""
        self._client().disconnect(id_)
