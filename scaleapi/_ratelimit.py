"""A client-side rate limiter shared by every thread of a client: all of them slow down on a 429.

Unlimited until the server first says 429; then every thread pauses for the server's Retry-After (or a
short backoff) and the allowed rate is halved from what was being achieved. Each success afterwards
raises it by a fixed share (10 % by default), so a brief burst of 429s costs a few dozen requests'
worth of pacing, not minutes, and the limit lifts again once the rate is high enough.
"""
import threading
import time
from collections import deque
from typing import Callable, Deque, Optional


class RateLimiter:
    """Paces requests from many threads.

    Args:
        min_rate: the floor, in requests per second, that a series of 429s cannot go below.
        recovery: the factor the allowed rate grows by after each success.
        lift_at: once the allowed rate climbs past this, the limit is removed.
        clock, sleep: injectable for tests.
    """

    def __init__(
        self,
        min_rate: float = 2.0,
        recovery: float = 1.1,
        lift_at: float = 1000.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_rate = min_rate
        self.recovery = recovery
        self.lift_at = lift_at
        self.rate: Optional[float] = None  # requests per second; None means unlimited
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._recent: Deque[float] = deque()  # completion times within the last second
        self.throttled = 0  # how many 429s were seen

    def acquire(self) -> None:
        """Block until this thread may send its next request."""
        with self._lock:
            now = self._clock()
            start = max(now, self._paused_until)
            if self.rate is not None:
                start = max(start, self._next_slot)
                self._next_slot = start + 1.0 / self.rate
        if start > now:
            self._sleep(start - now)

    def record(self, status: Optional[int], pause: float = 0.0) -> None:
        """Tell the limiter how a request ended (``pause``: the wait the server asked for on a 429)."""
        with self._lock:
            now = self._clock()
            self._recent.append(now)
            while self._recent and self._recent[0] < now - 1.0:
                self._recent.popleft()
            if status == 429:
                self.throttled += 1
                achieved = float(len(self._recent))
                current = self.rate if self.rate is not None else achieved
                self.rate = max(self.min_rate, min(current, achieved) / 2.0)
                self._paused_until = max(self._paused_until, now + pause)
                self._next_slot = max(self._next_slot, self._paused_until)
            elif self.rate is not None:
                self.rate *= self.recovery
                if self.rate >= self.lift_at:
                    self.rate = None
                    self._next_slot = now
                else:
                    # Slots handed out at the slower rate are pulled in to the new spacing.
                    self._next_slot = min(self._next_slot, max(now, self._paused_until) + 1.0 / self.rate)
