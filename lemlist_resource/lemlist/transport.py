"""lemlist over HTTP: one session per API key, paced, and the loop that sends and retries.

The session sends HTTP Basic auth (:class:`~.auth.LemlistKeyAuth`) and never follows a
redirect; urllib3 retries only connection failures before anything was sent. Every try first
takes a send slot from the :class:`~.ratelimit.Pacer` shared by all clients of the same key;
a 429 pauses them all for ``Retry-After``. Idempotent requests are also retried with
backoff on 502/503/504, timeouts, resets and unreadable bodies; the others raise
:class:`Retryable` for the caller to decide (a connect is never sent twice).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError
from urllib3.util.retry import Retry

from .._version import __version__
from ..config.names import DEFAULT_API_URL, URL_CONFIG
from ..echo import safe_url
from ..errors import LemlistUnavailableError, UnexpectedAnswerError
from ..host.hostpool import MAX_CONCURRENCY
from .answers import MAX_BODY, Answer, redirect_target
from .auth import LemlistKeyAuth
from .ratelimit import Pacer, shared_pacer

log = logging.getLogger("lemlist_resource.client")

USER_AGENT = f"lemlist-pulumi/{__version__} python-requests/{requests.__version__}"
CONNECT_TIMEOUT = 5.0
RETRYABLE_STATUSES = frozenset({502, 503, 504})
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
class Request:
    """One logical request, as the request loop sends, retries and reports it."""

    method: str
    path: str
    what: str  # the operation, as messages name it ("Connecting the lemlist mailbox …")
    idempotent: bool
    body: Mapping[str, Any] | None = None
    json_ok: bool = False
    max_body: int = MAX_BODY  # the most bytes of the answer read


class Retryable(Exception):
    """An attempt failed in a way that an idempotent request may retry."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def not_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the server."""
    if isinstance(exc, (requests.ConnectTimeout, *_NOT_SENT_ERRORS)):
        return True
    if isinstance(exc, requests.ConnectionError):
        inner = exc.args[0] if exc.args else None
        reason = getattr(inner, "reason", None) if isinstance(inner, MaxRetryError) else None
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


def new_session(api_key: str, backoff: float, base: requests.Session | None) -> requests.Session:
    """A session that authenticates with ``api_key`` and retries only what was never sent."""
    session = base if base is not None else requests.Session()
    session.auth = LemlistKeyAuth(api_key)
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
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
    # A kept-alive connection for every call the host may serve at once (hostpool): new
    # connections reach lemlist later than reused ones, which upsets the pacer's timing.
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=MAX_CONCURRENCY)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Transport:
    """Sends requests to one lemlist API root with one key: paced, retried, never redirected."""

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
        self.session = new_session(api_key, backoff, session)
        # Plain http is only ever loopback (settings.check_api_url): an HTTP_PROXY from the
        # environment must not carry the key off the machine in clear, so ignore it there.
        self.session.trust_env = not self.api_url.startswith("http://")

    def __repr__(self) -> str:
        return f"Transport(api_url={safe_url(self.api_url)!r})"

    def send(
        self,
        method: str,
        path: str,
        what: str,
        *,
        idempotent: bool,
        body: Mapping[str, Any] | None = None,
        json_ok: bool = False,
        max_body: int = MAX_BODY,
    ) -> Answer:
        """Send one logical request; return the final answer or raise :class:`Retryable`.

        Redirects are never followed (a 3xx raises here, naming the Location host only):
        following one would re-send the key and, for a connect, both passwords to whatever
        host the Location names.
        """
        request = Request(method, path, what, idempotent, body, json_ok, max_body)
        attempts = rate_limited = 0
        while True:
            attempts += 1
            answer = self._attempt(request, attempts)
            if answer is None:
                continue  # a failure worth retrying, already backed off
            if 300 <= answer.status < 400:
                raise self._redirected(request, answer)
            if answer.status == 429:
                rate_limited += 1
                self._rate_limited(request, answer, rate_limited)
                continue
            if idempotent and answer.status in RETRYABLE_STATUSES:
                if attempts >= self.max_attempts:
                    raise Retryable(answer.describe())
                self._backoff(attempts)
                continue
            return answer

    def _attempt(self, request: Request, attempt: int) -> Answer | None:
        """One paced try: its answer, or None after a failure worth retrying (backed off)."""
        waited = self.pacer.acquire()
        started, sent_at = time.monotonic(), self.pacer.now()
        try:
            answer = self._exchange(request)
            if answer.status != 429:
                self.pacer.answered(sent_at, answer.remaining())
        except requests.RequestException as exc:
            self._transport_failed(request, exc, attempt)
            return None
        except Retryable as exc:
            if attempt >= self.max_attempts:
                raise
            log.info("%s %s: %s (attempt %d)", request.method, request.path, exc.what, attempt)
            self._backoff(attempt)
            return None
        log.debug(
            "%s %s -> %d in %.0f ms (attempt %d, paced %.0f ms)",
            request.method,
            request.path,
            answer.status,
            (time.monotonic() - started) * 1000,
            attempt,
            waited * 1000,
        )
        return answer

    def _exchange(self, request: Request) -> Answer:
        """Send the request once and read its answer; with ``json_ok``, a 200 that is not
        JSON at all is retryable."""
        resp = self.session.request(
            request.method,
            self.api_url + request.path,
            json=request.body,
            timeout=self.timeout,
            allow_redirects=False,
            stream=True,
        )
        answer = Answer.read(resp, budget=self.timeout[1], limit=request.max_body)
        if request.json_ok and answer.status == 200 and answer.json() is None:
            raise Retryable(
                f"{safe_url(self.api_url)} answered an unreadable body: {answer.describe()}"
            )
        return answer

    def _transport_failed(
        self, request: Request, exc: requests.RequestException, attempt: int
    ) -> None:
        """A try that failed in transport: raise unless it may be retried, else back off."""
        failure = self._describe_exception(exc)
        log.info("%s %s failed: %s (attempt %d)", request.method, request.path, failure, attempt)
        if not_sent(exc):
            raise LemlistUnavailableError(
                f"{request.what} failed: could not send it to lemlist at "
                f"{safe_url(self.api_url)} ({failure}); nothing was sent. Check the "
                f"network and {URL_CONFIG}, then retry."
            ) from None
        if not request.idempotent or attempt >= self.max_attempts:
            raise Retryable(failure) from None
        self._backoff(attempt)

    def _redirected(self, request: Request, answer: Answer) -> UnexpectedAnswerError:
        """A 3xx: never followed; the error names the Location's host only."""
        return UnexpectedAnswerError(
            f"{request.what} failed: {safe_url(self.api_url)} answered HTTP {answer.status}, "
            f"a redirect {redirect_target(answer)}. The provider never follows redirects, so "
            "nothing was sent there and the stack state is unchanged. Set "
            f"{URL_CONFIG} to the final https URL of lemlist's API ({DEFAULT_API_URL}).",
            answer.status,
        )

    def _rate_limited(self, request: Request, answer: Answer, count: int) -> None:
        """A 429: pause every sender of this key for ``Retry-After``; give up after
        ``max_rate_limited`` of them."""
        if count > self.max_rate_limited:
            raise LemlistUnavailableError(
                f"{request.what} failed: lemlist kept answering HTTP 429 (rate limited) "
                f"{count} times; nothing was changed. Another client may be "
                "using the same API key: retry when it is idle."
            )
        pause = answer.retry_after_seconds()
        log.info("%s %s rate limited; pausing %.1f s", request.method, request.path, pause)
        self.pacer.pause(pause)
        self.pacer.rate_limited()

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
            return f"{URL_CONFIG} is not a usable URL"
        if isinstance(exc, requests.exceptions.ContentDecodingError):
            return "the response could not be decompressed"
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return "the response was cut off"
        if not_sent(exc):
            return "connection refused or host unreachable"
        if isinstance(exc, requests.ConnectionError):
            return "the connection was dropped before lemlist answered"
        return type(exc).__name__
