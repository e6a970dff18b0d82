"""Where a DMARC record sends its aggregate reports (``rua``), and whether an external
destination agreed to receive them (RFC 7489 §7.1).

When the destination's organizational domain differs from the policy domain's, receivers
look for ``<policy domain>._report._dmarc.<destination> TXT "v=DMARC1"`` and drop the
reports when it is missing. The rule is short and ours: checkdmarc's
``verify_dmarc_report_destination`` does it, but was judged and not used (see
:mod:`.dmarc`): it reads through a cache of its own that outlives the run's budget, and it
takes a failed lookup for "not authorized" where we say "could not check".
"""

from __future__ import annotations

from ..echo import plain, shown
from .domains import organizational_domain
from .findings import Finding, Status
from .lookup import Lookup, Outcome

DMARC = "DMARC"


def destination(uri: str) -> str | None:
    """The domain a ``mailto:`` report URI sends to (``!size`` dropped); None otherwise."""
    scheme, _, rest = uri.strip().partition(":")
    if scheme.lower() != "mailto":
        return None
    address = rest.partition("!")[0]
    _, at, domain = address.rpartition("@")
    domain = domain.strip().lower().rstrip(".")
    return domain if at and domain else None


def _authorization(lookup: Lookup, policy_domain: str, dest: str) -> Finding:
    answer = lookup.query(f"{policy_domain}._report._dmarc.{dest}", "TXT")
    where = answer.record
    if answer.outcome is Outcome.FAILED:
        return Finding(DMARC, Status.NOT_CHECKED, where, answer.reason)
    if any(r.strip().startswith("v=DMARC1") for r in answer.records):
        return Finding(DMARC, Status.OK, where, f"{plain(dest)} accepts the aggregate reports")
    org = organizational_domain(policy_domain)
    return Finding(
        DMARC,
        Status.WARNING,
        where,
        (
            f"rua sends aggregate reports to {shown(dest)}, which has not agreed to receive "
            f"reports about {policy_domain}: receivers look for TXT '{answer.name}' "
            "'v=DMARC1' and drop the reports without it (RFC 7489 §7.1). Publish that record "
            f"in {plain(dest)}'s DNS (your report service says so), or send rua to an address "
            f"at {org}"
        ),
    )


def report_findings(lookup: Lookup, policy_domain: str, rua: list[str]) -> list[Finding]:
    """One finding per external ``rua`` destination of the policy found at
    ``_dmarc.<policy_domain>``; destinations on its organizational domain need none."""
    org = organizational_domain(policy_domain)
    external = {
        dest
        for dest in map(destination, rua)
        if dest is not None and organizational_domain(dest) != org
    }
    return [_authorization(lookup, policy_domain, dest) for dest in sorted(external)]
