"""The pacer's margin adapts to the delay between a slot and lemlist counting it (issue 29,
item 6): it widens on a late wake-up, on a 429 and on an X-RateLimit-Remaining lower than
planned, and shrinks back slowly. A fake clock: no sleeps, no timing assertions."""

from __future__ import annotations

import itertools

import pytest

from lemlist_resource.lemlist.ratelimit import MAX_MARGIN, Pacer


class Clock:
    """Time that moves only when slept through (plus ``lag``: a sender waking late)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lag = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds + self.lag


def _pacer(clock: Clock) -> Pacer:
    return Pacer(limit=20, window=2.0, margin=0.05, clock=clock, sleep=clock.sleep)


def _sends(pacer: Pacer, clock: Clock, n: int) -> list[float]:
    out = []
    for _ in range(n):
        pacer.acquire()
        out.append(clock.now)
    return out


def test_a_429_doubles_the_margin_and_answers_shrink_it_back_slowly() -> None:
    clock = Clock()
    pacer = _pacer(clock)
    pacer.rate_limited()
    assert pacer.margin == pytest.approx(0.15)  # 2 x 0.05 + 0.05
    pacer.rate_limited()
    assert pacer.margin == pytest.approx(0.35)
    margins = []
    for _ in range(100):
        pacer.answered(clock.now)
        margins.append(pacer.margin)
    assert all(b < a for a, b in itertools.pairwise(margins))  # shrinks each answer
    assert 0.05 < margins[-1] < 0.35 * 0.5  # slowly, and never below the configured margin
    for _ in range(5000):
        pacer.answered(clock.now)
    assert pacer.margin == pytest.approx(0.05, abs=1e-6)


def test_the_margin_never_grows_past_its_cap() -> None:
    pacer = _pacer(Clock())
    for _ in range(20):
        pacer.rate_limited()
    assert pacer.margin == MAX_MARGIN


def test_a_wider_margin_spaces_the_21st_send_further() -> None:
    clock = Clock()
    pacer = _pacer(clock)
    pacer.rate_limited()
    sends = _sends(pacer, clock, 21)
    assert sends[20] - sends[0] == pytest.approx(2.0 + 0.15)


def test_a_sender_leaving_late_moves_its_slot_and_the_one_a_window_behind_waits() -> None:
    clock = Clock()
    pacer = Pacer(limit=1, window=1.0, margin=0.1, clock=clock, sleep=clock.sleep)
    first, _ = pacer._reserve()  # reserved at 0; its sender stalls before sending
    stalled = []

    def sleep(seconds: float) -> None:
        if not stalled:  # while the second waits, the first finally leaves, at 0.6
            stalled.append(seconds)
            first.at = 0.6
        clock.sleep(seconds)

    pacer._sleep = sleep
    pacer.acquire()
    assert stalled == [pytest.approx(1.1)]  # planned from the first's slot at 0...
    assert clock.now == pytest.approx(1.7)  # ...but sent a window and the margin after 0.6


def test_a_stall_costs_no_margin() -> None:
    clock = Clock()
    pacer = _pacer(clock)
    clock.lag = 0.3  # every sleep overruns by 300 ms
    sends = _sends(pacer, clock, 41)
    assert pacer.margin == pytest.approx(0.05)
    assert all(sends[i + 20] - sends[i] >= 2.05 - 1e-9 for i in range(21))


def test_fewer_remaining_than_planned_widens_before_any_429() -> None:
    clock = Clock()
    pacer = _pacer(clock)
    _sends(pacer, clock, 5)
    pacer.answered(0.0, remaining=14)  # 5 planned, lemlist counts 6: within one of slack
    assert pacer.margin == pytest.approx(0.05)
    pacer.answered(0.0, remaining=10)  # lemlist counts 10 where 5 were planned
    assert pacer.margin == pytest.approx(0.075)  # a near miss: half the configured margin more


def test_remaining_counts_what_lemlist_may_have_counted_since_the_send() -> None:
    clock = Clock()
    pacer = _pacer(clock)
    sent = _sends(pacer, clock, 20)[0]
    clock.now += 1.5  # a long operation: the answer comes 1.5 s later
    pacer.answered(sent, remaining=0)  # all 20 planned in (sent - window, now]: no surprise
    assert pacer.margin == pytest.approx(0.05)
