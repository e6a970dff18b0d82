"""``--arrival-jitter``: a seeded delay between accepting a request and counting it against the
rate window (issue 29, item 6). An injected sleep records it: no real waiting."""

from __future__ import annotations

import argparse

import pytest
import requests

from lemlist_emulator import Emulator
from lemlist_emulator.cli import build_emulator, build_parser

from .helpers import KEY


def test_each_request_waits_up_to_the_jitter_before_it_is_counted() -> None:
    slept: list[float] = []
    with Emulator(api_keys={KEY: "team_1"}, arrival_jitter=0.05, sleep=slept.append) as emu:
        for _ in range(5):
            requests.get(f"{emu.url}/team", auth=("", KEY), timeout=5)
        assert emu.count(status=200) == 5
    assert len(slept) == 5 and all(0 <= s <= 0.05 for s in slept) and len(set(slept)) > 1


def test_no_jitter_no_wait() -> None:
    slept: list[float] = []
    with Emulator(api_keys={KEY: "team_1"}, sleep=slept.append) as emu:
        requests.get(f"{emu.url}/team", auth=("", KEY), timeout=5)
    assert slept == []


def test_the_option_takes_milliseconds_and_refuses_nonsense() -> None:
    args = build_parser().parse_args(["--arrival-jitter", "50"])
    assert args.arrival_jitter == pytest.approx(0.05)
    assert build_emulator(args)._pipeline.arrival_jitter == pytest.approx(0.05)
    for bad in ("nan", "-1", "inf", "soon", "20000"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["--arrival-jitter", bad])
    assert isinstance(build_parser(), argparse.ArgumentParser)
