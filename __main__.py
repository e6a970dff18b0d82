"""Pulumi program: one lemlist sender mailbox per sender in the stack's configuration.

The logic lives in :mod:`lemlist_resource.inventory.program` so that it is tested; see
the README ("Managing senders through pull requests") for the configuration format.
"""

from lemlist_resource.inventory.program import run

run()
