"""A small client for lemlist's three email-account operations.

One :class:`requests.Session` per client (and one client per provider process); every
request is paced by a :class:`~.ratelimit.Pacer` shared per API key. Retry policy:

* connection failures before the request was sent: retried by urllib3's ``Retry``
  (``connect=`` only) with backoff — nothing reached lemlist, so this is always safe;
* 429: wait for ``Retry-After`` (all threads pause) and retry — lemlist did not process it;
* DELETE and the test call, which are idempotent: also retried with backoff on 502/503/504,
  timeouts, resets and unreadable bodies;
* the connect POST is never retried once it may have been sent: a second POST could
  connect the mailbox twice, so the caller gets an :class:`~.errors.OutcomeUnknownError`.

What an answer means is decided in one place, :class:`Answer` and the ``_connected`` /
``_disconnected`` / ``_tested`` / ``_gone`` readers below, and only from lemlist's own words:
"gone" is a 404 whose body is ``Email account not found``; "disconnected" is ``{"ok": true}``;
"tested" is ``{"smtp": {"success": bool, "error"?: str}, "imap": {...}}``; "connected" is a
2xx JSON object with a usable ``id``. Anything else — another 404, an HTML page, a redirect
(never followed), an unknown JSON shape, a body over :data:`MAX_BODY` — is an error that says
what came back (status, content type, a capped and redacted snippet) and keeps the stack state
as it is. Nothing read from lemlist is ever larger than :data:`MAX_BODY` bytes.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import math
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError
from urllib3.util.retry import Retry

from ._version import __version__
from .adoption import adopt_instruction
from .auth import LemlistKeyAuth
from .echo import safe_url, shown
from .errors import (
    LemlistAPIError,
    LemlistError,
    LemlistUnavailableError,
    OutcomeUnknownError,
    UnexpectedAnswerError,
)
from .ratelimit import Pacer, shared_pacer
from .redaction import forms, quote, scope

log = logging.getLogger("lemlist_resource.client")

USER_AGENT = f"lemlist-pulumi/{__version__} python-requests/{requests.__version__}"
CONNECT_TIMEOUT = 5.0
RETRYABLE_STATUSES = frozenset({502, 503, 504})
MAX_RETRY_AFTER = 60.0
DEFAULT_RETRY_AFTER = 1.0
#: The most bytes read from any answer (after decompression): lemlist's are a few dozen.
MAX_BODY = 64 * 1024
ACCOUNTS_PATH = "/user/email-accounts"
#: lemlist's own words for an id it does not know: the only 404 that means "gone".
GONE_TEXT = "Email account not found"
#: What a mailbox id may look like before it is put in a URL path (lemlist's are ``umx_…``).
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
KEY_HINT = (
    "check the API key: `pulumi config set --secret lemlist:apiKey <key>` "
    "or the LEMLIST_API_KEY environment variable"
)
URL_HINT = (
    "check lemlist:apiUrl: it must point at lemlist's API root (https://api.lemlist.com/api), "
    "not a proxy, a login page or a path without /api"
)
#: Request errors raised while preparing a request: nothing left the process.
_NOT_SENT_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.InvalidJSONError,
    requests.exceptions.URLRequired,
)


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read (at most :data:`MAX_BODY` bytes) and closed."""

    status: int
    content_type: str  # the media type, lower case, without parameters; "" when absent
    body: bytes
    truncated: bool
    location: str | None
    retry_after: str | None

    @classmethod
    def read(cls, resp: requests.Response) -> Answer:
        """Read ``resp``'s body up to :data:`MAX_BODY` bytes (decompressed), then close it."""
        chunks: list[bytes] = []
        size = 0
        truncated = False
        try:
            for chunk in resp.iter_content(16 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY:
                    truncated = True
                    break
        finally:
            resp.close()
        ctype = resp.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        return cls(
            status=resp.status_code,
            content_type=ctype,
            body=b"".join(chunks)[:MAX_BODY],
            truncated=truncated,
            location=resp.headers.get("Location"),
            retry_after=resp.headers.get("Retry-After"),
        )

    @property
    def text(self) -> str:
        """The body as one line of text."""
        return " ".join(self.body.decode("utf-8", errors="replace").split())

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type or self.text[:1] == "<"

    def json(self) -> Any:
        """The parsed body when it is complete JSON sent as JSON; None otherwise."""
        json_type = self.content_type == "application/json" or self.content_type.endswith(
            "+json"
        )
        if self.truncated or not json_type:
            return None
        try:
            return json.loads(self.body.decode("utf-8"), parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return None

    def reason(self) -> str:
        """lemlist's one-line reason (text/plain), or a description of what came instead."""
        if self.truncated:
            return f"a body over {MAX_BODY // 1024} KiB, not read further"
        if not self.body:
            return "an empty body"
        if self.is_html:
            return f'an HTML page, likely from a proxy or captive portal: "{quote(self.text)}"'
        return quote(self.text)

    def describe(self) -> str:
        """What came back: status, content type and a capped, secret-free snippet."""
        ctype = self.content_type or "no content type"
        if self.content_type == "text/plain" and self.body and not self.truncated:
            return f'HTTP {self.status} "{quote(self.text)}"'
        return f"HTTP {self.status} ({ctype}) with {self.reason()}"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# -- what an answer means: the only place that decides it -------------------------------------


def _gone(answer: Answer) -> bool:
    """lemlist's own words for an id it does not know; no other 404 counts."""
    return answer.status == 404 and answer.text == GONE_TEXT and not answer.is_html


def _disconnected(answer: Answer) -> bool:
    data = answer.json()
    return answer.status == 200 and isinstance(data, dict) and data.get("ok") is True


def _tested(answer: Answer) -> dict[str, Any] | None:
    """The documented test result, with lemlist's error texts quoted; None for any other."""
    data = answer.json()
    if answer.status != 200 or not isinstance(data, dict):
        return None
    result: dict[str, Any] = {}
    for side in ("smtp", "imap"):
        part = data.get(side)
        if not isinstance(part, dict) or not isinstance(part.get("success"), bool):
            return None
        error = part.get("error")
        if error is not None and not isinstance(error, str):
            return None
        result[side] = {"success": part["success"]}
        if error:
            result[side]["error"] = quote(error)
    return result


def _connected(answer: Answer) -> dict[str, Any] | None:
    """``{id, email?, provider?}`` from a 2xx JSON object with a usable id; None otherwise."""
    data = answer.json()
    if answer.status not in (200, 201) or not isinstance(data, dict):
        return None
    account_id = data.get("id")
    if not isinstance(account_id, str) or not ID_RE.fullmatch(account_id):
        return None
    result: dict[str, Any] = {"id": account_id}
    for key in ("email", "provider"):
        value = data.get(key)
        if isinstance(value, str) and 0 < len(value) <= 254:
            result[key] = value
    return result


def _redirect(answer: Answer) -> str:
    """Where a redirect pointed: its host only (never a path, query or credentials)."""
    if not answer.location:
        return "without a Location"
    try:
        parts = urlsplit(answer.location)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "to an unparsable Location"
    if not host:
        return "to another path on the same host"
    return f"to {shown(host if port is None else f'{host}:{port}')}"


class _Retryable(Exception):
    """An attempt failed in a way that an idempotent request may retry."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _not_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the server."""
    if isinstance(exc, (requests.ConnectTimeout, *_NOT_SENT_ERRORS)):
        return True
    if isinstance(exc, requests.ConnectionError):
        inner = exc.args[0] if exc.args else None
        reason = getattr(inner, "reason", None) if isinstance(inner, MaxRetryError) else None
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


def _retry_after(raw: str | None) -> float:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date), within
    0..:data:`MAX_RETRY_AFTER`; :data:`DEFAULT_RETRY_AFTER` when absent or unreadable
    (``soon``, ``nan``, a broken date): a 429 is always retried, never a crash."""
    text = (raw or "").strip()
    seconds = DEFAULT_RETRY_AFTER
    if text:
        try:
            seconds = float(text)
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(text).timestamp() - time.time()
            except (TypeError, ValueError, IndexError, OverflowError):
                seconds = DEFAULT_RETRY_AFTER
    if not math.isfinite(seconds):
        seconds = DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class LemlistClient:
    """Connect, disconnect and test lemlist email accounts."""

    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        read_timeout: float = 30.0,
        pacer: Pacer | None = None,
        session: requests.Session | None = None,
        max_attempts: int = 5,
        max_rate_limited: int = 20,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        fingerprint = hashlib.sha256(f"{self.api_url}\0{api_key}".encode()).hexdigest()
        self.pacer = pacer if pacer is not None else shared_pacer(fingerprint)
        self.timeout = (CONNECT_TIMEOUT, read_timeout)
        self.max_attempts = max_attempts
        self.max_rate_limited = max_rate_limited
        self.backoff = backoff
        self._sleep = sleep
        self._random = random.Random()  # noqa: S311 -- backoff jitter, not security
        self.session = session if session is not None else requests.Session()
        self.session.auth = LemlistKeyAuth(api_key)
        self._secrets = forms(api_key)  # redacted from every answer this client quotes
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        # Only connection failures before anything was sent; everything else is ours.
        retry = Retry(
            total=None,
            connect=3,
            read=False,  # a read timeout surfaces as ReadTimeout, not a wrapped error
            status=0,
            other=0,
            redirect=0,
            backoff_factor=backoff,
            raise_on_status=False,
            allowed_methods=None,
        )
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"LemlistClient(api_url={safe_url(self.api_url)!r})"

    # -- the three operations ------------------------------------------------------------

    def connect(self, body: Mapping[str, Any], label: str) -> dict[str, Any]:
        """``POST /user/email-accounts``; returns lemlist's ``{id, email?, provider?}``."""
        what = f"Connecting the lemlist mailbox {label}"
        unknown = (
            f"{what}: the outcome is unknown ({{why}}), so lemlist may have connected it. "
            "It was not retried, to avoid connecting it twice. Look for it in lemlist "
            f"(Settings > Email accounts): if it is there, {adopt_instruction()}, or "
            "disconnect it there and run `pulumi up` again."
        )
        passwords = [v for k, v in body.items() if k.endswith("password")]
        with scope(self._secrets | forms(None, passwords)):
            try:
                answer = self._send("POST", ACCOUNTS_PATH, what, body=body, idempotent=False)
            except _Retryable as exc:
                raise OutcomeUnknownError(unknown.format(why=exc.what)) from None
            created = _connected(answer)
            if created is not None:
                return created
            if 200 <= answer.status < 300:
                why = f"lemlist answered {answer.describe()}, an unreadable body without an id"
                raise OutcomeUnknownError(unknown.format(why=why))
            if answer.status >= 500:
                raise OutcomeUnknownError(unknown.format(why=answer.describe()))
            raise self._api_error(what, answer, label=label)

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
        if _disconnected(answer):
            return True
        raise self._unexpected(
            what,
            answer,
            "that is not lemlist's {\"ok\": true}, so the mailbox may still be connected and "
            "stays in the stack state. Check lemlist:apiUrl, then run the command again.",
        )

    def test(self, account_id: str) -> dict[str, Any] | None:
        """``POST /user/email-accounts/{id}/test``: the documented result (error texts quoted),
        or None when lemlist answered that it does not know the id; any other answer raises."""
        what = f"Testing the lemlist mailbox {account_id}"
        answer = self._on_account(
            "POST", account_id, "/test", what, "Nothing was changed; run the command again later."
        )
        if answer is None:
            return None
        result = _tested(answer)
        if result is not None:
            return result
        raise self._unexpected(
            what,
            answer,
            "that is not the result lemlist documents ({\"smtp\": {\"success\": …}, "
            '"imap": {…}}), so nothing is concluded from it and the stack state is kept. '
            "Check lemlist:apiUrl, then run the command again.",
        )

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
                "was sent: lemlist mailbox ids are letters, digits, '_' and '-' (umx_…); "
                "check the id in the stack state or in adopt_id."
            )
        path = f"{ACCOUNTS_PATH}/{account_id}{suffix}"
        with scope(self._secrets):
            try:
                answer = self._send(method, path, what, idempotent=True, json_ok=True)
            except _Retryable as exc:
                raise LemlistUnavailableError(
                    f"{what} failed: {exc.what}, after {self.max_attempts} attempts. "
                    f"{if_unavailable}"
                ) from None
            if 200 <= answer.status < 300:
                return answer  # the caller decides whether it is lemlist's documented one
            if _gone(answer):
                return None
            if answer.status == 404:
                raise self._unexpected(
                    what,
                    answer,
                    f'that is not lemlist\'s "{GONE_TEXT}", so the mailbox is not taken for '
                    f"gone and stays in the stack state: {URL_HINT}.",
                )
            raise self._api_error(what, answer, label=account_id)

    # -- the request loop ----------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        what: str,
        *,
        idempotent: bool,
        body: Mapping[str, Any] | None = None,
        json_ok: bool = False,
    ) -> Answer:
        """Send one logical request; return the final answer or raise ``_Retryable``.

        Redirects are never followed (a 3xx raises here, naming the Location host only):
        following one would re-send the key and, for a connect, both passwords to whatever
        host the Location names.
        """
        url = self.api_url + path
        attempts = rate_limited = 0
        while True:
            waited = self.pacer.acquire()
            attempts += 1
            started = time.monotonic()
            try:
                resp = self.session.request(
                    method,
                    url,
                    json=body,
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=True,
                )
                answer = Answer.read(resp)
                if json_ok and answer.status == 200 and answer.json() is None:
                    raise _Retryable(
                        f"{safe_url(self.api_url)} answered an unreadable body: "
                        f"{answer.describe()}"
                    )
            except requests.RequestException as exc:
                failure = self._describe_exception(exc)
                log.info("%s %s failed: %s (attempt %d)", method, path, failure, attempts)
                if _not_sent(exc):
                    raise LemlistUnavailableError(
                        f"{what} failed: could not send it to lemlist at "
                        f"{safe_url(self.api_url)} ({failure}); nothing was sent. Check the "
                        "network and lemlist:apiUrl, then retry."
                    ) from None
                if not idempotent or attempts >= self.max_attempts:
                    raise _Retryable(failure) from None
                self._backoff(attempts)
                continue
            except _Retryable as exc:
                if attempts >= self.max_attempts:
                    raise
                log.info("%s %s: %s (attempt %d)", method, path, exc.what, attempts)
                self._backoff(attempts)
                continue
            elapsed = (time.monotonic() - started) * 1000
            log.debug(
                "%s %s -> %d in %.0f ms (attempt %d, paced %.0f ms)",
                method,
                path,
                answer.status,
                elapsed,
                attempts,
                waited * 1000,
            )
            if 300 <= answer.status < 400:
                raise UnexpectedAnswerError(
                    f"{what} failed: {safe_url(self.api_url)} answered HTTP {answer.status}, "
                    f"a redirect {_redirect(answer)}. The provider never follows redirects, so "
                    "nothing was sent there and the stack state is unchanged. Set "
                    "lemlist:apiUrl to the final https URL of lemlist's API "
                    "(https://api.lemlist.com/api).",
                    answer.status,
                )
            if answer.status == 429:
                rate_limited += 1
                if rate_limited > self.max_rate_limited:
                    raise LemlistUnavailableError(
                        f"{what} failed: lemlist kept answering HTTP 429 (rate limited) "
                        f"{rate_limited} times; nothing was changed. Another client may be "
                        "using the same API key: retry when it is idle."
                    )
                pause = _retry_after(answer.retry_after)
                log.info("%s %s rate limited; pausing %.1f s", method, path, pause)
                self.pacer.pause(pause)
                continue
            if idempotent and answer.status in RETRYABLE_STATUSES:
                if attempts >= self.max_attempts:
                    raise _Retryable(answer.describe())
                self._backoff(attempts)
                continue
            return answer

    def _backoff(self, attempt: int) -> None:
        delay = min(self.backoff * 2 ** (attempt - 1), 8.0)
        self._sleep(delay * (0.5 + self._random.random() / 2))

    @staticmethod
    def _describe_exception(exc: requests.RequestException) -> str:
        """A short, credential-free description of a transport failure."""
        if isinstance(exc, requests.ConnectTimeout):
            return "connection timed out"
        if isinstance(exc, requests.ReadTimeout):
            return "no response before the read timeout"
        if isinstance(exc, requests.exceptions.InvalidJSONError):
            return "the request body could not be encoded as JSON"
        if isinstance(exc, _NOT_SENT_ERRORS):
            return "lemlist:apiUrl is not a usable URL"
        if isinstance(exc, requests.exceptions.ContentDecodingError):
            return "the response could not be decompressed"
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return "the response was cut off"
        if _not_sent(exc):
            return "connection refused or host unreachable"
        if isinstance(exc, requests.ConnectionError):
            return "the connection was dropped before lemlist answered"
        return type(exc).__name__

    def _unexpected(self, what: str, answer: Answer, meaning: str) -> UnexpectedAnswerError:
        """An answer that is not lemlist's documented one: say what came, conclude nothing."""
        return UnexpectedAnswerError(
            f"{what} failed: {safe_url(self.api_url)} answered {answer.describe()}; {meaning}",
            answer.status,
        )

    @staticmethod
    def _api_error(what: str, answer: Answer, label: str) -> LemlistAPIError:
        """Turn an error answer into a sentence: status, lemlist's reason, what to do."""
        status, reason = answer.status, answer.reason()
        low = reason.lower()
        if status == 401:
            hint = f"lemlist did not accept the API key: {KEY_HINT}."
        elif status == 403 and "member" in low:
            hint = "user_id must be the id of a member of the API key's team (see GET /team)."
        elif status == 403:
            hint = "this mailbox belongs to another team: use an API key of the team that owns it."
        elif "already exists" in low:
            hint = (
                f"{label} is already connected in lemlist (its id is under Settings > Email "
                f"accounts): {adopt_instruction()}, or disconnect it there and run "
                "`pulumi up` again."
            )
        elif "invalid host" in low:
            hint = (
                "lemlist refused smtp_host or imap_host (a banned, Gmail, private or "
                "loopback host): use the mail server's public host name."
            )
        elif "missing required" in low:
            hint = "a required field was missing or mistyped; check every input of this mailbox."
        elif "bad team" in low:
            hint = "the API key's team cannot use this API: check it belongs to the right team."
        elif status in (404, 405):
            hint = f"{URL_HINT}."
        else:
            hint = "retry later; if it persists, contact lemlist support with this message."
        return LemlistAPIError(
            f"{what} failed: lemlist answered {answer.describe()}; {hint}", status, reason
        )
