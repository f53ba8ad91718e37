"""The shared rate limiter: unlimited until a 429, then a shared pause and a halved rate that recovers."""
from typing import List

import pytest

from scaleapi._ratelimit import RateLimiter


class FakeClock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_unlimited_until_the_first_429() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for _ in range(50):
        limiter.acquire()
        limiter.record(200)
    assert clock.slept == [] and limiter.rate is None


def test_a_429_pauses_everyone_and_halves_the_achieved_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for _ in range(20):  # 20 requests within the same second
        limiter.acquire()
        limiter.record(200)
    limiter.record(429, pause=2.0)
    assert limiter.rate == 10.5  # 21 completions seen in the last second, halved
    limiter.acquire()  # any thread now waits out the pause
    assert clock.slept == [2.0]
    limiter.acquire()  # then requests are spaced at the new rate
    assert clock.slept[-1] == pytest.approx(1.0 / 10.5)


def test_rate_recovers_by_a_share_per_success_and_the_limit_lifts() -> None:
    clock = FakeClock()
    limiter = RateLimiter(min_rate=1.0, recovery=2.0, lift_at=20.0, clock=clock, sleep=clock.sleep)
    limiter.record(429)
    assert limiter.rate == 1.0  # never below the floor
    for _ in range(4):
        limiter.record(200)
    assert limiter.rate == 16.0
    limiter.record(200)
    assert limiter.rate is None and limiter.throttled == 1


def test_slots_reserved_at_a_slow_rate_are_pulled_in_when_it_recovers() -> None:
    clock = FakeClock()
    limiter = RateLimiter(min_rate=1.0, recovery=10.0, clock=clock, sleep=clock.sleep)
    limiter.record(429)  # rate 1/s
    for _ in range(5):
        limiter.acquire()  # these wait a second each: 0, 1, 1, 1, 1
    assert sum(clock.slept) == pytest.approx(4.0)
    limiter.record(200)  # rate 10/s: the next slot is 0.1 s away, not 1 s
    limiter.acquire()
    assert clock.slept[-1] == pytest.approx(0.1)
