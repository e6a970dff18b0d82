"""The local DNS server, and the guard that keeps every test here off real resolvers.

The system's resolver is off in every test of the suite (tests/conftest.py's
``no_system_resolver``: only a test that names its server can resolve). Here, in addition,
every UDP or TCP send to anything but the local server is refused before it leaves and
recorded; a test fails at teardown when one was attempted, unless it expected it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from .dnsserver import LocalDNS


@pytest.fixture(scope="session")
def local_dns() -> Iterator[LocalDNS]:
    server = LocalDNS()
    yield server
    server.stop()


class Guard:
    """Refuses and records sends to anything but the local DNS server."""

    def __init__(self, server: LocalDNS) -> None:
        self.server = server
        self.refused: list[tuple[Any, ...]] = []
        self.expected = False

    def allows(self, sock: socket.socket, address: Any) -> bool:
        ours = sock.family in (socket.AF_INET, socket.AF_INET6) and (
            sock.getsockname()[1] == self.server.port  # the server's replies
        )
        return ours or tuple(address[:2]) == ("127.0.0.1", self.server.port)


@pytest.fixture(autouse=True)
def no_real_resolver(local_dns: LocalDNS, monkeypatch: pytest.MonkeyPatch) -> Iterator[Guard]:
    guard = Guard(local_dns)
    real_sendto, real_connect = socket.socket.sendto, socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def sendto(sock: socket.socket, data: bytes, *args: Any) -> int:
        if not guard.allows(sock, args[-1]):
            guard.refused.append(tuple(args[-1]))
            raise OSError(f"test guard: no DNS query may leave the machine ({args[-1]})")
        return real_sendto(sock, data, *args)

    def connect(sock: socket.socket, address: Any) -> None:
        if not guard.allows(sock, address):
            guard.refused.append(tuple(address))
            raise OSError(f"test guard: no connection may leave the machine ({address})")
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if not guard.allows(sock, address):
            guard.refused.append(tuple(address))
            raise OSError(f"test guard: no connection may leave the machine ({address})")
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield guard
    assert guard.expected or not guard.refused, f"a test tried to reach {guard.refused}"
