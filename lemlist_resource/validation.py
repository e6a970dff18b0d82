"""Offline validation of EmailAccount inputs: the rules of :mod:`.rules` applied per field.

``validate`` serves the provider's ``check`` and the inventory lint alike. It never calls
the API, never raises on odd input, skips values Pulumi does not know yet, and names the
field of every failure. Secret values never appear in a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import rules
from .schema import DEFAULTS, FIELDS, Field
from .teams import team_name_problem


@dataclass(frozen=True)
class Failure:
    """A refused field and why: ``reason`` does not repeat the field name, so each caller
    can render the pair as it needs (``check``: :attr:`message`; the lint: its own columns).
    """

    field: str
    reason: str

    @property
    def message(self) -> str:
        """The failure as one sentence that starts with the field name."""
        return f"{self.field} {self.reason}"


def parse_flag(value: object) -> bool | None:
    """``true``/``false`` as booleans or as the strings stack configuration holds (``pulumi
    config set`` writes top-level keys as text), in any case; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _never_unknown(_value: object) -> bool:
    return False


def _check_field(field: Field, value: Any) -> tuple[Any, str | None]:
    """Return the normalized value and the refusal reason (None when accepted)."""
    if field.kind == "port":
        return rules.normalize_port(value)
    if field.kind == "bool":
        flag = parse_flag(value)
        if flag is None:
            return None, f"must be true or false, got {type(value).__name__}"
        return flag, None
    if not isinstance(value, str):
        return None, f"must be a string, got {type(value).__name__}"
    if field.kind == "secret":
        return value, None if value else "must not be empty"
    text = value.strip()
    if not text:
        return None, "must not be empty"
    if field.kind == "email":
        return text, rules.email_problem(text)
    if field.kind == "host":
        return text, rules.host_problem(text)
    if field.kind == "account_id":
        return text, rules.account_id_problem(text)
    if field.kind == "team":
        return text, team_name_problem(text)
    return text, None


def validate(
    props: Mapping[str, Any],
    is_unknown: Callable[[object], bool] = _never_unknown,
) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize EmailAccount inputs.

    Returns the inputs with defaults applied and values normalized (ports as ``int``,
    hosts and addresses trimmed), and the list of failures. Values for which
    ``is_unknown`` is true (Pulumi previews) are passed through unchecked. Keys that are
    not EmailAccount fields are kept as they are.
    """
    out: dict[str, Any] = dict(props)
    failures: list[Failure] = []
    for field in FIELDS:
        value = props.get(field.name)
        if is_unknown(value):
            continue
        blank = isinstance(value, str) and field.kind != "secret" and not value.strip()
        if value is None or blank:
            if field.required:
                failures.append(Failure(field.name, "is required and must not be empty"))
            elif field.name in DEFAULTS:
                out[field.name] = DEFAULTS[field.name]
            else:
                out[field.name] = None
            continue
        normalized, problem = _check_field(field, value)
        if problem is not None:
            failures.append(Failure(field.name, problem))
        else:
            out[field.name] = normalized
    return out, failures
