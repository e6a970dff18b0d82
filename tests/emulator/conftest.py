"""Fixtures of the emulator's own tests: a fresh in-process emulator and client sessions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from lemlist_emulator import Emulator

from .helpers import KEY, OTHER_KEY, make_emulator, session_for


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with make_emulator() as emulator:
        yield emulator


@pytest.fixture
def api() -> Iterator[requests.Session]:
    with session_for(KEY) as session:
        yield session


@pytest.fixture
def other_api() -> Iterator[requests.Session]:
    with session_for(OTHER_KEY) as session:
        yield session
