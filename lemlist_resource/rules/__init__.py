"""lemlist's rules, offline and standard library only (``check``, the lint and the policy pack
apply the same ones): ``validation``, ``addresses`` (IP literals), ``relays``."""
