"""The faults scenario's arithmetic: completions at a time, rate bins, and the recovery time."""
from typing import List, Tuple

from bench.scenarios.faults import binned_rates, done_by, recovery_seconds


def steady(rate: float, start: float, end: float, done: int = 0) -> List[Tuple[float, int]]:
    """A completion every 1/rate seconds from ``start`` to ``end``, counting on from ``done``."""
    count = round((end - start) * rate)
    return [(start + step / rate, done + step) for step in range(1, count + 1)]


def test_done_by_is_a_step_function() -> None:
    marks = [(0.5, 1), (1.0, 2), (2.0, 3)]
    assert [done_by(marks, when) for when in (0.0, 0.5, 0.9, 1.0, 5.0)] == [0, 1, 1, 2, 3]


def test_recovery_counts_from_the_end_of_the_burst() -> None:
    # 100/s for 2 s, nothing during a burst from 2 s to 5 s and for 1.5 s after, then 100/s again.
    before = steady(100, 0.0, 2.0)
    after = steady(100, 6.5, 10.0, done=before[-1][1])
    assert recovery_seconds(before + after, burst_end=5.0, clean_rate=100, elapsed=10.0) == 1.5


def test_no_recovery_when_the_run_ends_first() -> None:
    marks = steady(100, 0.0, 2.0) + steady(20, 5.0, 8.0, done=200)
    assert recovery_seconds(marks, burst_end=5.0, clean_rate=100, elapsed=8.0) is None


def test_bins_give_completions_per_second() -> None:
    rates = binned_rates(steady(100, 0.0, 2.0), 2.0)
    assert rates[:4] == [100.0, 100.0, 100.0, 100.0]
