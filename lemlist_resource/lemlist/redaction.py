"""Redaction scoped to one provider operation: its API key and its two passwords, nothing else.

Design. The first defence is construction: no error is ever built from a request body or a
request header. Messages are our own fixed words plus non-secret inputs (the sender address,
the hosts, the mailbox id) plus *quoted foreign text*: what lemlist (or a proxy) answered, and
the text of an exception we did not raise. Only foreign text can carry a credential back (a
server echoing the request, a library printing a value), so only foreign text is redacted,
through :func:`quote`, at the moment it is put into a message. Our own words are never
rewritten: with a password ``mail``, "mailbox alice@acme-mail.com" stays as it is, while a
reply echoing ``mail`` reads ``[redacted]``.

What is redacted is the current operation's secrets — not every secret the process ever saw:
the API key, its Basic-auth form ``base64(":" + key)`` (what the ``Authorization`` header
carries), and each password as typed and JSON-escaped (what the request body carries), of any
length (one shorter than :data:`SHORT` characters where it stands apart from letters and
digits, so that foreign text stays readable too). :func:`scope` sets them for the duration of
one operation (a context variable, so concurrent operations of the provider host's threads
never mix); :func:`guarded` wraps a provider method in that scope and is the last guard where
errors leave the provider: an exception that is not one of ours becomes a
:class:`~..errors.LemlistError` whose text is quoted (redacted, capped) and whose traceback
chain is dropped. Nothing is process-wide, so no test ever resets a global.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from ..echo import ECHO_LIMIT, clip
from ..errors import LemlistError

__all__ = ["REDACTED", "forms", "guarded", "operation_secrets", "quote", "redact", "scope"]

REDACTED = "[redacted]"
#: From this length on a secret is redacted wherever it occurs, even inside a word.
SHORT = 8
F = TypeVar("F", bound=Callable[..., Any])


class Secrets(frozenset[str]):
    """A set of secret strings that never shows them: not in ``repr``, never pickled."""

    def __repr__(self) -> str:
        return f"Secrets([{len(self)} redacted])"

    __str__ = __repr__

    def __or__(self, other: Iterable[str]) -> Secrets:  # type: ignore[override]
        return Secrets(frozenset.union(self, other))

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("Secrets are never serialized")


_CURRENT: ContextVar[Secrets] = ContextVar("lemlist_secrets", default=Secrets())  # noqa: B039 -- immutable


def forms(api_key: str | None = None, passwords: Iterable[object] = ()) -> Secrets:
    """Every spelling of the secrets that a request carries and a reply could echo."""
    found: set[str] = set()
    if api_key:
        found.add(api_key)
        found.add(base64.b64encode(f":{api_key}".encode()).decode())
    for password in passwords:
        if isinstance(password, str) and password:
            found.add(password)
            found.add(json.dumps(password)[1:-1])  # what requests puts in the body (ASCII)
            found.add(json.dumps(password, ensure_ascii=False)[1:-1])
    return Secrets(found)


def operation_secrets(provider: object, *args: Any, **kwargs: Any) -> Secrets:
    """The secrets of one provider call: the configured API keys (``provider._settings``:
    the default team's and every ``lemlist:teams`` key) and every password among the
    property maps it was given (plain, or as the engine's secret wrapper ``{sig, value}``).
    Which properties are secret is the provider's data (``provider.secret_fields``): the
    client knows no resource's schema."""
    settings = getattr(provider, "_settings", None)
    secret_fields: Iterable[str] = getattr(provider, "secret_fields", ())
    passwords: list[object] = []
    for props in (*args, *kwargs.values()):
        if not isinstance(props, dict):
            continue
        for name in secret_fields:
            value = props.get(name)
            passwords.append(value.get("value") if isinstance(value, dict) else value)
    secrets = forms(None, passwords)
    for key in getattr(settings, "api_keys", ()):
        secrets = secrets | forms(key)
    return secrets


def _pattern(secret: str) -> re.Pattern[str]:
    """Where ``secret`` counts as present: anywhere once it is :data:`SHORT` characters or
    longer; a shorter one only where it stands apart from letters and digits, so that a
    password ``mail`` is caught in "password mail" or "pw=mail;" but leaves lemlist's
    "This SMTP mailbox already exists" readable."""
    body = re.escape(secret)
    if len(secret) >= SHORT:
        return re.compile(body)
    before = r"(?<!\w)" if re.match(r"\w", secret[0]) else ""
    after = r"(?!\w)" if re.match(r"\w", secret[-1]) else ""
    return re.compile(before + body + after)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with each secret of the current scope (and ``extra``) replaced, longest first."""
    for secret in sorted({*_CURRENT.get(), *extra}, key=len, reverse=True):
        if secret and secret in text:
            text = _pattern(secret).sub(REDACTED, text)
    return text


def quote(text: str, extra: Iterable[str] = (), limit: int = ECHO_LIMIT) -> str:
    """Foreign text ready for a message: redacted first (so a cut never splits a secret that
    would then escape), then control characters escaped and cut to ``limit``."""
    return clip(redact(text, extra), limit)


@contextlib.contextmanager
def scope(secrets: Iterable[str]) -> Iterator[None]:
    """Add ``secrets`` to the current operation's for the duration of the ``with`` block."""
    token = _CURRENT.set(_CURRENT.get() | secrets)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def guarded(
    what: str, secrets: Callable[..., Iterable[str]] = operation_secrets
) -> Callable[[F], F]:
    """Run a provider method in the scope of ``secrets(self, *args)``; let only our errors out.

    A :class:`~..errors.LemlistError` passes unchanged (it is built from our words and quoted
    text). Any other exception — a bug, a library surprise — leaves as a LemlistError that
    says which operation failed and quotes the exception's text, redacted and capped, with
    its chain dropped so that no traceback repeats the raw text.
    """

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            with scope(secrets(self, *args, **kwargs)):
                try:
                    return method(self, *args, **kwargs)
                except LemlistError:
                    raise
                except Exception as exc:  # the boundary: nothing else leaves the provider
                    detail = quote(f"{type(exc).__name__}: {exc}")
                    raise LemlistError(
                        f"The lemlist provider's {what} failed unexpectedly ({detail}); "
                        "please report this message to the provider's maintainers."
                    ) from None

        return wrapper  # type: ignore[return-value]

    return decorate
