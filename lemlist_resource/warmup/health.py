"""What lemwarm says of a mailbox's health: the deliverability score and when warm-up began.

From ``GET /lemwarm/{id}/settings`` as lemlist's OpenAPI shows it: ``deliverability: {score,
lastAt}`` and ``activeAt``. They become the Warmup's read-only outputs
``deliverability_score``, ``deliverability_checked_at`` and ``active_since``, so
``pulumi refresh`` shows the score; a value that is absent or not of lemlist's type reads None.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HEALTH_OUTPUTS", "health_read"]

HEALTH_OUTPUTS: tuple[str, ...] = (
    "deliverability_score",
    "deliverability_checked_at",
    "active_since",
)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def health_read(data: object) -> dict[str, Any]:
    """The three health outputs from a settings answer's JSON (None where lemlist gave none)."""
    found = data if isinstance(data, dict) else {}
    deliverability = found.get("deliverability")
    checked = deliverability if isinstance(deliverability, dict) else {}
    score = checked.get("score")
    whole = isinstance(score, int) and not isinstance(score, bool)
    return {
        "deliverability_score": score if whole else None,
        "deliverability_checked_at": _text(checked.get("lastAt")),
        "active_since": _text(found.get("activeAt")),
    }
