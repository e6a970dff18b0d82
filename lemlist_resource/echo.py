"""What the provider echoes back to a user: one cap for every value, URLs without secrets.

Every value an error, a check failure, the lint or the review repeats goes through
:func:`shown` (or :func:`plain`, unquoted), so a 10 KB input (or a 10 KB proxy page) comes
back as at most :data:`ECHO_LIMIT` characters, with control characters escaped (a value can
never rewrite the user's terminal). The cut is made *before* anything is turned into text:
a huge string is sliced, a nested value is rendered by :mod:`reprlib` with a few items per
level, so a YAML "billion laughs" value costs a few hundred characters, never gigabytes.
Every URL goes through :func:`safe_url`, which keeps scheme, host, port and path only: never
``user:password@`` nor a ``?access_token=`` query. Standard library only: the emulator and
the lint import it without Pulumi.
"""

from __future__ import annotations

import reprlib
from urllib.parse import urlsplit

__all__ = ["ECHO_LIMIT", "clip", "plain", "safe_url", "shown"]

#: The most characters of any one value that a message repeats.
ECHO_LIMIT = 120


class _BoundedRepr(reprlib.Repr):
    """``repr`` with every part bounded: a few items per level, a few levels, short texts."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxlong, self.maxother = 3, limit, limit, limit
        self.maxdict = self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = 6
        self.maxdeque = self.maxarray = 6

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 4 * self.maxlong:  # never build the digits of a huge number
            return f"<a {x.bit_length()}-bit number>"
        return super().repr_int(x, level)

    def repr_str(self, x: str, level: int) -> str:
        return super().repr_str(x[: self.maxstring + 1], level)


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` with control characters escaped, cut to at most ``limit`` characters.

    Only the first ``limit`` characters are ever looked at. A cut text ends in
    ``... (N characters)``, so the user knows it was cut.
    """
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    if len(escaped) <= limit and len(text) <= limit:
        return escaped
    tail = f"... ({len(text)} characters)"
    return escaped[: max(limit - len(tail), 8)] + tail


def _text(value: object, limit: int) -> str:
    """``value``'s bounded repr (never the whole value turned into text first)."""
    try:
        return _BoundedRepr(limit).repr(value)
    except Exception:  # a foreign object whose __repr__ fails: name its type only
        return f"<{type(value).__name__}>"


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` for a message: a string quoted (``'alice@acme.com'``), anything else as its
    (bounded) ``repr``, always through :func:`clip`."""
    if isinstance(value, str):
        return "'" + clip(value, limit - 2) + "'"
    return clip(_text(value, limit), limit)


def plain(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` unquoted (a string as is, ``true``/``false``, else the bounded repr),
    through :func:`clip`: for Markdown and tables, where quotes would be noise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return clip(value, limit)
    return clip(_text(value, limit), limit)


def code(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` as inline Markdown code, safe in a list item: through :func:`plain` (escaped,
    cut), on one line, without a backtick that would end the span; None is ``_unset_``."""
    if value is None:
        return "_unset_"
    text = " ".join(plain(value, limit).split()).replace("`", "'")
    return f"`{text}`"


def safe_url(url: str) -> str:
    """``url`` without userinfo, query or fragment (``https://host:port/path``), capped.

    Never raises: an unparsable URL is reported as such rather than echoed.
    """
    url = url[:2048]  # no URL worth parsing is longer; the rest is never looked at
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        # Still drop everything that may carry a credential before echoing what is left.
        raw = url.strip().split("?", 1)[0].split("#", 1)[0]
        scheme, sep, rest = raw.rpartition("://")
        rest = rest.rsplit("@", 1)[-1]
        return clip(f"{scheme}{sep}{rest}")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    text = f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else netloc + parts.path
    return clip(text)
