"""A faithful local emulator of lemlist's email-accounts API, for tests, demos and benchmarks.

In process::

    from lemlist_emulator import Emulator
    from lemlist_emulator.faults import Fault, RandomFaults   # the fault API's value types

    with Emulator(api_keys="test-key") as emu:
        ...  # point a client at emu.url; inspect emu.accounts(), emu.request_log()

As a command: ``python -m lemlist_emulator --help`` (``main`` here). Standard library only and
independent of the provider: it imports nothing from ``lemlist_resource``. Everything not
exported here (the model, the HTTP layer) is internal. See docs/emulator.md.
"""

from __future__ import annotations

from lemlist_emulator.cli import main
from lemlist_emulator.emulator import Emulator

__all__ = ["Emulator", "main"]
