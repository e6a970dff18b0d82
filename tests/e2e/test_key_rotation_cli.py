"""A rotated API key under the real CLI (issue 25, item 1).

The key is in the stack config (``lemlist:apiKey``); it is regenerated in lemlist (the old
one answers 401) and set again with ``pulumi config set --secret``. Plain ``refresh`` and
``destroy`` are configured from the state's copy of the config, and say so; with
``--run-program``, as ``./scripts/pulumi`` runs them, the new key is used without an ``up``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.config.names import CURRENT_CONFIG_ENV
from tests.conftest import assert_no_credentials
from tests.e2e.cli import new_project
from tests.e2e.test_engine import program

pytestmark = pytest.mark.e2e

OLD_KEY, NEW_KEY = "old-key-7c1d2e", "new-key-9a4b3f"


def test_a_rotated_config_key_serves_refresh_and_destroy_without_an_up(tmp_path: Path) -> None:
    with Emulator(api_keys={OLD_KEY: "team_1"}) as emu:
        project = new_project(tmp_path, program(), LEMLIST_API_URL=emu.url)
        project.init("e2e")
        project.pulumi("config", "set", "--secret", "lemlist:apiKey", OLD_KEY)
        project.pulumi("up", "--yes")
        emu.rotate_key(OLD_KEY, NEW_KEY)
        project.pulumi("config", "set", "--secret", "lemlist:apiKey", NEW_KEY)

        # Before: the state's key, and a message telling to set the key just set.
        stale = project.pulumi("refresh", "--yes", check=False)
        assert stale.returncode != 0
        said = stale.stdout + stale.stderr
        assert "HTTP 401" in said
        assert "lemlist:apiKey as the engine passed it" in said
        assert "the copy saved in the state by the last `up`" in said
        assert "`--run-program`" in said
        for text in (OLD_KEY, NEW_KEY):
            assert text not in said

        # What ./scripts/pulumi runs: the program, so the config as set now.
        project.env[CURRENT_CONFIG_ENV] = "1"
        fresh = project.pulumi("refresh", "--yes", "--run-program")
        assert "error" not in fresh.stdout.lower()
        project.pulumi("destroy", "--yes", "--run-program")
        assert emu.accounts() == []
        assert_no_credentials(fresh.stdout + fresh.stderr)
