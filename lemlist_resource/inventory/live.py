"""The live review (opt-in: it needs an API key): stack files compared with lemlist itself.

Per team, lemlist's listing (:mod:`..email_account.directory`, the listing refresh reads) is
compared with the senders of the stack files: custom mailboxes connected in lemlist but in no sender
(unmanaged: silent orphans, or mailboxes connected by hand), and senders whose mailbox lemlist
reports in ``ERROR`` or ``DISCONNECTED``. Keys come from the environment only (never from a
stack file, which holds them encrypted): ``LEMLIST_API_KEY`` for the default team,
``LEMLIST_API_KEY_<TEAM>`` (upper case, ``-`` as ``_``) for a team of ``lemlist:teams``.
Reads only; never loads Pulumi.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..config.names import DEFAULT_API_URL, KEY_ENV, TEAMS_CONFIG, URL_CONFIG, URL_ENV
from ..config.settings import check_api_url
from ..config.teams import URL_FIELD
from ..echo import code, plain, shown
from ..email_account.client import LemlistClient
from ..email_account.directory import Listing
from ..errors import LemlistError
from ..lemlist.listing import Mailbox
from .campaigns import Change, campaign_lines
from .livelist import MEMBER_CAP, Progress, live_listing, sender_mailbox
from .model import Sender
from .stackfile import StackFile

__all__ = ["TeamReport", "compare", "has_findings", "key_env", "live_markdown", "live_reports"]

UNHEALTHY = ("ERROR", "DISCONNECTED")


def key_env(team: str | None) -> str:
    """The environment variable holding ``team``'s key (None: the default team's)."""
    return KEY_ENV if team is None else f"{KEY_ENV}_{re.sub(r'[^A-Z0-9]', '_', team.upper())}"


@dataclass
class TeamReport:
    """What lemlist says about one team, against the senders of that team."""

    team: str | None
    unmanaged: list[Mailbox] = field(default_factory=list)
    unhealthy: list[tuple[Sender, Mailbox]] = field(default_factory=list)
    note: str | None = None  # why the listing is missing or partial
    #: The running campaigns of each sender the PR replaces or removes (rendered lines).
    campaigns: list[str] = field(default_factory=list)


def _senders_by_team(stacks: Sequence[StackFile]) -> dict[str | None, list[Sender]]:
    teams: dict[str | None, list[Sender]] = {}
    for stack in stacks:
        for sender in stack.inventory.senders.values():
            teams.setdefault(_team_of(sender), []).append(sender)
        raw = stack.config.get(TEAMS_CONFIG)
        for name in raw if isinstance(raw, Mapping) else ():
            teams.setdefault(str(name), [])
    return teams


def _url(stacks: Sequence[StackFile], team: str | None, env: Mapping[str, str]) -> str:
    """The team's API root: its ``apiUrl`` in a stack file, else the default team's."""
    url = env.get(URL_ENV) or DEFAULT_API_URL
    for stack in stacks:
        if isinstance(stack.config.get(URL_CONFIG), str):
            url = str(stack.config[URL_CONFIG])
        entry = (stack.config.get(TEAMS_CONFIG) or {}).get(team) if team else None
        if isinstance(entry, Mapping) and isinstance(entry.get(URL_FIELD), str):
            url = str(entry[URL_FIELD])
    return check_api_url(url)


def compare(team: str | None, senders: list[Sender], listing: Listing) -> TeamReport:
    """Unmanaged custom mailboxes and unhealthy senders of one team."""
    report = TeamReport(team, note=listing.note)
    if listing.mailboxes is None:
        return report
    managed: set[str] = set()
    for sender in senders:
        mailbox = sender_mailbox(sender, listing)
        if mailbox is not None:
            managed.add(mailbox.id)
            if mailbox.status in UNHEALTHY:
                report.unhealthy.append((sender, mailbox))
    addresses = {s.email.lower() for s in senders if s.email}
    report.unmanaged = [
        m
        for m in listing.mailboxes
        if m.provider == "custom" and m.id not in managed and m.email.lower() not in addresses
    ]
    return report


Connect = Callable[[str, str], LemlistClient]


def live_reports(
    stacks: Sequence[StackFile],
    env: Mapping[str, str] | None = None,
    client: Connect = LemlistClient,
    cap: int = MEMBER_CAP,
    progress: Progress | None = None,
    changes: Sequence[Change] = (),
) -> list[TeamReport]:
    """One report per team the stack files use (or define), read from lemlist: at most
    ``cap`` members per team, a progress line to ``progress`` on long listings."""
    environ = os.environ if env is None else env
    reports = []
    for team, senders in _senders_by_team(stacks).items():
        key = environ.get(key_env(team), "").strip()
        if not key:
            reports.append(TeamReport(team, note=f"not checked: {key_env(team)} is not set"))
            continue
        try:
            said = None if progress is None else _labelled(progress, team)
            api = client(_url(stacks, team, environ), key)
            listing = live_listing(api, cap, said)
            report = compare(team, senders, listing)
            mine = [(verb, s) for verb, s in changes if _team_of(s) == team]
            report.campaigns = campaign_lines(api, mine, listing) if mine else []
        except LemlistError as exc:
            reports.append(TeamReport(team, note=f"not checked: {exc.message}"))
            continue
        reports.append(report)
    return reports


def _team_of(sender: Sender) -> str | None:
    team = sender.inputs.get("team")
    return team if isinstance(team, str) and team else None


def _one_line(text: str) -> str:
    """A note (already quoted: escaped, cut) on one Markdown line."""
    return " ".join(plain(text, 2000).split())


def _labelled(progress: Progress, team: str | None) -> Progress:
    return lambda line: progress(f"{line} of {_team_label(team)}")


def _team_label(team: str | None) -> str:
    return f"team {shown(team)}" if team else "the default team"


def _lines(report: TeamReport) -> list[str]:
    note = f": {_one_line(report.note)}" if report.note else ""
    lines = [f"- {_team_label(report.team)}{note}"]
    for mailbox in report.unmanaged:
        status = plain(mailbox.status) if mailbox.status else "status not given"
        lines.append(
            f"  - unmanaged: {code(mailbox.email)} ({code(mailbox.id)}, {status}) is connected in "
            "lemlist but in no sender: add a sender with `adopt: true` to manage it, or "
            "disconnect it in lemlist if nobody uses it"
        )
    for sender, mailbox in report.unhealthy:
        lines.append(
            f"  - ⚠ {code(sender.key)} — {code(sender.email)} ({code(mailbox.id)}): lemlist "
            f"reports it {plain(mailbox.status)}; it does not send. Fix its password or "
            "settings, or reconnect it (`pulumi destroy --target` on its URN, then `pulumi up`)"
        )
    lines += [f"  - {line}" for line in report.campaigns]
    if len(lines) == 1 and report.note is None:
        lines[0] += ": every custom mailbox is managed, none in ERROR or DISCONNECTED"
    return lines


def live_markdown(reports: Sequence[TeamReport]) -> str:
    """The live review as a Markdown section."""
    out = ["#### lemlist now (live)", ""]
    for report in reports:
        out += _lines(report)
    return "\n".join([*out, ""])


def has_findings(reports: Sequence[TeamReport]) -> bool:
    """Whether any team has an unmanaged mailbox or an unhealthy sender."""
    return any(r.unmanaged or r.unhealthy for r in reports)
