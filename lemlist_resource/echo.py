"""What the provider echoes back to a user: one cap for every value, URLs without secrets.

Every value an error, a check failure or the lint repeats goes through :func:`shown`, so a
10 KB input (or a 10 KB proxy page) comes back as at most :data:`ECHO_LIMIT` characters,
with control characters escaped (a value can never rewrite the user's terminal). Every URL
goes through :func:`safe_url`, which keeps scheme, host, port and path only: never
``user:password@`` nor a ``?access_token=`` query. Standard library only: the emulator and
the lint import it without Pulumi.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["ECHO_LIMIT", "clip", "safe_url", "shown"]

#: The most characters of any one value that a message repeats.
ECHO_LIMIT = 120


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` with control characters escaped, cut to at most ``limit`` characters.

    A cut text ends in ``... (N characters)``, so the user knows it was cut.
    """
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(escaped) <= limit:
        return escaped
    tail = f"... ({len(text)} characters)"
    return escaped[: max(limit - len(tail), 8)] + tail


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` for a message: a string quoted (``'alice@acme.com'``), anything else as its
    ``repr``, always through :func:`clip`."""
    if isinstance(value, str):
        return "'" + clip(value, limit - 2) + "'"
    return clip(repr(value), limit)


def safe_url(url: str) -> str:
    """``url`` without userinfo, query or fragment (``https://host:port/path``), capped.

    Never raises: an unparsable URL is reported as such rather than echoed.
    """
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
