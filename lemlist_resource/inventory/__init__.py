"""Sender inventories kept in git: per-stack configuration, offline lint and review summary.

``model`` parses a stack's configuration into senders, ``stackfile`` reads a stack file
offline (passwords as stored, never decrypted), ``lint`` checks it with the provider's
own rules, ``review`` summarizes a change for a pull request, and ``program``
(the only part that needs the Pulumi runtime) declares the resources. Run
``python -m lemlist_resource.inventory --help`` for the command line.
"""

from __future__ import annotations

from .lint import lint
from .model import PROJECT, Inventory, Problem, Sender, build_inventory
from .review import Review, load, review
from .stackfile import StackFile, StackFileError, parse_stack, read_stack

__all__ = [
    "PROJECT",
    "Inventory",
    "Problem",
    "Review",
    "Sender",
    "StackFile",
    "StackFileError",
    "build_inventory",
    "lint",
    "load",
    "parse_stack",
    "read_stack",
    "review",
]
