"""The EmailAccount property table: every input, its kind, and how lemlist names it.

It lives in rules/ (lemlist's rules), below the client and the resource packages, so that
validation and the client read it as data; ``email_account.schema`` re-exports it.

One table drives validation (check and the offline lint), the POST body, the diff's
replacement list and the secret outputs, so a field is described exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "email", "host", "port", "bool", "secret", "user", "account_id", "team"]


@dataclass(frozen=True)
class Field:
    """One input property of an EmailAccount."""

    name: str
    kind: Kind
    required: bool = True
    api_name: str | None = None  # the JSON key lemlist expects, when it differs
    stored: bool = True  # lemlist keeps it: changing it means disconnect + reconnect
    create_only: bool = False  # read only when the resource is created; never in a diff
    #: Where the mailbox lives (its team): never sent, but changing it moves the mailbox,
    #: which is a disconnect + reconnect too.
    placement: bool = False

    @property
    def replaces(self) -> bool:
        """Whether a change to this field replaces the mailbox."""
        return self.stored or self.placement

    @property
    def json_key(self) -> str:
        """The key of this field in lemlist's JSON body."""
        return self.api_name or self.name


FIELDS: tuple[Field, ...] = (
    Field("sender_name", "text"),
    Field("sender_email", "email"),
    Field("smtp_host", "host"),
    Field("smtp_port", "port"),
    Field("smtp_login", "text"),
    Field("smtp_password", "secret"),
    Field("smtp_secure", "bool", required=False),
    Field("imap_host", "host"),
    Field("imap_port", "port"),
    Field("imap_login", "text"),
    Field("imap_password", "secret"),
    Field("imap_secure", "bool", required=False),
    Field("user_id", "user", required=False, api_name="userId"),
    # The lemlist team (a name from lemlist:teams) whose API key serves this mailbox;
    # unset: the default team (lemlist:apiKey). The key itself never becomes an input.
    Field("team", "team", required=False, stored=False, placement=True),
    # Ours, not lemlist's: run the test endpoint right after connecting.
    Field("verify_connection", "bool", required=False, stored=False),
    # Ours too: run the test endpoint on every refresh, even where lemlist's listing already
    # reports the mailbox (one SMTP and one IMAP login per mailbox per refresh). Unset: off.
    Field("verify_on_refresh", "bool", required=False, stored=False),
    # Ours too: adopt this already-connected mailbox (``usm_…``) instead of connecting one.
    # Only create reads it; lemlist does not store it, so it never changes a live mailbox.
    Field("adopt_id", "account_id", required=False, stored=False, create_only=True),
    # Ours too: adopt the custom mailbox lemlist lists under sender_email (its id found in
    # lemlist's listing) instead of connecting one; read by create only, like adopt_id.
    Field("adopt", "bool", required=False, stored=False, create_only=True),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
SECRET_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == "secret")
REPLACE_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.replaces)

#: Defaults applied by ``check`` so that state, diffs and the POST body agree.
DEFAULTS: dict[str, object] = {
    "smtp_secure": False,
    "imap_secure": False,
    "verify_connection": True,
}

#: What lemlist's listing reports (refresh): ``status`` (CONNECTED, ERROR, DISCONNECTED), the
#: daily ``email_limit``, whether warm-up runs, and what to do when it is not CONNECTED.
STATUS_OUTPUTS: tuple[str, ...] = ("status", "email_limit", "lemwarm_active", "status_message")
#: What lemlist's test endpoint reports (create, ``verify_connection``, and refresh where the
#: listing cannot tell): whether SMTP and IMAP logged in, and when that test ran (UTC). Kept as
#: they were when an operation did not run the test.
CHECK_OUTPUTS: tuple[str, ...] = ("smtp_ok", "imap_ok", "checked_at")
#: Outputs lemlist computes (``email``, ``provider``), the latest verification and the
#: listing's report.
COMPUTED_OUTPUTS: tuple[str, ...] = ("email", "provider", *CHECK_OUTPUTS, *STATUS_OUTPUTS)
