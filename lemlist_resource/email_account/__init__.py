"""The EmailAccount resource: a lemlist custom SMTP/IMAP mailbox.

``schema`` (its property table), ``adoption`` and ``changes`` (what a message or a diff says),
``client`` (lemlist's email-account routes), ``verify``, ``directory``, ``refresh`` and
``creation`` (the operations), ``provider`` (Pulumi's CRUD) and ``resource``. Nothing is
imported here; the public names are exported lazily by :mod:`lemlist_resource`.
"""
