"""The ``lemwarm:`` block of the sender inventory: per sender and in ``defaults``.

A sender's warm-up is its own ``lemwarm`` map over the stack default's (key by key); with
neither, the bundled program declares no ``Warmup`` for it (lemwarm is left as it is).
Keys: ``enabled`` and the six settings of :mod:`lemlist_resource.warmup.rules`, checked by
that module's :func:`~lemlist_resource.warmup.rules.validate` (the provider's own ``check``),
so the lint refuses what ``pulumi preview`` would. Also the PR summary's warm-up lines: a
warm-up change is always an update in place. Standard library only.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..warmup.rules import SETTINGS, check_setting
from ..warmup.rules import validate as validate_warmup

LEMWARM = "lemwarm"
#: The keys a ``lemwarm`` block may hold.
KEYS: tuple[str, ...] = ("enabled", *(s.name for s in SETTINGS))
#: A valid mailbox id standing in for the EmailAccount's id, unknown offline.
_PLACEHOLDER_ID = "usm_placeholder"

Issue = tuple[str, str]  # (field, message)


def _block(value: object, where: str) -> tuple[dict[str, Any], list[Issue]]:
    """The known keys of one ``lemwarm`` map, and an issue for anything else."""
    if not isinstance(value, Mapping):
        return {}, [(where, f"must be a map of {', '.join(KEYS)}")]
    kept: dict[str, Any] = {}
    issues: list[Issue] = []
    for name, setting in value.items():
        if str(name) in KEYS:
            kept[str(name)] = setting
            continue
        close = difflib.get_close_matches(str(name), KEYS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(KEYS)}"
        issues.append((f"{where}.{name}", f"is not a lemwarm setting{hint}"))
    return kept, issues


def merge(defaults: object, own: object, where: str) -> tuple[dict[str, Any] | None, list[Issue]]:
    """A sender's warm-up (None: not managed) and its issues, checked by lemlist's ranges.

    ``where``: how issues name the sender's block (its own ``lemwarm``). The default block's
    unknown keys are :func:`default_issues`' (reported once, not per sender)."""
    if defaults is None and own is None:
        return None, []
    issues: list[Issue] = []
    merged: dict[str, Any] = {}
    for value, label in ((defaults, f"defaults.{LEMWARM}"), (own, where)):
        if value is not None:
            kept, found = _block(value, label)
            merged.update(kept)
            issues += found if label == where else []
    _, failures = validate_warmup({**merged, "mailbox_id": _PLACEHOLDER_ID})
    issues += [(f"{LEMWARM}.{f.field}", f.reason) for f in failures]
    return merged, issues


def default_issues(defaults: object) -> list[Issue]:
    """What is wrong with the stack default's ``lemwarm`` block itself (its unknown keys)."""
    return [] if defaults is None else _block(defaults, LEMWARM)[1]


def normalized(block: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A warm-up block as the provider sees it (``enabled`` defaults to true)."""
    if block is None:
        return None
    out: dict[str, Any] = {"enabled": block.get("enabled", True) is not False}
    for setting in SETTINGS:
        value, _ = check_setting(setting, block.get(setting.name))
        out[setting.name] = value if block.get(setting.name) is not None else None
    return out


def _code(value: object) -> str:
    if value is None:
        return "_unset_"
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def review_lines(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """The PR summary's warm-up lines for one sender (empty: no warm-up change)."""
    old, new = normalized(before), normalized(after)
    if old == new:
        return []
    if new is None:
        return ["warm-up: no longer managed (lemlist leaves it as it is; the Warmup is "
                "deleted, which pauses it)"]  # fmt: skip
    if old is None:
        state = "starts" if new["enabled"] else "paused"
        declared = [f"`{k}` {_code(v)}" for k, v in new.items() if k != "enabled" and v is not None]
        listed = f" ({', '.join(declared)})" if declared else ""
        return [f"warm-up: {state}, managed in place{listed}"]
    lines = ["warm-up: updated in place (no reconnect)"]
    for name in KEYS:
        if new.get(name) is not None and old.get(name) != new.get(name):
            lines.append(f"`{LEMWARM}.{name}`: {_code(old.get(name))} → {_code(new.get(name))}")
    return lines
