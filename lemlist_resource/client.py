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
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError
from urllib3.util.retry import Retry

from ._version import __version__
from .adoption import adopt_instruction
from .auth import LemlistKeyAuth
from .errors import (
    LemlistAPIError,
    LemlistUnavailableError,
    OutcomeUnknownError,
)
from .ratelimit import Pacer, shared_pacer

log = logging.getLogger("lemlist_resource.client")

USER_AGENT = f"lemlist-pulumi/{__version__} python-requests/{requests.__version__}"
CONNECT_TIMEOUT = 5.0
RETRYABLE_STATUSES = frozenset({502, 503, 504})
MAX_RETRY_AFTER = 60.0
ACCOUNTS_PATH = "/user/email-accounts"
KEY_HINT = (
    "check the API key: `pulumi config set --secret lemlist:apiKey <key>` "
    "or the LEMLIST_API_KEY environment variable"
)


class _Retryable(Exception):
    """An attempt failed in a way that an idempotent request may retry."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _not_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        inner = exc.args[0] if exc.args else None
        reason = getattr(inner, "reason", None) if isinstance(inner, MaxRetryError) else None
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


def _reason_of(resp: requests.Response) -> str:
    """lemlist's one-sentence text/plain reason, trimmed to one line."""
    text = " ".join((resp.text or "").split())
    if not text:
        return resp.reason or "no reason given"
    if text.startswith("<"):
        return f"{resp.reason or 'error'} (an HTML page, likely from a proxy)"
    return text[:200]


def _retry_after(resp: requests.Response) -> float:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date); 1 when absent."""
    raw = resp.headers.get("Retry-After", "").strip()
    seconds = 1.0
    if raw:
        try:
            seconds = float(raw)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(raw) if raw else None
            if parsed is not None:
                seconds = parsed.timestamp() - time.time()
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
        return f"LemlistClient(api_url={self.api_url!r})"

    # -- the three operations ------------------------------------------------------------

    def connect(self, body: Mapping[str, Any], label: str) -> dict[str, Any]:
        """``POST /user/email-accounts``; returns lemlist's ``{id, email, provider}``."""
        what = f"Connecting the lemlist mailbox {label}"
        unknown = (
            f"{what}: the outcome is unknown ({{why}}), so lemlist may have connected it. "
            "It was not retried, to avoid connecting it twice. Look for it in lemlist "
            f"(Settings > Email accounts): if it is there, {adopt_instruction()}, or "
            "disconnect it there and run `pulumi up` again."
        )
        try:
            resp = self._send("POST", ACCOUNTS_PATH, what, body=body, idempotent=False)
        except _Retryable as exc:
            raise OutcomeUnknownError(unknown.format(why=exc.what)) from None
        if resp.status_code in RETRYABLE_STATUSES or resp.status_code >= 500:
            why = f"HTTP {resp.status_code} {_reason_of(resp)}"
            raise OutcomeUnknownError(unknown.format(why=why))
        if resp.status_code not in (200, 201):
            raise self._api_error(what, resp, label=label)
        data = self._json(resp)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
            why = f"HTTP {resp.status_code} with an unreadable body"
            raise OutcomeUnknownError(unknown.format(why=why))
        return data

    def disconnect(self, account_id: str) -> bool:
        """``DELETE /user/email-accounts/{id}``; False when lemlist no longer knows the id."""
        data = self._on_account(
            "DELETE",
            account_id,
            "",
            f"Disconnecting the lemlist mailbox {account_id}",
            "It may still be connected; run `pulumi destroy` (or `pulumi up`) again later.",
        )
        return data is not None

    def test(self, account_id: str) -> dict[str, Any] | None:
        """``POST /user/email-accounts/{id}/test``; None when lemlist does not know the id."""
        return self._on_account(
            "POST",
            account_id,
            "/test",
            f"Testing the lemlist mailbox {account_id}",
            "Nothing was changed; run the command again later.",
        )

    def _on_account(
        self, method: str, account_id: str, suffix: str, what: str, if_unavailable: str
    ) -> dict[str, Any] | None:
        """An idempotent call on one account: its JSON body, or None for 404.

        ``json_ok``: a 200 that is not lemlist's JSON (a proxy or maintenance page) was not
        processed, so it is retried; taking it for a disconnect would leave a silent orphan.
        """
        path = f"{ACCOUNTS_PATH}/{account_id}{suffix}"
        try:
            resp = self._send(method, path, what, idempotent=True, json_ok=True)
        except _Retryable as exc:
            raise LemlistUnavailableError(
                f"{what} failed: {exc.what}, after {self.max_attempts} attempts. {if_unavailable}"
            ) from None
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise self._api_error(what, resp, label=account_id)
        data = self._json(resp)
        assert isinstance(data, dict)  # _send(json_ok=True) retried anything else
        return data

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
    ) -> requests.Response:
        """Send one logical request; return the final response or raise ``_Retryable``."""
        url = self.api_url + path
        attempts = rate_limited = 0
        while True:
            waited = self.pacer.acquire()
            attempts += 1
            started = time.monotonic()
            try:
                resp = self.session.request(method, url, json=body, timeout=self.timeout)
                if json_ok and resp.status_code == 200 and not isinstance(self._json(resp), dict):
                    raise _Retryable("lemlist answered with an unreadable body")
            except requests.RequestException as exc:
                failure = self._describe_exception(exc)
                log.info("%s %s failed: %s (attempt %d)", method, path, failure, attempts)
                if _not_sent(exc):
                    raise LemlistUnavailableError(
                        f"{what} failed: could not reach lemlist at {self.api_url} ({failure}); "
                        "nothing was sent. Check the network and lemlist:apiUrl, then retry."
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
                resp.status_code,
                elapsed,
                attempts,
                waited * 1000,
            )
            if resp.status_code == 429:
                rate_limited += 1
                if rate_limited > self.max_rate_limited:
                    raise LemlistUnavailableError(
                        f"{what} failed: lemlist kept answering HTTP 429 (rate limited) "
                        f"{rate_limited} times; nothing was changed. Another client may be "
                        "using the same API key: retry when it is idle."
                    )
                pause = _retry_after(resp)
                log.info("%s %s rate limited; pausing %.1f s", method, path, pause)
                self.pacer.pause(pause)
                continue
            if idempotent and resp.status_code in RETRYABLE_STATUSES:
                if attempts >= self.max_attempts:
                    raise _Retryable(f"HTTP {resp.status_code} {_reason_of(resp)}")
                self._backoff(attempts)
                continue
            return resp

    def _backoff(self, attempt: int) -> None:
        delay = min(self.backoff * 2 ** (attempt - 1), 8.0)
        self._sleep(delay * (0.5 + self._random.random() / 2))

    @staticmethod
    def _json(resp: requests.Response) -> Any:
        try:
            return resp.json()
        except (ValueError, json.JSONDecodeError):
            return None

    @staticmethod
    def _describe_exception(exc: requests.RequestException) -> str:
        """A short, credential-free description of a transport failure."""
        if isinstance(exc, requests.ConnectTimeout):
            return "connection timed out"
        if isinstance(exc, requests.ReadTimeout):
            return "no response before the read timeout"
        cut_off = (
            requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
        )
        if isinstance(exc, cut_off):
            return "the response was cut off"
        if _not_sent(exc):
            return "connection refused or host unreachable"
        if isinstance(exc, requests.ConnectionError):
            return "the connection was dropped before lemlist answered"
        return type(exc).__name__

    @staticmethod
    def _api_error(what: str, resp: requests.Response, label: str) -> LemlistAPIError:
        """Turn an error response into a sentence: status, lemlist's reason, what to do."""
        status, reason = resp.status_code, _reason_of(resp)
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
        elif status == 405:
            hint = "check that lemlist:apiUrl points at the API root (it ends in /api)."
        elif status == 404:
            hint = "lemlist does not know this id."
        else:
            hint = "retry later; if it persists, contact lemlist support with this message."
        return LemlistAPIError(
            f'{what} failed: lemlist answered HTTP {status} "{reason}"; {hint}', status, reason
        )
