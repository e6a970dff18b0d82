"""CI's Hypothesis runs cannot go red at random: the suite's default profile is derandomized and
keeps no example database (tests/conftest.py); the random search is scripts/fuzz's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SEEN: list[int] = []


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci", reason="another profile asked for"
)
def test_the_ci_profile_is_active_derandomized_and_without_a_database() -> None:
    current = settings.default
    assert current is not None
    assert current.derandomize is True
    assert current.database is None


def test_the_property_tests_settings_inherit_the_profile() -> None:
    from tests import test_check_properties
    from tests.inventory import test_inventory_properties

    for module in (test_check_properties, test_inventory_properties):
        assert module.SETTINGS.derandomize is True, module.__name__
        assert module.SETTINGS.database is None, module.__name__


@settings(max_examples=15)
@given(st.integers())
def _draw(value: int) -> None:
    SEEN.append(value)


def test_two_runs_draw_the_same_examples() -> None:
    SEEN.clear()
    _draw()
    first = list(SEEN)
    SEEN.clear()
    _draw()
    assert SEEN == first and first


def test_scripts_fuzz_runs_the_property_tests_with_the_fuzz_profile() -> None:
    text = (ROOT / "scripts" / "fuzz").read_text(encoding="utf-8")
    assert "HYPOTHESIS_PROFILE=fuzz" in text
    result = subprocess.run(
        [sys.executable, "-c", "import tests.conftest as c; from hypothesis import settings;"
         "print(settings.default.derandomize)"],
        cwd=ROOT, env={**os.environ, "HYPOTHESIS_PROFILE": "fuzz"},
        capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip() == "False"
