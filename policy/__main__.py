"""The lemlist sender policy pack, as Pulumi runs it: ``pulumi preview --policy-pack policy``.

Pulumi starts ``python -m pulumi.policy <engine> .`` in this directory (inside the
virtualenv named in PulumiPolicy.yaml), which runs this file; ``PolicyPack`` then serves the
policies over gRPC until Pulumi stops it. The policies live in :mod:`lemlist_policies`.
"""

from lemlist_policies import policies
from pulumi_policy import PolicyPack

PolicyPack(name="lemlist-senders", policies=policies())
