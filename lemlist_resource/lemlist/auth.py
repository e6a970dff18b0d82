"""lemlist's authentication: HTTP Basic with an empty user name and the API key as password."""

from __future__ import annotations

from requests.auth import AuthBase, HTTPBasicAuth
from requests.models import PreparedRequest


class LemlistKeyAuth(AuthBase):
    """Sends ``Authorization: Basic base64(":" + key)``.

    Never the ``?access_token=`` form: a query string ends up in proxy and server logs.
    The key is hidden from ``repr``; the client redacts it (and this header's form of it)
    from every answer it quotes.
    """

    __slots__ = ("_basic",)

    def __init__(self, api_key: str) -> None:
        self._basic = HTTPBasicAuth("", api_key)

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        signed: PreparedRequest = self._basic(r)
        return signed

    def __repr__(self) -> str:
        return "LemlistKeyAuth(api_key=[redacted])"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("LemlistKeyAuth holds a credential and is never serialized")
