"""A faithful local emulator of lemlist's email-accounts API, for tests, demos and benchmarks.

In process::

    from lemlist_resource.emulator import Emulator, Fault, RandomFaults

    with Emulator(api_keys={"test-key": "team_1"}) as emu:
        ...  # point a client at emu.url; inspect emu.accounts(), emu.request_log()

As a command: ``python -m lemlist_resource.emulator --help``. Standard library only; the
provider never imports this package.
"""

from __future__ import annotations

from lemlist_resource.emulator.backend import Backend, LemlistRefusal
from lemlist_resource.emulator.core import DEFAULT_TEAM, Emulator, RequestRecord
from lemlist_resource.emulator.faults import Fault, FaultKind, RandomFaults
from lemlist_resource.emulator.ratelimit import RateLimiter

__all__ = [
    "DEFAULT_TEAM",
    "Backend",
    "Emulator",
    "Fault",
    "FaultKind",
    "LemlistRefusal",
    "RandomFaults",
    "RateLimiter",
    "RequestRecord",
]
