"""A small client for lemlist's three email-account operations: connect, disconnect, verify.

One client per team's API key; its requests go through a :class:`~..lemlist.transport.Transport`
(paced per key, retried where that is safe, never redirected). What an answer means is decided in
:mod:`..lemlist.answers`, only from lemlist's own words: anything else — another 404, an HTML page,
a redirect, an unknown JSON shape, a body over :data:`~..lemlist.answers.MAX_BODY` — is an error
that says what came back (status, content type, a capped and redacted snippet) and keeps the stack
state as it is. The connect POST is never retried once it may have been sent: a second POST could
connect the mailbox twice, so the caller gets an :class:`~..errors.OutcomeUnknownError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from ..config.names import URL_CONFIG
from ..echo import safe_url, shown
from ..errors import (
    LemlistError,
    LemlistUnavailableError,
    OutcomeUnknownError,
    UnexpectedAnswerError,
)
from ..lemlist.answers import (
    GONE_TEXT,
    ID_RE,
    KEY_HINT,
    MAX_LISTING_BODY,
    URL_HINT,
    Answer,
    api_error,
    connected,
    disconnected,
    gone,
    tested,
)
from ..lemlist.ratelimit import Pacer
from ..lemlist.redaction import forms, scope
from ..lemlist.transport import Retryable, Transport
from .adoption import WHERE_IDS_ARE, adopt_instruction, already_connected

ACCOUNTS_PATH = "/user/email-accounts"


class LemlistClient:
    """Connect, disconnect and verify lemlist email accounts."""

    def __init__(
        self, api_url: str, api_key: str, *, key_hint: str = KEY_HINT, **options: Any
    ) -> None:
        """``key_hint``: where the key is set, for a 401's message (a named team's is under
        lemlist:teams). ``options``: :class:`~..lemlist.transport.Transport`'s (``read_timeout``,
        ``pacer``, ``session``, ``max_attempts``, ``max_rate_limited``, ``backoff``,
        ``sleep``)."""
        self._http = Transport(api_url, api_key, **options)
        self._secrets = forms(api_key)  # redacted from every answer this client quotes
        self._key_hint = key_hint

    @property
    def api_url(self) -> str:
        return self._http.api_url

    @property
    def session(self) -> requests.Session:
        return self._http.session

    @property
    def pacer(self) -> Pacer:
        return self._http.pacer

    def __repr__(self) -> str:
        return f"LemlistClient(api_url={safe_url(self.api_url)!r})"

    # -- the three operations ------------------------------------------------------------

    def connect(self, body: Mapping[str, Any], label: str) -> dict[str, Any]:
        """``POST /user/email-accounts``; returns lemlist's ``{id, email?, provider?}``."""
        what = f"Connecting the lemlist mailbox {label}"
        unknown = (
            f"{what}: the outcome is unknown ({{why}}), so lemlist may have connected it. "
            "It was not retried, to avoid connecting it twice. Look for it in lemlist "
            f"({WHERE_IDS_ARE}): if it is there, {adopt_instruction()}, or "
            "disconnect it there and run `pulumi up` again."
        )
        passwords = [v for k, v in body.items() if k.endswith("password")]
        with scope(self._secrets | forms(None, passwords)):
            try:
                answer = self._http.send("POST", ACCOUNTS_PATH, what, body=body, idempotent=False)
            except Retryable as exc:
                raise OutcomeUnknownError(unknown.format(why=exc.what)) from None
            created = connected(answer)
            if created is not None:
                return created
            if 200 <= answer.status < 300:
                why = f"lemlist answered {answer.describe()}, an unreadable body without an id"
                raise OutcomeUnknownError(unknown.format(why=why))
            if answer.status >= 500:
                raise OutcomeUnknownError(unknown.format(why=answer.describe()))
            raise api_error(
                what,
                answer,
                label=label,
                key_hint=self._key_hint,
                outcome="nothing was connected",
                exists=already_connected(),
            )

    def disconnect(self, account_id: str) -> bool:
        """``DELETE /user/email-accounts/{id}``: True once lemlist answered ``{"ok": true}``,
        False when it answered that it does not know the id; any other answer raises."""
        what = f"Disconnecting the lemlist mailbox {account_id}"
        answer = self._on_account(
            "DELETE",
            account_id,
            "",
            what,
            "It may still be connected; run `pulumi destroy` (or `pulumi up`) again later.",
        )
        if answer is None:
            return False
        if disconnected(answer):
            return True
        raise self._unexpected(
            what,
            answer,
            'that is not lemlist\'s {"ok": true}, so the mailbox may still be connected and '
            f"stays in the stack state. Check {URL_CONFIG}, then run the command again.",
        )

    def verify(self, account_id: str) -> dict[str, Any] | None:
        """Verify the mailbox's SMTP and IMAP connections through lemlist's test endpoint,
        ``POST /user/email-accounts/{id}/test``: the documented result (error texts quoted),
        or None when lemlist answered that it does not know the id; any other answer raises."""
        what = f"Verifying the lemlist mailbox {account_id}"
        answer = self._on_account(
            "POST", account_id, "/test", what, "Nothing was changed; run the command again later."
        )
        if answer is None:
            return None
        result = tested(answer)
        if result is not None:
            return result
        raise self._unexpected(
            what,
            answer,
            'that is not the result lemlist documents ({"smtp": {"success": …}, '
            '"imap": {…}}), so nothing is concluded from it and the stack state is kept. '
            f"Check {URL_CONFIG}, then run the command again.",
        )

    def read_route(self, path: str, what: str) -> Answer:
        """``GET`` one of lemlist's reading routes (paced and retried like every call): its
        answer whatever the status, for :mod:`..lemlist.listing` to read. A 401 raises, as
        everywhere; a failure after every attempt raises
        :class:`~..errors.LemlistUnavailableError`."""
        with scope(self._secrets):
            try:
                answer = self._http.send(
                    "GET", path, what, idempotent=True, max_body=MAX_LISTING_BODY
                )
            except Retryable as exc:
                raise LemlistUnavailableError(
                    f"{what} failed: {exc.what}, after {self._http.max_attempts} attempts."
                ) from None
            if answer.status == 401:
                raise api_error(
                    what, answer, label=path, key_hint=self._key_hint, exists=already_connected()
                )
        return answer

    def describe(self, answer: Answer, reason_only: bool = False) -> str:
        """``answer`` described (or only its reason) for a message, this client's key
        redacted."""
        with scope(self._secrets):
            return answer.reason() if reason_only else answer.describe()

    def _on_account(
        self, method: str, account_id: str, suffix: str, what: str, if_unavailable: str
    ) -> Answer | None:
        """An idempotent call on one account: a 2xx answer, or None for lemlist's own 404.

        ``json_ok``: a 200 that is not JSON at all (a proxy or maintenance page) was not
        processed, so it is retried; taking it for a disconnect would leave a silent orphan.
        """
        if not ID_RE.fullmatch(account_id):
            raise LemlistError(
                f"{what.replace(account_id, shown(account_id))} was refused before anything "
                "was sent: lemlist mailbox ids are letters, digits, '_' and '-' (usm_…); "
                "check the id in the stack state or in adopt_id."
            )
        path = f"{ACCOUNTS_PATH}/{account_id}{suffix}"
        with scope(self._secrets):
            try:
                answer = self._http.send(method, path, what, idempotent=True, json_ok=True)
            except Retryable as exc:
                raise LemlistUnavailableError(
                    f"{what} failed: {exc.what}, after {self._http.max_attempts} attempts. "
                    f"{if_unavailable}"
                ) from None
            if 200 <= answer.status < 300:
                return answer  # the caller decides whether it is lemlist's documented one
            if gone(answer):
                return None
            if answer.status == 404:
                raise self._unexpected(
                    what,
                    answer,
                    f'that is not lemlist\'s "{GONE_TEXT}", so the mailbox is not taken for '
                    f"gone and stays in the stack state: {URL_HINT}.",
                )
            raise api_error(
                what, answer, label=account_id, key_hint=self._key_hint, exists=already_connected()
            )

    def _unexpected(self, what: str, answer: Answer, meaning: str) -> UnexpectedAnswerError:
        """An answer that is not lemlist's documented one: say what came, conclude nothing."""
        return UnexpectedAnswerError(
            f"{what} failed: {safe_url(self.api_url)} answered {answer.describe()}; {meaning}",
            answer.status,
        )
