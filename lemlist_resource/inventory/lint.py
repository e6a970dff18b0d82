"""Offline lint of stack files: the provider's own ``check`` rules plus inventory rules.

Every sender's merged inputs go through :func:`lemlist_resource.rules.validation.validate`, the
function the provider's ``check`` calls, so CI refuses exactly what ``pulumi preview``
would. Passwords are never read: a stored secret stands in as a placeholder.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..config.names import DEFAULT_API_URL, KEY_CONFIG, KEY_ENV, TEAMS_CONFIG, URL_CONFIG
from ..config.settings import check_api_url
from ..config.teams import (
    KEY_FIELD,
    TeamsConfigError,
    read_teams,
    set_key_command,
    team_name_problem,
    unknown_team_reason,
)
from ..echo import clip, shown
from ..errors import ConfigurationError
from ..rules.relays import SOURCE as RELAYS_SOURCE
from ..rules.relays import unsupported_relay
from ..rules.validation import validate
from .dnslint import dkim_problems
from .model import Problem
from .passwords import PASSWORD_PARTS, is_secure
from .stackfile import StackFile

#: Stands in for a stored password during validation; never a real value.
PLACEHOLDER = "<secret>"


def sender_problems(stack: StackFile) -> list[Problem]:
    """What the provider's ``check`` would refuse, per sender and field."""
    problems: list[Problem] = []
    for key, sender in stack.inventory.senders.items():
        props = dict(sender.inputs)
        props.update(dict.fromkeys(PASSWORD_PARTS.values(), PLACEHOLDER))
        _, failures = validate(props)
        problems += [Problem(key, f.field, f.reason) for f in failures]
    return problems


def provider_problems(stack: StackFile) -> list[Problem]:
    """Provider settings the provider would refuse: a plain-text key, an unusable URL."""
    problems: list[Problem] = []
    url = stack.config.get(URL_CONFIG)
    if isinstance(url, str):
        try:
            check_api_url(url)  # the provider's own rule: https, or http on loopback only
        except ConfigurationError as exc:
            problems.append(Problem(None, None, exc.message))
    value = stack.config.get(KEY_CONFIG)
    if value is None or is_secure(value):
        return problems
    problems.append(
        Problem(
            None,
            KEY_CONFIG,
            "is in plain text in the stack file (anything but a Pulumi secret, `secure: …`, "
            "whatever its form): remove it and store it with "
            f"`pulumi config set --secret {KEY_CONFIG}` (it prompts for the key; or use the "
            f"{KEY_ENV} environment variable), then rotate the key in lemlist",
        )
    )
    return problems


def _plain_team_key(name: object) -> Problem:
    label = str(name) if team_name_problem(name) is None else shown(name, 40)
    return Problem(
        None,
        f"{TEAMS_CONFIG}.{label}.{KEY_FIELD}",
        "is in plain text in the stack file (anything but a Pulumi secret, `secure: …`, "
        f"whatever its form): remove it, store it with `{set_key_command(clip(label, 40))}`, "
        "then rotate the key in lemlist",
    )


def _offline_teams(raw: Mapping[object, object]) -> tuple[dict[object, object], list[Problem]]:
    """``lemlist:teams`` with each key replaced by the placeholder (keys are never read),
    and a problem for each key that is not a Pulumi secret, whatever its YAML form (text,
    number, list, map, ``{secure: …}`` with other keys beside it)."""
    plain: dict[object, object] = {}
    problems: list[Problem] = []
    for name, entry in raw.items():
        if isinstance(entry, Mapping) and KEY_FIELD in entry:
            key = entry[KEY_FIELD]
            if key is not None and key != "" and not is_secure(key):
                problems.append(_plain_team_key(name))
            entry = {**entry, KEY_FIELD: None if key is None or key == "" else PLACEHOLDER}
        plain[name] = entry
    return plain, problems


def _teams_form(raw: object) -> Problem | None:
    """Why ``lemlist:teams`` is not a readable map of teams in a stack file, or None."""
    if is_secure(raw):
        return Problem(
            None,
            TEAMS_CONFIG,
            "must not be one secret: set each team's key on its own with "
            f"`{set_key_command('<team>')}`, so the team names stay readable in review",
        )
    if isinstance(raw, str) and raw.strip():
        # The engine hands a text value to the provider as is, and configure reads JSON
        # text as the teams: every key inside it would be in plain text in git.
        return Problem(
            None,
            TEAMS_CONFIG,
            "is text (JSON?) in the stack file, not a map: any key in it is in plain text. "
            f"Remove it, set each team with `{set_key_command('<team>')}`, and rotate every "
            "key it held in lemlist",
        )
    return None


def team_problems(stack: StackFile) -> list[Problem]:
    """``lemlist:teams`` as the provider's configure reads it, and each sender's ``team``
    among the teams it defines (what the provider's check refuses)."""
    raw = stack.config.get(TEAMS_CONFIG)
    form = _teams_form(raw)
    if form is not None:
        return [form]
    url = stack.config.get(URL_CONFIG)
    default_url = url if isinstance(url, str) else DEFAULT_API_URL
    plain, problems = _offline_teams(raw) if isinstance(raw, Mapping) else (raw, [])
    try:
        teams, found = read_teams(plain, default_url, check_api_url)
    except TeamsConfigError as exc:
        return [*problems, Problem(None, None, exc.message)]
    problems += [Problem(None, None, message + ".") for message in found]
    for key, sender in stack.inventory.senders.items():
        team = sender.inputs.get("team")
        if isinstance(team, str) and team and team_name_problem(team) is None:
            if team not in teams:
                problems.append(Problem(key, "team", unknown_team_reason(team, teams)))
    return problems


def lint(stack: StackFile) -> list[Problem]:
    """Every problem of a parsed stack file, in a stable order (file, then per sender)."""
    problems = stack.problems + stack.inventory.problems + provider_problems(stack)
    problems += team_problems(stack) + sender_problems(stack) + dkim_problems(stack)
    order = {key: i for i, key in enumerate(stack.inventory.senders)}
    return sorted(
        problems, key=lambda p: (p.sender is not None, order.get(p.sender or "", len(order)))
    )


def key_notes(stack: StackFile) -> list[Problem]:
    """Senders of the default team in a stack that keeps its teams' keys in the stack file
    (``lemlist:teams``) but not the default one (``lemlist:apiKey``).

    The environment may provide it (``LEMLIST_API_KEY``, as scripts/pulumi does for dev),
    which the lint cannot see: a note, neither a problem nor a warning. A stack without
    ``lemlist:teams`` gets none: a single-team stack keeping its key in the environment is
    the documented setup. Either way check refuses those senders in any preview or update
    that lacks the key."""
    if stack.config.get(KEY_CONFIG) is not None or stack.config.get(TEAMS_CONFIG) is None:
        return []
    keys = [k for k, s in stack.inventory.senders.items() if not s.inputs.get("team")]
    if not keys:
        return []
    shown_keys = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    return [
        Problem(
            None,
            KEY_CONFIG,
            f"not in this stack file: its {len(keys)} sender(s) without team ({shown_keys}) "
            f"need {KEY_ENV} in the environment of every `pulumi preview` and `pulumi up`, "
            "or the provider's check refuses them (docs/teams.md)",
        )
    ]


def warnings(stack: StackFile) -> list[Problem]:
    """What the lint reports without failing: senders on unsupported relays."""
    return relay_warnings(stack)


def relay_warnings(stack: StackFile) -> list[Problem]:
    """Senders whose SMTP host is a relay lemlist does not support (warnings, not problems)."""
    warnings: list[Problem] = []
    for key, sender in stack.inventory.senders.items():
        host = sender.inputs.get("smtp_host")
        provider = unsupported_relay(host) if isinstance(host, str) else None
        if provider:
            warnings.append(
                Problem(
                    key,
                    "smtp_host",
                    f"{shown(host)} is {provider}, an SMTP relay lemlist does not support for "
                    "sender mailboxes: connect the mailbox's own SMTP server instead "
                    f"({RELAYS_SOURCE})",
                )
            )
    return warnings
