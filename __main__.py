"""Pulumi program: one lemlist sender mailbox per sender in the stack's configuration.

The logic lives in :mod:`lemlist_resource.inventory.program` so that it is tested; see
docs/gitops.md for the configuration format.
"""

from lemlist_resource.inventory.program import run

run()
