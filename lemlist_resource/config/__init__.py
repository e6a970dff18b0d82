"""The provider's configuration: ``names`` (config keys, environment variables), ``teams``
(``lemlist:teams``), ``settings`` (keys and URLs resolved) and ``teamclients`` (one client
per team)."""
