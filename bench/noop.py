"""A do-nothing provider: the floor a preview cannot go below (gRPC, host, serialization)."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckResult, DiffResult, ResourceProvider


class NoopProvider(ResourceProvider):
    """``check`` accepts its inputs as they are; ``diff`` reports no change."""

    serialize_as_secret_always = False

    def __reduce__(self) -> tuple[Any, ...]:
        return (NoopProvider, ())

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=False)
