"""The online deliverability checks of a stack file (``lint --dns``, ``diff --dns``).

Which senders are checked (each with a valid address), with which DKIM selectors
(``dkim_selector`` on the sender, else ``lemlist-senders:dkim`` for its domain), and how
findings are shown: as lint lines (errors fail the lint; warnings and notes do not) and as
a Markdown section of the review summary. The checks themselves are
:mod:`lemlist_resource.deliverability`'s. The offline lint only calls :func:`dkim_problems`
(the shape of the selectors), which makes no lookup.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

import dns.resolver

from ..deliverability import (
    CHECKS,
    DEFAULT_BUDGET,
    DEFAULT_TIMEOUT,
    Checker,
    DomainReport,
    Finding,
    Lookup,
    Mailbox,
    Status,
    selector_problem,
    selectors,
    sender_domain,
)
from ..deliverability.lookup import check_limits
from ..echo import shown
from ..rules.validation import email_problem
from .model import DKIM_KEY, Problem
from .stackfile import StackFile

#: How each status is shown in the summary table.
ICONS = {
    Status.OK: "✅",
    Status.WARNING: "⚠️",
    Status.ERROR: "❌",
    Status.CANNOT_TELL: "❔ cannot tell",
    Status.NOT_CHECKED: "❔ could not check",
}


def dkim_problems(stack: StackFile) -> list[Problem]:
    """Selectors that are not DNS names, in ``lemlist-senders:dkim`` or on a sender."""
    problems: list[Problem] = []
    raw = stack.config.get(DKIM_KEY)
    if raw is not None and not isinstance(raw, Mapping):
        problems.append(Problem(None, DKIM_KEY, "must be a map of sender domain: selector"))
    for domain, value in raw.items() if isinstance(raw, Mapping) else []:
        for item in value if isinstance(value, list) else [value]:
            reason = selector_problem(item)
            if reason:
                problems.append(Problem(None, f"{DKIM_KEY}.{domain}", f"{shown(item)} {reason}"))
    for key, sender in stack.inventory.senders.items():
        value = sender.dkim_selector
        for item in [] if value is None else value if isinstance(value, list) else [value]:
            reason = selector_problem(item)
            if reason:
                problems.append(Problem(key, "dkim_selector", f"{shown(item)} {reason}"))
    return problems


def mailboxes(stack: StackFile) -> list[Mailbox]:
    """The senders to check: those with a valid address, with their hosts and selectors."""
    raw = stack.config.get(DKIM_KEY)
    by_domain = {str(k).lower(): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    found: list[Mailbox] = []
    for key, sender in stack.inventory.senders.items():
        domain = sender_domain(sender.email)
        if domain is None or email_problem(sender.email):
            continue
        named = selectors(sender.dkim_selector) or selectors(by_domain.get(domain))
        smtp, imap = sender.inputs.get("smtp_host"), sender.inputs.get("imap_host")
        found.append(
            Mailbox(
                key,
                domain,
                smtp if isinstance(smtp, str) else None,
                imap if isinstance(imap, str) else None,
                named,
            )
        )
    return found


def _problem(report: DomainReport, finding: Finding) -> Problem:
    where = f"{finding.check} {finding.record}"
    if len(finding.senders) == 1:
        return Problem(finding.senders[0], where, finding.message)
    keys = finding.senders or report.senders
    return Problem(
        None, f"domain {shown(report.domain)} ({', '.join(keys)}): {where}", finding.message
    )


def lint_lines(reports: list[DomainReport], path: str) -> tuple[list[str], list[str]]:
    """The lint's lines for these reports, and the subset that are errors (failing)."""
    lines: list[str] = []
    errors: list[str] = []
    prefixes = {Status.WARNING: "warning: ", Status.CANNOT_TELL: "note: ", Status.OK: "ok: "}
    for report in reports:
        for finding in report.findings:
            text = _problem(report, finding).render(path)
            if finding.status is Status.ERROR:
                errors.append(text)
            elif finding.status is Status.NOT_CHECKED:
                lines.append(f"note: could not check: {text}")
            else:
                lines.append(prefixes[finding.status] + text)
    return errors + lines, errors


def markdown(reports: list[DomainReport]) -> str:
    """The review summary's section: one row per domain, then what to fix."""
    out = ["#### Deliverability (DNS)", ""]
    if not reports:
        return "\n".join([*out, "No sender domain to check.", ""])
    out += ["| domain | senders | " + " | ".join(CHECKS) + " |", "|---" * (len(CHECKS) + 2) + "|"]
    for report in reports:
        cells = [ICONS[s] if (s := report.status(c)) else "—" for c in CHECKS]
        out.append(
            f"| `{report.domain}` | {', '.join(report.senders)} | " + " | ".join(cells) + " |"
        )
    details = [
        f"- {ICONS[f.status]} **{f.check}** `{f.record}`"
        + (f" ({', '.join(f.senders)})" if f.senders else "")
        + f": {f.message.replace('`', chr(39))}"
        for r in reports
        for f in r.findings
        if f.status is not Status.OK
    ]
    return "\n".join([*out, "", *details, ""])


def add_options(parser: argparse.ArgumentParser) -> None:
    """``--dns`` and its settings, for ``lint`` and ``diff``."""
    group = parser.add_argument_group("deliverability (online, opt-in)")
    group.add_argument(
        "--dns",
        action="store_true",
        help="also check each sender domain's MX, SPF, DMARC and DKIM in DNS",
    )
    group.add_argument(
        "--dns-server",
        action="append",
        metavar="ADDRESS[:PORT]",
        help="resolver to ask (repeatable); default: the system's",
    )
    group.add_argument(
        "--dns-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="per lookup (default %(default)s)",
    )
    group.add_argument(
        "--dns-budget",
        type=float,
        default=DEFAULT_BUDGET,
        metavar="SECONDS",
        help="for all lookups of the run (default %(default)s)",
    )


def checker(args: argparse.Namespace) -> Checker:
    """The run's checker from the options. Raises ValueError with a sentence when unusable."""
    check_limits(args.dns_timeout, args.dns_budget)
    try:
        return Checker(Lookup(args.dns_server, args.dns_timeout, args.dns_budget))
    except dns.resolver.NoResolverConfiguration:
        raise ValueError(
            "no DNS resolver configured on this machine: give --dns-server ADDRESS"
        ) from None
    except ValueError as exc:
        raise ValueError(f"--dns-server: {exc}: give an IP address, optionally :PORT") from None
