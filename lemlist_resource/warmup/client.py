"""lemlist's lemwarm routes for one API key: start, pause, read and update the settings.

Built on the email-account client's parts: the same :class:`~..lemlist.transport.Transport` (so the
pacer is the one every client of the same key shares), :mod:`..lemlist.answers` for what an answer
means and :mod:`..lemlist.redaction` for what a message may quote. lemlist's OpenAPI gives the
lemwarm routes 200, 400, 401 and 405 only; a 400 carries lemlist's word (warmupToggle's on
start and pause). "The mailbox is gone" is a 400 ``mailbox-deleted`` or
``invalid-usermailbox`` (:data:`GONE_WORDS`), or lemlist's own 404 ``Email account not found``
(:func:`..lemlist.answers.gone`); ``billing-error`` is the lemwarm seat; ``Bad team`` is the
team's key. Any other answer is an error that keeps the stack state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.names import URL_CONFIG
from ..echo import safe_url, shown
from ..errors import LemlistAPIError, LemlistError, LemlistUnavailableError, UnexpectedAnswerError
from ..lemlist.answers import GONE_TEXT, KEY_HINT, URL_HINT, Answer, api_error, disconnected, gone
from ..lemlist.redaction import forms, scope
from ..lemlist.transport import Retryable, Transport
from .health import health_read
from .rules import SETTINGS, check_setting, mailbox_id_problem

LEMWARM_PATH = "/lemwarm"
#: lemlist's words (400, text/plain) for a mailbox it no longer has, or never had for this team.
GONE_WORDS = frozenset({"mailbox-deleted", "invalid-usermailbox"})
#: lemlist's word (400) for a team without a lemwarm seat.
BILLING_WORD = "billing-error"
BAD_TEAM = "Bad team"
#: lemlist's 400 on GET settings: documented, but it does not say the mailbox is gone.
READ_ERROR = "Error retrieving settings"
#: What a billing refusal looks like: lemlist's plan refusals are 402; the reason may name it.
_BILLING_WORDS = ("seat", "billing", "plan", "subscription", "payment")


def settings_read(answer: Answer) -> dict[str, Any] | None:
    """The six settings from ``GET …/settings`` (a JSON object with lemlist's keys; any
    key it lacks reads as None); None when it is not such an object or a value is out of
    lemlist's own range."""
    data = answer.json()
    if answer.status != 200 or not isinstance(data, dict):
        return None
    if not any(s.api_name in data for s in SETTINGS):
        return None
    found: dict[str, Any] = {}
    for setting in SETTINGS:
        value = data.get(setting.api_name)
        if value is None:
            found[setting.name] = None
            continue
        normalized, problem = check_setting(setting, value)
        if problem is not None or isinstance(value, str):
            return None
        found[setting.name] = normalized
    return found


def mailbox_gone(answer: Answer) -> bool:
    """lemlist's 400 for a mailbox it no longer has (``mailbox-deleted``) or does not know
    for this team (``invalid-usermailbox``)."""
    return answer.status == 400 and not answer.is_html and answer.text.strip() in GONE_WORDS


class LemwarmClient:
    """lemwarm of the mailboxes of one API key."""

    def __init__(
        self, api_url: str, api_key: str, *, key_hint: str = KEY_HINT, **options: Any
    ) -> None:
        """``options``: :class:`~..lemlist.transport.Transport`'s (``read_timeout``,
        ``pacer``, …)."""
        self._http = Transport(api_url, api_key, **options)
        self._secrets = forms(api_key)
        self._key_hint = key_hint

    def __repr__(self) -> str:
        return f"LemwarmClient(api_url={safe_url(self._http.api_url)!r})"

    def start(self, mailbox_id: str) -> bool:
        """``POST /lemwarm/{id}/start``: True once lemlist answered ``{"ok": true}``, False
        for lemlist's own 404; a billing refusal raises a sentence about the lemwarm seat."""
        what = f"Starting lemwarm on the lemlist mailbox {mailbox_id}"
        return self._ok(self._call("POST", mailbox_id, "/start", what), what)

    def pause(self, mailbox_id: str) -> bool:
        """``POST /lemwarm/{id}/pause``: True once paused, False for lemlist's own 404."""
        what = f"Pausing lemwarm on the lemlist mailbox {mailbox_id}"
        return self._ok(self._call("POST", mailbox_id, "/pause", what), what)

    def settings(self, mailbox_id: str) -> dict[str, Any] | None:
        """``GET /lemwarm/{id}/settings``: the six settings and the health outputs
        (:mod:`.health`), or None when lemlist says the mailbox is gone."""
        what = f"Reading the lemwarm settings of the lemlist mailbox {mailbox_id}"
        answer = self._call("GET", mailbox_id, "/settings", what)
        if answer is None:
            return None
        found = settings_read(answer)
        if found is not None:
            found.update(health_read(answer.json()))
        if found is None:
            raise self._unexpected(
                what,
                answer,
                "that is not lemlist's settings object (warmEmailMax, warmEmailRampup, …), so "
                f"nothing is concluded from it and the stack state is kept. Check {URL_CONFIG}.",
            )
        return found

    def update(self, mailbox_id: str, body: Mapping[str, Any]) -> bool:
        """``PATCH /lemwarm/{id}/settings`` with lemlist's keys: True once lemlist answered
        ``{"ok": true}``, False for lemlist's own 404."""
        what = f"Updating the lemwarm settings of the lemlist mailbox {mailbox_id}"
        return self._ok(self._call("PATCH", mailbox_id, "/settings", what, body), what)

    # -- one call ---------------------------------------------------------------------------

    def _ok(self, answer: Answer | None, what: str) -> bool:
        if answer is None:
            return False
        if disconnected(answer):  # lemlist's {"ok": true}
            return True
        raise self._unexpected(
            what,
            answer,
            "that is not lemlist's {\"ok\": true}, so it is not taken for done and the stack "
            f"state is kept. Check {URL_CONFIG}, then run the command again.",
        )

    def _call(
        self,
        method: str,
        mailbox_id: str,
        suffix: str,
        what: str,
        body: Mapping[str, Any] | None = None,
    ) -> Answer | None:
        """One idempotent lemwarm call (start, pause and PATCH set a state; they are safe to
        repeat): a 2xx answer, or None for lemlist's own 404."""
        problem = mailbox_id_problem(mailbox_id)
        if problem is not None:
            raise LemlistError(
                f"{what.replace(mailbox_id, shown(mailbox_id))} was refused before anything "
                f"was sent: {problem}."
            )
        path = f"{LEMWARM_PATH}/{mailbox_id}{suffix}"
        with scope(self._secrets):
            try:
                answer = self._http.send(
                    method, path, what, idempotent=True, body=body, json_ok=True
                )
            except Retryable as exc:
                raise LemlistUnavailableError(
                    f"{what} failed: {exc.what}, after {self._http.max_attempts} attempts; "
                    "nothing is concluded and the stack state is kept. Run the command again."
                ) from None
            if 200 <= answer.status < 300:
                return answer
            if gone(answer) or mailbox_gone(answer):
                return None
            raise self._refused(what, answer, mailbox_id)

    def _refused(self, what: str, answer: Answer, mailbox_id: str) -> LemlistError:
        if answer.status == 404:
            return self._unexpected(
                what,
                answer,
                f'that is not lemlist\'s "{GONE_TEXT}", so the mailbox is not taken for gone and '
                f"the stack state is kept: {URL_HINT}.",
            )
        low = answer.reason().lower()
        worded = self._in_lemlists_words(what, answer)
        if worded is not None:
            return worded
        billing = answer.status == 400 and answer.text.strip() == BILLING_WORD
        if billing or answer.status == 402 or any(word in low for word in _BILLING_WORDS):
            return LemlistAPIError(
                f"{what} failed: lemlist answered {answer.describe()}; lemwarm needs a seat on "
                "the team's lemlist plan. Add a lemwarm seat to the plan (or set enabled: false "
                "for this mailbox), then run `pulumi up` again; the stack state is unchanged.",
                answer.status,
                answer.reason(),
            )
        if "wrong type" in low or "error updating" in low:
            return LemlistAPIError(
                f"{what} failed: lemlist answered {answer.describe()}; lemlist refused a "
                "setting: check each value against lemlist's ranges (docs/warmup.md).",
                answer.status,
                answer.reason(),
            )
        return api_error(what, answer, label=mailbox_id, key_hint=self._key_hint)

    def _in_lemlists_words(self, what: str, answer: Answer) -> LemlistAPIError | None:
        """The sentence for lemlist's own 400 words ``Bad team`` and ``Error retrieving
        settings``; None for any other answer."""
        if answer.status == 400 and answer.text.strip() == BAD_TEAM:
            return LemlistAPIError(
                f"{what} failed: lemlist answered {answer.describe()}; the API key belongs to "
                f"no lemlist team, so nothing was changed: {self._key_hint}.",
                answer.status,
                answer.reason(),
            )
        if answer.status == 400 and answer.text.strip() == READ_ERROR:
            return LemlistAPIError(
                f"{what} failed: lemlist answered {answer.describe()}; lemlist could not read "
                "them (its answer for a mailbox this team no longer has, among others), so the "
                "mailbox is not taken for gone and the stack state is kept. If the mailbox was "
                "disconnected, `pulumi up` reconnects it and re-applies its warm-up.",
                answer.status,
                answer.reason(),
            )
        return None

    def _unexpected(self, what: str, answer: Answer, meaning: str) -> UnexpectedAnswerError:
        return UnexpectedAnswerError(
            f"{what} failed: {safe_url(self._http.api_url)} answered {answer.describe()}; "
            f"{meaning}",
            answer.status,
        )
