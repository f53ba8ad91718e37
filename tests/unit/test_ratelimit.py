"""The shared rate limiter: unlimited until a 429, then a shared pause and a halved rate that recovers."""
from typing import Callable, List

import pytest
from support.fake_clock import FakeClock

from scaleapi._ratelimit import RateLimiter
from scaleapi._retry import RetryPolicy


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


def outage_limiter(clock: FakeClock, **options: float) -> RateLimiter:
    """A limiter whose outage pauses are 1, 2, 4, 4, ... s (no jitter), after 3 failures in a row."""
    policy = RetryPolicy(initial_delay=1.0, max_delay=4.0, jitter=0.0)
    return RateLimiter(policy=policy, outage_after=3, clock=clock, sleep=clock.sleep, rand=lambda: 0.0,
                       **options)


def test_scattered_failures_pause_no_one() -> None:
    clock = FakeClock()
    limiter = outage_limiter(clock)
    for status in (500, None, 200, 503, 200, 502, None, 200):  # never 3 failures in a row
        limiter.acquire()
        limiter.record(status)
    assert not clock.slept and limiter.outage_level == 0


def test_an_outage_pauses_everyone_and_lets_one_probe_through_at_a_time() -> None:
    clock = FakeClock()
    heard: List[str] = []
    limiter = outage_limiter(clock, probe_timeout=1.0)
    limiter.listen(heard.append)
    limiter.record(503)
    limiter.record(None)
    limiter.record(503)  # third failure in a row: an outage
    assert limiter.outage_level == 1 and heard == ["waiting 1s: server 503"]
    for _ in range(10):  # requests sent before the pause fail too: nothing new, no escalation
        limiter.record(503)
    assert limiter.outage_level == 1 and len(heard) == 1
    limiter.acquire()  # waits out the pause, then is the probe
    assert clock.slept == [1.0]
    limiter.record(503)  # the probe failed: everyone waits longer
    assert limiter.outage_level == 2 and heard[-1] == "waiting 2s: server 503"
    limiter.acquire()
    assert clock.slept[-1] == 2.0
    limiter.record(None)
    assert heard[-1] == "waiting 4s: no connection"
    limiter.acquire()  # the probe of level 3 goes out...
    before = clock.now
    limiter.acquire()  # ...and a second thread is held back while it is out (here: until it expires)
    assert clock.now - before == pytest.approx(1.0)
    limiter.record(503)
    limiter.record(503)
    limiter.record(200)  # any success ends the outage at once
    assert limiter.outage_level == 0 and limiter.failures == 0
    before = clock.now
    limiter.acquire()
    limiter.acquire()
    assert clock.now == before


@pytest.mark.parametrize("limiter_of, expected", [
    # the policy's own cap (4 s) is reached first
    (outage_limiter, [1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]),
    # the default backoff (capped at 8 s): the pause between probes stops at its 4th step, 4 s
    (lambda clock: RateLimiter(outage_after=3, clock=clock, sleep=clock.sleep, rand=lambda: 0.0),
     [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0]),
])
def test_the_shared_pause_stays_capped(limiter_of: Callable[[FakeClock], RateLimiter],
                                       expected: List[float]) -> None:
    clock = FakeClock()
    limiter = limiter_of(clock)
    for _ in range(3):
        limiter.record(500)
    waits = []
    for _ in range(8):
        before = clock.now
        limiter.acquire()
        waits.append(clock.now - before)
        limiter.record(500)
    assert waits == expected


def test_a_429_is_no_outage_and_ends_one() -> None:
    clock = FakeClock()
    heard: List[str] = []
    limiter = outage_limiter(clock)
    limiter.listen(heard.append)
    for _ in range(3):
        limiter.record(503)
    limiter.record(429, pause=0.0)
    assert limiter.outage_level == 0 and limiter.throttled == 1
    assert heard == ["waiting 1s: server 503", "slowed to 2 requests/s: rate limited (429)"]
    limiter.unlisten(heard.append)
    limiter.record(429, pause=3.0)
    assert len(heard) == 2  # no longer listening


def test_client_errors_are_answers_not_failures() -> None:
    clock = FakeClock()
    limiter = outage_limiter(clock)
    for status in (503, 503, 404, 503, 503, 409, 400):
        limiter.record(status)
    assert limiter.outage_level == 0
