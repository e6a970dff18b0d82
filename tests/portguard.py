"""No test binds a fixed port, checked where it happens: every bind in the test process.

``tests/test_no_fixed_ports.py`` reads the suite's source for ports written out; a port taken
by default (an emulator's command line parsed without ``--port``: 8787) is not written
anywhere, and the suite then fails beside a running dev stack with "Address already in use".
So every IPv4/IPv6 bind of the test process goes through :func:`guarded_bind`: port 0 (the
system picks) and a port the system has handed out to this process before (a test's
"free port", taken with port 0 and given to a server) are bound; any other port is refused,
naming it, before the system is asked.
"""

from __future__ import annotations

import socket
from typing import Any

#: Every port the system picked for a bind of this process (port 0).
HANDED_OUT: set[int] = set()

_bind = socket.socket.bind


class FixedPortError(OSError):
    """A test bound a port it did not get from the system."""


def guarded_bind(sock: socket.socket, address: Any) -> None:
    """``socket.bind`` for the tests: only port 0 and ports the system handed out."""
    inet = sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
    port = address[1] if inet else 0
    if inet and port and port not in HANDED_OUT:
        raise FixedPortError(
            f"a test binds the fixed port {port}, which a running dev stack's emulator (8787) "
            "or another checkout's suite may hold: bind port 0 (or pass --port 0) and read the "
            "port the system picked"
        )
    _bind(sock, address)
    if inet:
        HANDED_OUT.add(sock.getsockname()[1])


def install() -> None:
    """Route every bind of this process through :func:`guarded_bind`."""
    socket.socket.bind = guarded_bind  # type: ignore[method-assign,assignment]
