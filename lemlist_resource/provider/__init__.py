"""The path every stack's state names its EmailAccount provider by: keep it importable.

Each resource's state holds its provider pickled by reference, as
``lemlist_resource.provider.EmailAccountProvider``; the dynamic-provider host imports this
path to serve any operation on an existing resource. The class lives in
:mod:`lemlist_resource.email_account.provider` and still pickles under this path (its
``__module__``), so removing or renaming this module breaks every existing stack.

A package rather than a ``provider.py`` file so that git sees the class's module move as a
rename (``tests/test_state_compat.py`` proves old states still load).
"""

from __future__ import annotations

from ..email_account.provider import EmailAccountProvider

__all__ = ["EmailAccountProvider"]
