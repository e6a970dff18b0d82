"""What lemlist answered, and what it means: the only place that decides it.

:class:`Answer` is one HTTP answer, read (at most :data:`MAX_BODY` bytes) and closed. The
readers below decide from lemlist's own words only: "gone" is a 404 whose body is
``Email account not found``; "disconnected" is ``{"ok": true}``; "tested" is
``{"smtp": {"success": bool, "error"?: str}, "imap": {...}}``; "connected" is a 2xx JSON
object with a usable ``id``. Anything else is for the client to report as unexpected.
:func:`api_error` turns an error answer into a sentence a user can act on.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from ..config.names import DEFAULT_API_URL, URL_CONFIG
from ..config.teams import key_hint
from ..echo import shown
from ..errors import LemlistAPIError
from .redaction import quote

#: The most bytes read from any answer (after decompression): lemlist's are a few dozen.
MAX_BODY = 64 * 1024
#: The most bytes read from a reading route's answer (``GET /users/{id}``: about 200 bytes per
#: mailbox, so a member's 500 mailboxes exceed :data:`MAX_BODY`): about 40,000 mailboxes.
MAX_LISTING_BODY = 8 * 1024 * 1024
#: lemlist's own words for an id it does not know: the only 404 that means "gone".
GONE_TEXT = "Email account not found"
#: What a mailbox id may look like before it is put in a URL path (lemlist's are ``usm_…``).
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
#: The longest pause a 429's ``Retry-After`` can ask for, and the pause when it names none.
MAX_RETRY_AFTER = 60.0
DEFAULT_RETRY_AFTER = 1.0
KEY_HINT = key_hint(None)
URL_HINT = (
    f"check {URL_CONFIG}: it must point at lemlist's API root ({DEFAULT_API_URL}), "
    "not a proxy, a login page or a path without /api"
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
    rate_remaining: str | None = None
    """``X-RateLimit-Remaining``, as sent (see :meth:`remaining`)."""
    limit: int = MAX_BODY
    """The most bytes that were read of the body."""

    @classmethod
    def read(
        cls, resp: requests.Response, budget: float = math.inf, limit: int = MAX_BODY
    ) -> Answer:
        """Read ``resp``'s body up to ``limit`` bytes (decompressed), then close it.

        The read timeout bounds each wait for a byte; ``budget`` bounds the whole body, so a
        proxy trickling a byte at a time cannot hold an operation for hours: past it, the
        body counts as a read timeout.
        """
        chunks: list[bytes] = []
        size = 0
        truncated = False
        deadline = time.monotonic() + budget
        try:
            for chunk in resp.iter_content(16 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    truncated = True
                    break
                if time.monotonic() > deadline:
                    raise requests.exceptions.ReadTimeout("the body arrived too slowly")
        finally:
            resp.close()
        ctype = resp.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        return cls(
            status=resp.status_code,
            content_type=ctype,
            body=b"".join(chunks)[:limit],
            truncated=truncated,
            location=resp.headers.get("Location"),
            retry_after=resp.headers.get("Retry-After"),
            rate_remaining=resp.headers.get("X-RateLimit-Remaining"),
            limit=limit,
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
        json_type = self.content_type == "application/json" or self.content_type.endswith("+json")
        if self.truncated or not json_type:
            return None
        try:
            return json.loads(self.body.decode("utf-8"), parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return None

    def reason(self) -> str:
        """lemlist's one-line reason (text/plain), or a description of what came instead."""
        if self.truncated:
            return f"a body over {self.limit // 1024} KiB, not read further"
        if not self.body:
            return "an empty body"
        if self.is_html:
            return (
                "an HTML page, likely from a proxy or captive portal, or lemlist's web app "
                f'(an {URL_CONFIG} without /api): "{quote(self.text)}"'
            )
        return quote(self.text)

    def remaining(self) -> int | None:
        """``X-RateLimit-Remaining`` as a count; None when absent or not a small integer."""
        text = (self.rate_remaining or "").strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None

    def retry_after_seconds(self) -> float:
        """Seconds to wait from ``Retry-After`` (seconds or an HTTP date), within
        0..:data:`MAX_RETRY_AFTER`; :data:`DEFAULT_RETRY_AFTER` when absent or unreadable
        (``soon``, ``nan``, a broken date): a 429 is always retried, never a crash."""
        text = (self.retry_after or "").strip()
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

    def describe(self) -> str:
        """What came back: status, content type and a capped, secret-free snippet."""
        ctype = self.content_type or "no content type"
        if self.content_type == "text/plain" and self.body and not self.truncated:
            return f'HTTP {self.status} "{quote(self.text)}"'
        return f"HTTP {self.status} ({ctype}) with {self.reason()}"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# -- what an answer means -------------------------------------------------------------------


def gone(answer: Answer) -> bool:
    """lemlist's own words for an id it does not know; no other 404 counts."""
    return answer.status == 404 and answer.text == GONE_TEXT and not answer.is_html


def disconnected(answer: Answer) -> bool:
    data = answer.json()
    return answer.status == 200 and isinstance(data, dict) and data.get("ok") is True


def tested(answer: Answer) -> dict[str, Any] | None:
    """The documented result of the test endpoint (verify), with lemlist's error texts quoted;
    None for any other."""
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


def connected(answer: Answer) -> dict[str, Any] | None:
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


def redirect_target(answer: Answer) -> str:
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


#: What to do when lemlist says a mailbox already exists, unless the caller knows better
#: (the resource packages phrase adoption; the client does not know them).
ALREADY_CONNECTED = "disconnect it in lemlist and run `pulumi up` again"


def _hint(
    status: int, low: str, label: str, key_hint: str, outcome: str, exists: str
) -> str:
    """What to do about an error answer lemlist documents (or about one it does not)."""
    if status == 401:
        return f"lemlist did not accept the API key: {key_hint}."
    if status == 403 and "member" in low:
        return "user_id must be the id of a member of the API key's team (see GET /team)."
    if status == 403:
        return (
            "this mailbox belongs to another team: set its `team` to the one that owns it "
            "(a team of lemlist:teams, with that team's API key)."
        )
    if "already exists" in low:
        return (
            f"{label} is already connected in lemlist: {exists}."
        )
    if "invalid host" in low:
        return (
            "lemlist refused smtp_host or imap_host (a banned, Gmail, private or "
            "loopback host): use the mail server's public host name."
        )
    if "missing required" in low:
        return "a required field was missing or mistyped; check every input of this mailbox."
    if "bad team" in low:
        return "the API key's team cannot use this API: check it belongs to the right team."
    if status in (404, 405):
        return f"{URL_HINT}."
    if status >= 500:
        return "retry later; if it persists, contact lemlist support with this message."
    return (
        "lemlist does not document this answer for this route, so nothing is concluded "
        f"from it and the stack state is kept ({outcome}); if it persists, contact lemlist "
        "support with this message."
    )


def api_error(
    what: str,
    answer: Answer,
    label: str,
    key_hint: str = KEY_HINT,
    outcome: str = "nothing was changed",
    exists: str = ALREADY_CONNECTED,
) -> LemlistAPIError:
    """Turn an error answer into a sentence: status, lemlist's reason, what to do.

    ``key_hint``: where this client's key is set (a named team's differs from the default).
    ``outcome``: what a refusal leaves (a connect's: "nothing was connected"). ``exists``:
    what to do when lemlist says the mailbox already exists (the caller's advice). A 402 is
    lemlist's plan gate: retrying cannot help until the plan changes, so it never says so."""
    status, reason = answer.status, answer.reason()
    if status == 402:
        hint = f"{outcome}. Upgrade the team's lemlist plan to use it."
        return LemlistAPIError(
            f"{what} failed: your lemlist plan does not include this (lemlist said: {reason}); "
            + hint,
            status,
            reason,
        )
    hint = _hint(status, reason.lower(), label, key_hint, outcome, exists)
    return LemlistAPIError(
        f"{what} failed: lemlist answered {answer.describe()}; {hint}", status, reason
    )
