"""The host's width follows the teams in the stack when lemlist:concurrency is unset."""

from __future__ import annotations

import json

import pytest

from lemlist_resource.config.settings import resolve
from lemlist_resource.errors import ConfigurationError
from lemlist_resource.host.hostpool import DEFAULT_CONCURRENCY, MAX_POOL, for_teams


def _teams(n: int) -> str:
    return json.dumps({f"t{i}": {"apiKey": f"key-{i}-abcdef"} for i in range(n)})


def _settings(config: dict[str, str], environ: dict[str, str] | None = None) -> int:
    return resolve(config.get, environ or {}).concurrency


def test_one_team_keeps_the_default_width() -> None:
    assert _settings({"lemlist:apiKey": "default-key-abcdef"}) == DEFAULT_CONCURRENCY


def test_each_team_adds_its_own_width_up_to_the_ceiling() -> None:
    three = {"lemlist:apiKey": "default-key-abcdef", "lemlist:teams": _teams(2)}
    assert _settings(three) == 3 * DEFAULT_CONCURRENCY
    assert _settings({"lemlist:teams": _teams(10)}) == 10 * DEFAULT_CONCURRENCY == MAX_POOL
    assert _settings({"lemlist:teams": _teams(30)}) == MAX_POOL


def test_a_set_concurrency_wins_over_the_teams() -> None:
    config = {"lemlist:teams": _teams(10), "lemlist:concurrency": "16"}
    assert _settings(config) == 16
    with pytest.raises(ConfigurationError, match="default 32 per team"):
        _settings({"lemlist:teams": _teams(10), "lemlist:concurrency": "0"})


def test_for_teams_never_drops_below_one_team() -> None:
    assert for_teams(0) == DEFAULT_CONCURRENCY
