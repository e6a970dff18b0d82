"""lemwarm's settings and lemlist's ranges for them: the one home of these rules.

The provider's ``check``, the inventory lint and the policy pack call :func:`validate`. The
ranges are lemlist's (``PATCH /lemwarm/{mailboxId}/settings``, ../shared/lemlist-api.md):
``warmEmailMax`` and ``warmEmailRampup`` 1-40, ``internalCommunicationPercent`` and
``answerPercentage`` 0-100, ``warmUsePlaintext`` and ``warmDailyVarianceEnabled`` booleans.
Standard library only; never raises on odd input; skips values Pulumi does not know yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config.teams import team_name_problem
from ..echo import shown
from ..rules.validation import Failure, parse_flag

__all__ = [
    "SETTINGS",
    "SETTINGS_BY_NAME",
    "Setting",
    "changed_settings",
    "mailbox_id_problem",
    "patch_body",
    "validate",
]


@dataclass(frozen=True)
class Setting:
    """One lemwarm setting: our name, lemlist's JSON key, and its range (None: a flag)."""

    name: str
    api_name: str
    low: int | None = None
    high: int | None = None
    meaning: str = ""

    @property
    def is_flag(self) -> bool:
        return self.low is None


SETTINGS: tuple[Setting, ...] = (
    Setting("warm_email_max", "warmEmailMax", 1, 40, "warm-up emails per day at most"),
    Setting("warm_email_rampup", "warmEmailRampup", 1, 40, "daily increase of warm-up emails"),
    Setting(
        "internal_communication_percent",
        "internalCommunicationPercent",
        0,
        100,
        "percent of warm-up emails exchanged inside the team",
    ),
    Setting("answer_percentage", "answerPercentage", 0, 100, "percent of warm-up emails answered"),
    Setting("plain_text", "warmUsePlaintext", meaning="send warm-up emails as plain text"),
    Setting("daily_variance", "warmDailyVarianceEnabled", meaning="vary the daily volume"),
)
SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
#: Every input of a Warmup, in order; ``enabled`` defaults to true.
FIELD_NAMES: tuple[str, ...] = ("mailbox_id", "team", "enabled", *(s.name for s in SETTINGS))
#: Inputs whose change replaces the warm-up resource (it belongs to another mailbox or key).
REPLACE_FIELDS: tuple[str, ...] = ("mailbox_id", "team")

# lemlist mailbox ids are a prefix, '_' and URL-safe characters (``usm_…``; connect's
# documented example says ``umx_…``): no prefix is required, and nothing can leave the path
# segment it is put in.
_MAILBOX_ID_RE = re.compile(r"[A-Za-z0-9]{1,16}_[A-Za-z0-9_-]{1,100}")


def _never_unknown(_value: object) -> bool:
    return False


def mailbox_id_problem(value: object) -> str | None:
    """Why ``value`` is not a lemlist mailbox id, or None."""
    if isinstance(value, str) and _MAILBOX_ID_RE.fullmatch(value.strip()):
        return None
    return (
        f"{shown(value)} is not a lemlist mailbox id: expected a prefix, '_' and letters or "
        "digits (usm_…), such as an EmailAccount's id"
    )


def _whole(value: object) -> int | None:
    """An int from an int, an integral float (Pulumi's numbers) or digits (stack config)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,6}", value.strip()):
        return int(value.strip())
    return None


def check_setting(setting: Setting, value: object) -> tuple[Any, str | None]:
    """The normalized value of one setting and why lemlist would refuse it (None: accepted)."""
    if setting.is_flag:
        flag = parse_flag(value)
        return (flag, None) if flag is not None else (None, "must be true or false")
    number = _whole(value)
    assert setting.low is not None and setting.high is not None
    if number is None or not setting.low <= number <= setting.high:
        return None, (
            f"must be a whole number from {setting.low} to {setting.high} (lemlist's range for "
            f"{setting.api_name}), got {shown(value)}"
        )
    return number, None


def _check_identity(out: dict[str, Any], failures: list[Failure], unknown: Any) -> None:
    mailbox_id = out.get("mailbox_id")
    if not unknown(mailbox_id):
        if mailbox_id is None or (isinstance(mailbox_id, str) and not mailbox_id.strip()):
            failures.append(Failure("mailbox_id", "is required: the id of a lemlist mailbox"))
        elif (problem := mailbox_id_problem(mailbox_id)) is not None:
            failures.append(Failure("mailbox_id", problem))
        else:
            out["mailbox_id"] = str(mailbox_id).strip()
    team = out.get("team")
    if not unknown(team) and team is not None:
        problem = team_name_problem(team)
        if problem is not None:
            failures.append(Failure("team", problem))


def validate(
    props: Mapping[str, Any], is_unknown: Callable[[object], bool] = _never_unknown
) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize a Warmup's inputs: ``enabled`` defaults to true, numbers become
    ints; an undeclared setting stays None (lemlist keeps its value). Other keys pass as
    they are."""
    out: dict[str, Any] = dict(props)
    failures: list[Failure] = []
    _check_identity(out, failures, is_unknown)
    enabled = props.get("enabled")
    if enabled is None:
        out["enabled"] = True
    elif not is_unknown(enabled):
        flag = parse_flag(enabled)
        if flag is None:
            failures.append(Failure("enabled", "must be true or false"))
        out["enabled"] = flag
    for setting in SETTINGS:
        value = props.get(setting.name)
        if value is None or is_unknown(value):
            out[setting.name] = value
            continue
        normalized, problem = check_setting(setting, value)
        if problem is not None:
            failures.append(Failure(setting.name, problem))
        out[setting.name] = normalized
    return out, failures


def changed_settings(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    is_unknown: Callable[[object], bool] = _never_unknown,
) -> list[str]:
    """The declared settings whose new value differs from the old (a setting no longer
    declared is no change: lemlist keeps its value)."""
    changed = []
    for setting in SETTINGS:
        new = news.get(setting.name)
        if new is None:
            continue
        if is_unknown(new) or olds.get(setting.name) != new:
            changed.append(setting.name)
    return changed


def patch_body(values: Mapping[str, Any], names: list[str] | None = None) -> dict[str, Any]:
    """lemlist's PATCH body for the declared settings (only ``names`` when given): JSON
    integers and booleans, as lemlist wants them (Pulumi delivers numbers as floats)."""
    body: dict[str, Any] = {}
    for setting in SETTINGS:
        value = values.get(setting.name)
        if value is None or (names is not None and setting.name not in names):
            continue
        body[setting.api_name] = bool(value) if setting.is_flag else _whole(value)
    return body
